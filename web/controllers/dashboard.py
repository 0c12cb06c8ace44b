"""Statistics for the strategy group (/statistik, with map and downloads) and, if enabled, the public (/zahlen)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlmodel import Session

from core.clock import utcnow
from reporting import statistics as st
from web.charts import layout, png, svg
from web.deps import Config, Db
from web.i18n import gettext_for, language_of
from web.messages import _
from web.settings import Settings
from web.statistics_views import (
    CHARTS,
    ChartView,
    DashboardPage,
    FormValues,
    Labels,
    chart_csv,
    dashboard_charts,
    figure_chart,
    labels_for,
    map_chart,
    parse_query,
    staff_years,
)
from web.templating import page

VIEW = {"permission": "statistics.view"}
NOT_OFFERED = _("This combination is not offered, because it could make single reports recognisable. "
                "Please choose fewer filters or another breakdown.")
NO_MAP = _("No district map has been loaded yet. An administrator can load the deployment's map.")


def _labels(request: Request[Any, Any, Any], db: Session) -> Labels:
    return labels_for(db, lambda message: gettext_for(request, message), language_of(request))


def _read(request: Request[Any, Any, Any], db: Session, settings: Settings
          ) -> tuple[DashboardPage, st.Disclosure, Labels]:
    disclosure = st.disclosure_from(settings)
    years = staff_years(db, disclosure, today=utcnow().date())
    labels = _labels(request, db)
    query, form = parse_query(request.query_params.dict(), years=years,
                              codes=lambda dimension: st.dimension_codes(db, dimension))
    return DashboardPage(query=query, form=form, years=years), disclosure, labels


def _status(view: DashboardPage) -> int:
    if view.form.errors:
        return 422
    return 400 if view.problem else 200


def _is_fragment(request: Request[Any, Any, Any]) -> bool:
    """An htmx filter update gets the results region only; a history restore needs the whole page."""
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")


def _options(db: Session, labels: Labels) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter; "not stated" is a row of the tables, not something to filter by."""
    return {dimension: [(code, label) for code, label in labels.options(db, dimension) if code]
            for dimension in st.DIMENSIONS}


def _render(request: Request[Any, Any, Any], db: Session, view: DashboardPage, labels: Labels, *,
            template: str, action: str) -> Template:
    context = {"view": view, "action": action, "dimensions": st.DIMENSIONS, "multi": st.MULTI_DIMENSIONS,
               "dimension_label": labels.dimension, "notice": None}
    if _is_fragment(request):
        return page(request, "statistics/_results.html", status=_status(view), **context)
    return page(request, template, status=_status(view), options=_options(db, labels),
                form_values=view.form, **context)


@get("/statistik", include_in_schema=False, sync_to_thread=True, opt=VIEW)
def dashboard(request: Request[Any, Any, Any], db: Db, settings: Config) -> Template:
    """Time series and breakdowns of all centres' triaged reports, filtered by what the URL says."""
    view, disclosure, labels = _read(request, db, settings)
    if view.query is not None:
        try:
            view.charts = dashboard_charts(db, disclosure, view.query, labels, today=utcnow().date())
            db.commit()  # the engine stores the suppression it decided for the year, so it is decided once
        except ValueError:
            view.problem = NOT_OFFERED
    return _render(request, db, view, labels, template="statistics/dashboard.html", action="/statistik")


@get("/statistik/karte", include_in_schema=False, sync_to_thread=True, opt=VIEW)
def district_map(request: Request[Any, Any, Any], db: Db, settings: Config) -> Template:
    """The reports of a year per district as a choropleth map with its table."""
    view, disclosure, labels = _read(request, db, settings)
    if view.query is not None:
        try:
            view.charts = dashboard_charts(db, disclosure, view.query, labels, today=utcnow().date(), only="map")
            db.commit()
        except ValueError:
            view.problem = NOT_OFFERED
        except LookupError:
            view.problem = NO_MAP
    return _render(request, db, view, labels, template="statistics/map.html", action="/statistik/karte")


def _one_chart(request: Request[Any, Any, Any], db: Session, settings: Settings) -> ChartView | Response[str]:
    """The chart a download asks for (`chart=`), with the page's filters; an error text otherwise."""
    view, disclosure, labels = _read(request, db, settings)
    chart_id = request.query_params.get("chart", "")
    if view.form.errors or view.query is None or chart_id not in CHARTS:
        messages = [gettext_for(request, m) for m in view.form.errors.values()] or [
            gettext_for(request, _("Please choose one of the offered charts and years."))]
        return Response("\n".join(messages) + "\n", status_code=422 if view.form.errors else 400,
                        media_type="text/plain; charset=utf-8")
    try:
        chart = dashboard_charts(db, disclosure, view.query, labels, today=utcnow().date(), only=chart_id)[0]
        db.commit()
        return chart
    except ValueError:
        return Response(gettext_for(request, NOT_OFFERED) + "\n", status_code=400,
                        media_type="text/plain; charset=utf-8")
    except LookupError:
        return Response(gettext_for(request, NO_MAP) + "\n", status_code=404, media_type="text/plain; charset=utf-8")


def _download(chart: ChartView, body: bytes | str, media_type: str, extension: str) -> Response[Any]:
    name = f"vorort-statistik-{chart.chart_id}-{chart.figure.period.year}.{extension}"
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'})


@get("/statistik/daten.csv", include_in_schema=False, sync_to_thread=True, opt=VIEW)
def download_csv(request: Request[Any, Any, Any], db: Db, settings: Config) -> Response[Any]:
    """The table of one chart as CSV, with exactly the page's filters."""
    chart = _one_chart(request, db, settings)
    if isinstance(chart, Response):
        return chart
    return _download(chart, "\ufeff" + chart_csv(chart), "text/csv; charset=utf-8", "csv")


@get("/statistik/diagramm.svg", include_in_schema=False, sync_to_thread=True, opt=VIEW)
def download_svg(request: Request[Any, Any, Any], db: Db, settings: Config) -> Response[Any]:
    chart = _one_chart(request, db, settings)
    if isinstance(chart, Response):
        return chart
    body = str(svg(layout(chart.data, annotated=True), element_id=f"chart-{chart.chart_id}", standalone=True))
    return _download(chart, body, "image/svg+xml; charset=utf-8", "svg")


@get("/statistik/diagramm.png", include_in_schema=False, sync_to_thread=True, opt=VIEW)
def download_png(request: Request[Any, Any, Any], db: Db, settings: Config) -> Response[Any]:
    chart = _one_chart(request, db, settings)
    if isinstance(chart, Response):
        return chart
    return _download(chart, png(layout(chart.data, annotated=True)), "image/png", "png")


PUBLIC_BREAKDOWNS = ("incident_type", "motive")


@get("/zahlen", include_in_schema=False, sync_to_thread=True)
def public_figures(request: Request[Any, Any, Any], db: Db, settings: Config) -> Template:
    """The published figures for everyone: a fixed set of views of the last published year, stricter k."""
    if not settings.public_statistics:
        raise NotFoundException()
    disclosure = st.disclosure_from(settings)
    today = utcnow().date()
    years = staff_years(db, disclosure, today=today)
    labels = _labels(request, db)
    charts: list[ChartView] = []
    problem = None
    if years:
        year = years[0]
        period = st.Period(st.Granularity.YEAR, year, 1)
        t = labels.translate
        try:
            figure = st.series(db, disclosure, st.Audience.PUBLIC, st.Granularity.YEAR, sorted(years), today=today)
            charts.append(figure_chart(figure, labels, chart_id="years", kind="columns",
                                       heading=t(_("Reports per year")),
                                       period_label=f"{min(years)}–{max(years)}" if len(years) > 1 else str(year)))
            for dimension in PUBLIC_BREAKDOWNS:
                figure = st.breakdown(db, disclosure, st.Audience.PUBLIC, period, dimension, today=today)
                charts.append(figure_chart(figure, labels, chart_id=dimension, kind="bars",
                                           heading=t(_("Reports by %(dimension)s")) % {
                                               "dimension": labels.dimension(dimension)},
                                           period_label=str(year)))
            charts.append(map_chart(db, disclosure, st.Audience.PUBLIC, year, labels, today=today))
            db.commit()
        except ValueError:
            problem = NOT_OFFERED
        except LookupError:
            db.commit()  # no map loaded: the public page shows the other views
    view = DashboardPage(query=None, form=FormValues(), years=years, charts=charts, problem=problem)
    return page(request, "statistics/public.html", view=view, public_k=disclosure.public_k, notice=None)


ROUTES = [dashboard, district_map, download_csv, download_svg, download_png, public_figures]
