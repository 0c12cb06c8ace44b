"""The annual situation report (Lagebild) as a page and a PDF: for the strategy group, and for everyone under
/zahlen when the deployment publishes its statistics."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel import Session

from core.actors import SYSTEM, Actor
from core.clock import utcnow
from reporting import open_data
from reporting.statistics import disclosure_from
from web.deps import Config, CurrentActor, Db, as_int
from web.i18n import language_of
from web.settings import Settings
from web.situation_report import build_report, chart_svg, report_pdf
from web.templating import page

PERMISSION = {"permission": "situation_report.view"}
# The PDF has no Arabic shaping (it would need HarfBuzz); an Arabic reader gets the German PDF and the page.
PDF_FALLBACK = {"ar": "de"}


def _split(report: str) -> tuple[int, bool]:
    """'2025' -> (2025, page), '2025.pdf' -> (2025, PDF); anything else is no such report."""
    stem, dot, suffix = report.partition(".")
    year = as_int(stem)
    if year is None or (dot and suffix != "pdf"):
        raise NotFoundException()
    return year, bool(dot)


def _answer(request: Request[Any, Any, Any], db: Session, actor: Actor, settings: Settings, report: str, *,
            base: str) -> Template | Response[bytes]:
    year, as_pdf = _split(report)
    lang = language_of(request)
    if as_pdf:
        lang = PDF_FALLBACK.get(lang, lang)
    view = build_report(db, actor, disclosure_from(settings), year, municipality=settings.municipality_name,
                        ags=settings.ags, lang=lang, today=utcnow().date())
    if not as_pdf:
        return page(request, "situation_report/report.html", report=view, base=base, chart_svg=chart_svg)
    pdf = report_pdf(db, view, now=utcnow())
    db.commit()  # the generated file is kept for the next reader
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="lagebild-{settings.ags}-{year}.pdf"'})


@get("/statistik/lagebild", include_in_schema=False, sync_to_thread=True, opt=PERMISSION)
def report_index(request: Request[Any, Any, Any], db: Db, settings: Config) -> Template:
    years = open_data.published_years(db, disclosure_from(settings), today=utcnow().date())
    return page(request, "situation_report/index.html", years=years)


@get("/statistik/lagebild/{report:str}", include_in_schema=False, sync_to_thread=True, opt=PERMISSION)
def report_for_group(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                     report: FromPath[str]) -> Template | Response[bytes]:
    return _answer(request, db, actor, settings, report, base="/statistik/lagebild")


@get("/zahlen/lagebild/{report:str}", include_in_schema=False, sync_to_thread=True)
def report_public(request: Request[Any, Any, Any], db: Db, settings: Config,
                  report: FromPath[str]) -> Template | Response[bytes]:
    if not settings.public_statistics:
        raise NotFoundException()
    # Public by the deployment's choice; the report shows public figures (public k) for everyone anyway.
    return _answer(request, db, SYSTEM, settings, report, base="/zahlen/lagebild")


ROUTES = [report_index, report_for_group, report_public]
PUBLIC = frozenset({"/zahlen/lagebild/{report}"})
