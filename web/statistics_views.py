"""What the statistics pages show: filters read from the URL, figures of the engine turned into charts.

The page, its htmx fragment and every download are built from the same query string by the same code,
so a download holds exactly what the page shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from sqlmodel import Session

from reporting import statistics as st
from reporting.district_map import current_geojson, districts_in_order
from web.charts import ChartData, layout, svg
from web.i18n import babel_locale
from web.labels import CODE_LABELS
from web.messages import _

Translate = Callable[[str], str]

DIMENSION_LABELS = {
    "incident_type": _("Type of incident"),
    "motive": _("Motive"),
    "life_area": _("Area of life"),
    "district": _("District"),
    "place_type": _("Place"),
    "perpetrator_type": _("Perpetrator"),
    "reporter_role": _("Who reported"),
    "channel": _("How it was reported"),
    "police_report": _("Reported to the police"),
    "online": _("Online"),
}
ONLINE_LABELS = {"yes": _("Online"), "no": _("Not online")}
NOT_STATED_LABEL = _("Not stated")
GRANULARITY_LABELS = {"month": _("Months"), "quarter": _("Quarters"), "year": _("Years")}
# One whole heading per unit: languages inflect the unit differently (German capitalises nouns).
SERIES_HEADINGS = {"month": _("Reports per month"), "quarter": _("Reports per quarter"),
                   "year": _("Reports per year")}
# The filters the form offers; any dimension may be given in the URL.
FORM_FILTERS = ("district", "incident_type", "motive", "life_area")
CHARTS = ("series", "breakdown", "map")
NOT_PREVALENCE = _("The figures are reports received by the counselling centres, not the prevalence of "
                   "discrimination: many incidents are never reported.")
MULTIPLE_NOTE = _("Multiple answers: one report can count under several categories, so the numbers add up to "
                  "more than the %(n)s reports counted.")
SUPPRESSED_NOTE = _("Numbers below %(k)s are not shown (“%(label)s”), and some others are hidden with them, "
                    "so that no one who reported can be recognised.")


class QueryError(Exception):
    """The URL asks for something the page does not offer; `errors` maps fields to messages (untranslated)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True)
class DashboardQuery:
    """The state of the dashboard, as it is kept in the URL."""

    year: int
    rows: str = "incident_type"
    columns: str | None = None
    multiple: bool = False
    granularity: st.Granularity = st.Granularity.MONTH
    filters: tuple[tuple[str, str], ...] = ()

    def params(self, **changes: Any) -> dict[str, str]:
        query = replace(self, **{k: v for k, v in changes.items() if k != "chart"})
        values = {"year": str(query.year), "rows": query.rows, "columns": query.columns or "",
                  "granularity": str(query.granularity)}
        if query.multiple:
            values["multiple"] = "1"
        values.update(dict(query.filters))
        if "chart" in changes:
            values["chart"] = changes["chart"]
        return values

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def filter_value(self, dimension: str) -> str:
        return dict(self.filters).get(dimension, "")


@dataclass
class FormValues:
    """What the URL said, kept as sent, so a refused filter is shown with the value that was chosen."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def _first(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def parse_query(params: Mapping[str, Any], *, years: list[int], codes: Callable[[str], tuple[str, ...]]
                ) -> tuple[DashboardQuery | None, FormValues]:
    """Read the dashboard's state from query parameters; unknown parameters are ignored."""
    names = ("year", "rows", "columns", "multiple", "granularity", *st.DIMENSIONS)
    form = FormValues(values={name: _first(params, name) for name in names if _first(params, name)})
    errors: dict[str, str] = {}
    year: int | None = years[0] if years else None
    if form.value("year"):
        text = form.value("year")
        year = int(text) if text.isascii() and text.isdigit() else None
        if year not in years:
            errors["year"] = _("Please choose one of the offered years.")
    rows = form.value("rows", "incident_type")
    if rows not in st.DIMENSIONS:
        errors["rows"] = _("Please choose one of the offered breakdowns.")
    columns = form.value("columns") or None
    if columns is not None and (columns not in st.DIMENSIONS or columns == rows):
        errors["columns"] = _("Please choose a second breakdown different from the first, or none.")
    multiple = form.value("multiple") in {"1", "true", "on"}
    if form.value("multiple") not in {"", "0", "1", "true", "on"} or (multiple and rows not in st.MULTI_DIMENSIONS):
        errors["multiple"] = _("Multiple answers can only be counted for types of incident and motives.")
    granularity_text = form.value("granularity", "month")
    if granularity_text not in {g.value for g in st.Granularity}:
        errors["granularity"] = _("Please choose months, quarters or years.")
    filters = []
    for dimension in st.DIMENSIONS:
        code = form.value(dimension)
        if not code:
            continue
        if code not in codes(dimension):
            errors[dimension] = _("This value is not one of the offered choices.")
        else:
            filters.append((dimension, code))
    errors.update(_combination_errors(filters, rows, columns, multiple) if not errors else {})
    form.errors = errors
    if errors or year is None:
        return None, form
    return DashboardQuery(year=year, rows=rows, columns=columns, multiple=multiple,
                          granularity=st.Granularity(granularity_text), filters=tuple(filters)), form


def _combination_errors(filters: list[tuple[str, str]], rows: str, columns: str | None, multiple: bool
                        ) -> dict[str, str]:
    """The engine offers one filter with one breakdown (more would let hidden small numbers be worked out
    by subtraction); say so at the field instead of answering "not offered"."""
    errors: dict[str, str] = {}
    for dimension, _code in filters[1:]:
        errors[dimension] = _("Only one filter can be used at a time. Please set the others to “all”.")
    for dimension, _code in filters:
        if dimension in (rows, columns):
            errors[dimension] = _("The figures are broken down by this already. Please choose another "
                                  "breakdown or remove this filter.")
    if filters and columns:
        errors.setdefault("columns", _("With a filter the figures can be broken down one way only. Please choose "
                                       "“nothing else” here or remove the filter."))
    if filters and multiple:
        errors.setdefault("multiple", _("Multiple answers are counted without filters only."))
    # Two dimensions at once always include the district: then what the dashboard offers can be proven
    # not to give away a hidden number (reporting.snapshot.ANCHOR).
    if columns and st.ANCHOR not in (rows, columns):
        errors.setdefault("columns", _("A second breakdown is offered with the district only. Please choose "
                                       "“District” here or as the first breakdown."))
    if filters and not columns and st.ANCHOR not in (rows, filters[0][0]):
        errors.setdefault(filters[0][0], _("With this filter the figures can be broken down by district only. "
                                           "Please choose “District” under “Break down by”, or filter by a "
                                           "district instead."))
    return errors


# --- labels -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Labels:
    """Translated names of dimensions and codes for one request."""

    translate: Translate
    lang: str
    district_names: Mapping[str, str]

    def dimension(self, dimension: str | None) -> str:
        return self.translate(DIMENSION_LABELS.get(dimension or "", _("Reports")))

    def code(self, dimension: str | None, code: str) -> str:
        if code == "":
            return self.translate(NOT_STATED_LABEL)
        if dimension == "district":
            return self.district_names.get(code, code)
        if dimension == "online":
            return self.translate(ONLINE_LABELS.get(code, code))
        return self.translate(CODE_LABELS.get(dimension or "", {}).get(code, code))

    def period(self, key: str, *, with_year: bool) -> str:
        period = st.Period.parse(key)
        if period.granularity is st.Granularity.MONTH:
            return format_date(period.start, "MMM y" if with_year else "MMM", locale=babel_locale(self.lang))
        if period.granularity is st.Granularity.QUARTER:
            return (self.translate(_("Q%(n)s")) % {"n": period.number}) + (f" {period.year}" if with_year else "")
        return str(period.year)

    def options(self, session: Session, dimension: str) -> list[tuple[str, str]]:
        return [(code, self.code(dimension, code)) for code in st.dimension_codes(session, dimension)]


def labels_for(session: Session, translate: Translate, lang: str) -> Labels:
    return Labels(translate, lang, {d.code: d.name for d in districts_in_order(session)})


# --- charts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChartView:
    """One chart on a page: its data (also the table and CSV), the rendered SVG and its notes."""

    chart_id: str
    heading: str
    data: ChartData
    figure: st.Figure
    notes: tuple[str, ...]
    row_header: str
    totals: tuple[str, ...] = ()   # the table's footer: the figure's total of each series
    total_label: str = ""

    @property
    def svg(self) -> Any:
        return svg(layout(self.data), element_id=f"chart-{self.chart_id}")


def _cell_value(cell: st.Cell | None) -> int | None:
    if cell is None:
        return 0
    return cell.count


def _notes(figure: st.Figure, labels: Labels, suppressed: str) -> tuple[str, ...]:
    t = labels.translate
    versions = ", ".join(figure.taxonomy_versions) or "–"
    notes = [t(_("Taxonomy version of the counted reports: %(versions)s")) % {"versions": versions},
             t(NOT_PREVALENCE)]
    if figure.multiple:
        total = figure.total.count
        notes.append(t(MULTIPLE_NOTE) % {"n": total if total is not None else suppressed})
    notes.append(t(SUPPRESSED_NOTE) % {"k": figure.k, "label": suppressed})
    return tuple(notes)


def suppressed_label(k: int, translate: Translate) -> str:
    return translate(_("< %(k)s")) % {"k": k}


def _scope(figure: st.Figure, labels: Labels, period_label: str) -> str:
    """"2025, District: Hafen" — the period and the filters a figure was made with."""
    parts = [period_label]
    parts.extend(f"{labels.dimension(d)}: {labels.code(d, c)}" for d, c in figure.filters)
    return ", ".join(parts)


def figure_chart(figure: st.Figure, labels: Labels, *, chart_id: str, kind: str, heading: str,
                 period_label: str, shapes: dict[str, list[list[tuple[float, float]]]] | None = None) -> ChartView:
    """A chart, its table and its notes from one figure of the engine."""
    t = labels.translate
    suppressed = suppressed_label(figure.k, t)
    if kind == "columns":
        with_year = len({key[:4] for key in figure.row_codes}) > 1
        categories = tuple((code, labels.period(code, with_year=with_year)) for code in figure.row_codes)
    else:
        categories = tuple((code, labels.code(figure.rows, code)) for code in figure.row_codes)
    if figure.columns:
        series = tuple((code, labels.code(figure.columns, code)) for code in figure.column_codes)
    else:
        series = (("", t(_("Reports"))),)
    values = {(row, col): _cell_value(figure.cells.get((row, col))) for row in figure.row_codes
              for col, _label in series}
    if shapes is not None:
        # The map draws the districts of the file; a district without figures counts 0.
        categories = tuple((code, labels.code("district", code)) for code in shapes)
        values = {(code, ""): _cell_value(figure.cells.get((code, ""))) for code in shapes}
    scope = _scope(figure, labels, period_label)
    description = t(_("%(what)s, %(scope)s. The same numbers are in the table below the chart.")) % {
        "what": heading, "scope": scope}
    notes = _notes(figure, labels, suppressed)
    data = ChartData(kind=kind, title=f"{heading} ({scope})", description=description, categories=categories,
                     series=series, values=values, suppressed_label=suppressed, notes=notes, shapes=shapes or {})
    if figure.columns:
        totals = tuple(_shown(figure.column_totals.get(code), suppressed) for code, _l in series)
    else:
        totals = (_shown(figure.total, suppressed),)
    return ChartView(chart_id=chart_id, heading=heading, data=data, figure=figure,
                     notes=notes,
                     row_header=t(_("Period")) if kind == "columns" else labels.dimension(figure.rows),
                     totals=totals, total_label=t(_("Total")))


def _shown(cell: st.Cell | None, suppressed: str) -> str:
    if cell is None:
        return "0"
    return suppressed if cell.count is None else str(cell.count)


def map_shapes(geojson: dict[str, Any] | None) -> dict[str, list[list[tuple[float, float]]]]:
    """The outer rings of each district's polygons (holes are drawn by even-odd filling), keyed by code."""
    if not geojson:
        return {}
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in geojson.get("features", []):
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [[(float(p[0]), float(p[1])) for p in ring] for polygon in polygons for ring in polygon]
        shapes.setdefault(str(feature["properties"]["code"]), []).extend(rings)
    return shapes


# --- the pages ---------------------------------------------------------------------------------

@dataclass
class DashboardPage:
    query: DashboardQuery | None
    form: FormValues
    years: list[int]
    charts: list[ChartView] = field(default_factory=list)
    problem: str | None = None  # a view the engine does not offer (shown instead of the charts)


def staff_years(session: Session, disclosure: st.Disclosure, *, today: date) -> list[int]:
    return [p.year for p in st.available_periods(session, disclosure, st.Granularity.YEAR, today=today)]


def dashboard_charts(session: Session, disclosure: st.Disclosure, query: DashboardQuery, labels: Labels, *,
                     today: date, only: str | None = None) -> list[ChartView]:
    """The charts of the dashboard (or just one of them, for a download); ValueError from the engine."""
    t = labels.translate
    period = st.Period(st.Granularity.YEAR, query.year, 1)
    charts = []
    if only in (None, "series"):
        figure = st.series(session, disclosure, st.Audience.STAFF, query.granularity, [query.year],
                           filters=query.filters, today=today)
        heading = t(SERIES_HEADINGS[query.granularity])
        charts.append(figure_chart(figure, labels, chart_id="series", kind="columns", heading=heading,
                                   period_label=str(query.year)))
    if only in (None, "breakdown"):
        figure = st.breakdown(session, disclosure, st.Audience.STAFF, period, query.rows, query.columns,
                              query.filters, multiple=query.multiple, today=today)
        heading = t(_("Reports by %(dimension)s")) % {"dimension": labels.dimension(query.rows)}
        if query.columns:
            heading = t(_("Reports by %(dimension)s and %(second)s")) % {
                "dimension": labels.dimension(query.rows), "second": labels.dimension(query.columns)}
        charts.append(figure_chart(figure, labels, chart_id="breakdown", kind="bars", heading=heading,
                                   period_label=str(query.year)))
    if only == "map":
        charts.append(map_chart(session, disclosure, st.Audience.STAFF, query.year, labels,
                                filters=tuple(f for f in query.filters if f[0] != "district"), today=today))
    return charts


def map_chart(session: Session, disclosure: st.Disclosure, audience: st.Audience, year: int, labels: Labels, *,
              filters: tuple[tuple[str, str], ...] = (), today: date) -> ChartView:
    t = labels.translate
    period = st.Period(st.Granularity.YEAR, year, 1)
    figure = st.breakdown(session, disclosure, audience, period, "district", None, filters, today=today)
    shapes = map_shapes(current_geojson(session))
    if not shapes:
        raise LookupError("no district map")
    return figure_chart(figure, labels, chart_id="map", kind="map", heading=t(_("Reports by district")),
                        period_label=str(year), shapes=shapes)


# --- downloads --------------------------------------------------------------------------------

def _safe_cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; names come from administrators."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def chart_csv(chart: ChartView) -> str:
    """The chart's table as CSV: the same rows and numbers, then the totals and the notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    data = chart.data
    writer.writerow([_safe_cell(chart.row_header), *(_safe_cell(label) for _c, label in data.series)])
    for code, label in data.categories:
        writer.writerow([_safe_cell(label), *(data.shown(code, s) for s, _l in data.series)])
    if chart.chart_id != "map":
        writer.writerow([chart.total_label, *chart.totals])
    writer.writerow([])
    writer.writerow([_safe_cell(data.title)])
    for note in chart.notes:
        writer.writerow([_safe_cell(note)])
    return buffer.getvalue()
