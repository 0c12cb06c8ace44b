"""Open data: the published schema, the year's export (strategy group; public when public statistics are on),
imports of other municipalities' files and the comparison page."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import anyio
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from core.actors import SYSTEM, Actor
from core.clock import utcnow
from reporting import open_data
from reporting.statistics import disclosure_from
from web.deps import Config, CurrentActor, Db, as_int
from web.identity import identity_of
from web.labels import CODE_LABELS
from web.messages import _
from web.settings import Settings
from web.templating import FormState, page

SCHEMA_PATH = "/offene-daten/schema/1.0.json"
VIEW_TITLES = {
    "total": _("All reports"),
    "by-incident_type": _("By type of incident"),
    "by-incident_type-multiple": _("By type of incident (multiple answers)"),
    "by-motive": _("By motive"),
    "by-motive-multiple": _("By motive (multiple answers)"),
    "by-life_area": _("By area of life"),
    "by-district": _("By district"),
}


def _year_of(name: str) -> int:
    """'2025.json' -> 2025; anything else is no such file."""
    stem, dot, suffix = name.partition(".")
    year = as_int(stem)
    if not dot or suffix != "json" or year is None:
        raise NotFoundException()
    return year


def _json(document: dict[str, Any], filename: str) -> Response[bytes]:
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return Response(body, media_type=MediaType.JSON,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def _export(db: Session, actor: Actor, settings: Settings, year: int) -> Response[bytes]:
    document = open_data.export_document(db, actor, disclosure_from(settings), year,
                                         municipality=settings.municipality_name, ags=settings.ags,
                                         today=utcnow().date())
    return _json(document, f"vorort-{settings.ags}-{year}.json")


@get(SCHEMA_PATH, include_in_schema=False, sync_to_thread=False, name="open-data-schema")
def schema_file() -> Response[bytes]:
    return Response(open_data.SCHEMA_FILE.read_bytes(), media_type="application/schema+json")


@get("/statistik/offene-daten/{file:str}", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "open_data.export"})
def export_for_group(db: Db, actor: CurrentActor, settings: Config, file: FromPath[str]) -> Response[bytes]:
    return _export(db, actor, settings, _year_of(file))


@get("/offene-daten/{file:str}", include_in_schema=False, sync_to_thread=True)
def export_public(db: Db, settings: Config, file: FromPath[str]) -> Response[bytes]:
    if not settings.public_statistics:
        raise NotFoundException()
    # Public by the deployment's choice: the figures are the public ones (public k) either way.
    return _export(db, SYSTEM, settings, _year_of(file))


def _comparison_page(request: Request[Any, Any, Any], db: Session, actor: Actor, settings: Settings, *,
                     year: int | None, view: str | None, status: int = 200, form: FormState | None = None,
                     problems: list[str] | None = None, notice: str | None = None) -> Template:
    today = utcnow().date()
    disclosure = disclosure_from(settings)
    imports = open_data.imported(db, actor)
    own_years = open_data.published_years(db, disclosure, today=today)
    years = sorted({*own_years, *(row.year for row in imports)}, reverse=True)
    chosen = year if year in years else (years[0] if years else None)
    comparison = None
    views: list[str] = []
    if chosen is not None:
        own = (open_data.export_document(db, SYSTEM, disclosure, chosen, municipality=settings.municipality_name,
                                         ags=settings.ags, today=today) if chosen in own_years else None)
        others = [open_data.stored_document(row) for row in imports if row.year == chosen]
        views = open_data.view_ids([*([own] if own else []), *others])
        chosen_view = view if view in views else (views[0] if views else "total")
        comparison = open_data.compare_documents(own, others, chosen_view, chosen)
    return page(request, "open_data/compare.html", status=status, imports=imports, years=years, year=chosen,
                views=views, view_titles=VIEW_TITLES, comparison=comparison, code_labels=CODE_LABELS,
                form=form or FormState(), problems=problems or [], notice=notice, schema_path=SCHEMA_PATH,
                own_years=own_years)


@get("/statistik/vergleich", include_in_schema=False, sync_to_thread=True, opt={"permission": "open_data.compare"})
def comparison(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
               jahr: FromQuery[str | None] = None, ansicht: FromQuery[str | None] = None,
               notice: FromQuery[str | None] = None) -> Template:
    return _comparison_page(request, db, actor, settings, year=as_int(jahr or ""), view=ansicht, notice=notice)


def _import(request: Request[Any, Any, Any], actor: Actor, content: bytes | None) -> Template | Redirect:
    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine, expire_on_commit=False) as db:
        if content is None:
            return _comparison_page(request, db, actor, settings, year=None, view=None, status=422,
                                    form=FormState(errors={"file": "required"}))
        try:
            stored = open_data.import_document(db, actor, content, own_ags=settings.ags, now=utcnow())
        except open_data.FileRefused as exc:
            db.rollback()
            return _comparison_page(request, db, actor, settings, year=None, view=None, status=422,
                                    form=FormState(errors=exc.errors), problems=exc.problems)
        db.commit()
        return Redirect(f"/statistik/vergleich?jahr={stored.year}&notice=open_data_imported", status_code=303)


@post("/statistik/vergleich", include_in_schema=False, opt={"permission": "open_data.import"})
async def import_file(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    upload = form.get("file")
    actor = identity_of(request.state).actor
    content = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    return await anyio.to_thread.run_sync(partial(_import, request, actor, content))


@post("/statistik/vergleich/{ags:str}/{year:int}/entfernen", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "open_data.import"})
def remove(db: Db, actor: CurrentActor, ags: FromPath[str], year: FromPath[int]) -> Redirect:
    open_data.remove_import(db, actor, ags, year, now=utcnow())
    db.commit()
    return Redirect(f"/statistik/vergleich?jahr={year}&notice=open_data_removed", status_code=303)


ROUTES = [schema_file, export_for_group, export_public, comparison, import_file, remove]
PUBLIC = frozenset({SCHEMA_PATH, "/offene-daten/{file}"})
