"""The annual situation report (Lagebild): one view of a published year, rendered as a page and as a PDF.

Always built for the public audience (public k): the report is made to be published, so the strategy group
sees exactly what the public will. It lives in the web layer because it joins reporting's figures with the
chronicle and the action plan, and reporting must not import strategy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime

from babel.dates import get_month_names
from markupsafe import Markup
from sqlmodel import Session, col, select

from core.actors import Actor
from core.errors import NotFound
from core.permissions import POLICY
from reporting import published_reports, statistics
from reporting.chronicle import count_published
from reporting.models import District
from reporting.statistics import Audience, Disclosure, Figure, Granularity, Period
from web.i18n import babel_locale, translations
from web.labels import CODE_LABELS
from web.messages import _

Gettext = Callable[[str], str]
# Bump when the layout of the PDF changes, so cached files are drawn again.
LAYOUT_VERSION = "1"
SECTIONS = (
    ("incident_type", _("Incidents by type")),
    ("motive", _("Incidents by motive")),
    ("life_area", _("Incidents by area of life")),
    ("district", _("Incidents by district")),
)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None  # None: suppressed
    share: float  # of the largest published count in the chart, 0..1, for the bar's length


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    label_heading: str
    bars: tuple[Bar, ...]
    multiple: bool
    any_suppressed: bool


@dataclass(frozen=True)
class PlanField:
    name: str
    measures: int
    done: int
    percent: int


@dataclass(frozen=True)
class SituationReport:
    """Everything a situation report shows, already translated; templates and the PDF only lay it out."""

    year: int
    lang: str
    title: str
    municipality: str
    ags: str
    k: int
    taxonomy_versions: tuple[str, ...]
    total: int | None
    previous_total: int | None
    persons: int | None
    months: Chart
    charts: tuple[Chart, ...]
    chronicle_count: int | None
    plan: tuple[PlanField, ...] | None
    notes: tuple[str, ...]
    summary: str

    @property
    def change(self) -> int | None:
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total

    def fingerprint(self) -> str:
        """A digest of every number and text, so a cached PDF is reused only for the very same report."""
        payload = json.dumps([LAYOUT_VERSION, asdict(self)], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def _label(dimension: str, code: str, districts: dict[str, str], gettext: Gettext) -> str:
    if code == "":
        return gettext("Not stated")
    if dimension == "district":
        return districts.get(code, code)
    label = CODE_LABELS.get(dimension, {}).get(code)
    return gettext(label) if label else code


def _chart(key: str, title: str, label_heading: str, labels: list[tuple[str, str]], figure: Figure) -> Chart:
    counts = [figure.cells[(code, "")].count if (code, "") in figure.cells else 0 for code, _l in labels]
    largest = max((c for c in counts if c), default=0)
    bars = tuple(Bar(label, count, (count / largest) if count and largest else 0.0)
                 for (_code, label), count in zip(labels, counts, strict=True))
    return Chart(key, title, label_heading, bars, figure.multiple, any(b.count is None for b in bars))


def _timeline(session: Session, disclosure: Disclosure, year: int, lang: str, gettext: Gettext,
              today: date) -> Chart:
    """Months of the year where the engine offers them to the public; otherwise the published years up to this
    one (the public is offered yearly series only, so that months cannot undo the year's suppression)."""
    try:
        monthly = statistics.series(session, disclosure, Audience.PUBLIC, Granularity.MONTH, years=[year],
                                    today=today)
    except ValueError:
        yearly = statistics.series(session, disclosure, Audience.PUBLIC, Granularity.YEAR,
                                   years=list(range(year - 9, year + 1)), today=today)
        return _chart("years", gettext("Reports per year"), gettext("Year"),
                      [(key, key) for key in yearly.row_codes], yearly)
    month_names = get_month_names("wide", locale=babel_locale(lang))
    return _chart("months", gettext("Incidents by month"), gettext("Month"),
                  [(key, str(month_names[Period.parse(key).number])) for key in monthly.row_codes], monthly)


def _previous_total(session: Session, disclosure: Disclosure, year: int, today: date) -> int | None:
    try:
        figure = statistics.breakdown(session, disclosure, Audience.PUBLIC, Period(Granularity.YEAR, year - 1, 1),
                                      None, today=today)
    except ValueError:
        return None
    return figure.total.count


def plan_fields(session: Session, year: int) -> tuple[PlanField, ...] | None:
    """Progress by field of the adopted action plan that ran in `year` (public measures only, as the public
    progress page counts them); None when no adopted plan covers the year."""
    from strategy.models import Plan
    from strategy.progress import plan_progress
    from strategy.workflow import DONE
    plan = session.exec(select(Plan).where(Plan.state == "adopted", col(Plan.period_start) <= date(year, 12, 31),
                                           col(Plan.period_end) >= date(year, 1, 1))
                        .order_by(col(Plan.period_start).desc())).first()
    if plan is None or plan.id is None:
        return None
    fields = []
    for field in plan_progress(session, plan.id, public_only=True).fields:
        measures = [m for goal in field.goals for m in goal.measures]
        fields.append(PlanField(field.title, len(measures), sum(1 for m in measures if m.status in DONE),
                                round(field.progress or 0)))
    return tuple(fields)


def build_report(session: Session, actor: Actor, disclosure: Disclosure, year: int, *, municipality: str, ags: str,
                 lang: str, today: date) -> SituationReport:
    """The report of a published year in a language; NotFound while the year is not published."""
    POLICY.require(actor, "situation_report.view")
    published = [p.year for p in statistics.available_periods(session, disclosure, Granularity.YEAR, today=today)]
    if year not in published:
        raise NotFound("year not published")
    gettext = translations(lang).gettext
    districts = {d.code: d.name for d in session.exec(select(District)).all()}
    period = Period(Granularity.YEAR, year, 1)
    total = statistics.breakdown(session, disclosure, Audience.PUBLIC, period, None, today=today)
    months = _timeline(session, disclosure, year, lang, gettext, today)
    charts = []
    versions = set(total.taxonomy_versions)
    for dimension, title in SECTIONS:
        try:
            figure = statistics.breakdown(session, disclosure, Audience.PUBLIC, period, dimension, today=today)
        except ValueError:
            continue  # a view the public is not offered is not part of the report
        versions.update(figure.taxonomy_versions)
        labels = [(code, _label(dimension, code, districts, gettext)) for code in figure.row_codes]
        charts.append(_chart(dimension, gettext(title), gettext(_dimension_heading(dimension)), labels, figure))
    previous = _previous_total(session, disclosure, year, today) if year - 1 in published else None
    report_title = gettext("Situation report %(year)s") % {"year": year}
    notes = (
        gettext("These are reports received by the counselling centres, not the prevalence of discrimination: "
                "many incidents are never reported."),
        gettext("Only reports a counselling centre checked and found plausible are counted; duplicates and "
                "spam are not."),
        gettext("To protect the people concerned, every number from 1 to %(k_minus_one)s is suppressed "
                "(shown as \u201c\u2013\u201d), and so are some other cells from which a suppressed number could "
                "be worked out. Totals therefore can be larger than the sum of the published cells.")
        % {"k_minus_one": disclosure.public_k - 1},
        gettext("Codes of the taxonomy version(s) %(versions)s.") % {"versions": ", ".join(sorted(versions)) or "–"},
    )
    return SituationReport(
        year=year, lang=lang, title=report_title, municipality=municipality, ags=ags, k=disclosure.public_k,
        taxonomy_versions=tuple(sorted(versions)), total=total.total.count, previous_total=previous,
        persons=total.total.persons, months=months, charts=tuple(charts),
        chronicle_count=count_published(session, year), plan=plan_fields(session, year), notes=notes,
        summary=_summary(gettext, year, total.total.count, previous))


def _dimension_heading(dimension: str) -> str:
    return {"incident_type": _("Type of incident"), "motive": _("Motive"), "life_area": _("Area of life"),
            "district": _("District")}[dimension]


def _summary(gettext: Gettext, year: int, total: int | None, previous: int | None) -> str:
    if total is None:
        return gettext("The number of reports in %(year)s is suppressed.") % {"year": year}
    text = gettext("In %(year)s the counselling centres received %(total)s reports.") % {"year": year, "total": total}
    if previous is not None:
        text += " " + gettext("In %(previous_year)s there were %(previous)s.") % {
            "previous_year": year - 1, "previous": previous}
    return text


def chart_svg(chart: Chart, lang: str) -> Markup:
    """The chart drawn by the dashboard's renderer, from the same numbers as its table and the PDF."""
    from web.charts import ChartData, layout, svg
    gettext = translations(lang).gettext
    data = ChartData(kind="columns" if chart.key in ("months", "years") else "bars", title=chart.title,
                     description=gettext("The numbers follow in the table below the chart."),
                     categories=tuple((str(i), bar.label) for i, bar in enumerate(chart.bars)),
                     series=(("", gettext("Reports")),),
                     values={(str(i), ""): bar.count for i, bar in enumerate(chart.bars)}, suppressed_label="–")
    return svg(layout(data), element_id=f"report-chart-{chart.key}")


def report_pdf(session: Session, report: SituationReport, *, now: datetime) -> bytes:
    """The report's PDF: the stored one when it was drawn from the same figures, else a new one (kept)."""
    from web.situation_report_pdf import render_pdf
    fingerprint = report.fingerprint()
    cached = published_reports.cached_pdf(session, report.year, report.lang, fingerprint)
    if cached is not None:
        return cached
    pdf = render_pdf(report)
    published_reports.store_pdf(session, report.year, report.lang, fingerprint, pdf, now=now)
    return pdf
