"""Indicators of goals and measures: define them, enter values, and show the trend next to the measure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, select

from core.actors import Actor
from core.clock import utcnow
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting.models import District
from reporting.statistics import dimension_codes, disclosure_from
from strategy import indicators as ind
from strategy.measures import get_measure
from strategy.models import ActionField, Goal
from web.deps import Config, CurrentActor, Db, form_text
from web.i18n import gettext_for
from web.identity import identity_of
from web.labels import CODE_LABELS
from web.meeting_labels import FIGURE_DIMENSIONS
from web.templating import FormState, page
from web.trend_chart import format_number, indicator_view

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Every route names `plan.read` (outsiders get 404); the finer rule is checked next, before any input.
READ = {"permission": "plan.read"}
DEFINITION_FIELDS = ("title", "unit", "baseline", "target", "direction", "kind", "granularity", "filter_1",
                     "filter_2")


def _filter_options(request: Request[Any, Any, Any], db: Session) -> list[tuple[str, str, list[tuple[str, str]]]]:
    districts = {d.code: d.name for d in db.exec(select(District)).all()}
    options = []
    for dimension, label in FIGURE_DIMENSIONS.items():
        labels = CODE_LABELS.get(dimension, {})
        codes = [(code, districts.get(code, code) if dimension == "district"
                  else gettext_for(request, labels.get(code, code)))
                 for code in dimension_codes(db, dimension) if code]
        options.append((dimension, gettext_for(request, label), codes))
    return options


def _input(data: dict[str, Any]) -> tuple[ind.IndicatorInput, dict[str, str]]:
    values = {name: form_text(data, name) for name in DEFINITION_FIELDS}
    filters: list[tuple[str, str]] = []
    for name in ("filter_1", "filter_2"):
        if values[name]:
            # A value without "=" was not one we offered: keep it, so the check refuses it.
            dimension, _sep, code = values[name].partition("=")
            filters.append((dimension, code))
    return ind.IndicatorInput(title=values["title"], unit=values["unit"], baseline=values["baseline"],
                              target=values["target"], direction=values["direction"], kind=values["kind"],
                              granularity=values["granularity"],
                              filters=tuple(filters) if values["kind"] == "figure" else ()), values


def _definition_values(indicator: ind.Indicator) -> dict[str, str]:
    values = {"title": indicator.title, "unit": indicator.unit, "baseline": format_number(indicator.baseline),
              "target": format_number(indicator.target), "direction": indicator.direction, "kind": indicator.kind,
              "granularity": indicator.granularity, "filter_1": "", "filter_2": ""}
    for index, (dimension, code) in enumerate(indicator.filters[:2], start=1):
        values[f"filter_{index}"] = f"{dimension}={code}"
    return values


@dataclass(frozen=True)
class Subject:
    plan_id: int
    title: str
    back_url: str
    measure_id: int | None = None
    goal_id: int | None = None


def _measure_subject(db: Session, actor: Actor, measure_id: int) -> Subject:
    measure = get_measure(db, actor, measure_id)
    return Subject(measure.plan_id, measure.title, f"/plan/massnahmen/{measure_id}", measure_id=measure_id)


def _goal_subject(db: Session, actor: Actor, goal_id: int) -> Subject:
    POLICY.require(actor, "plan.read")
    goal = db.get(Goal, goal_id)
    field = db.get(ActionField, goal.action_field_id) if goal is not None else None
    if goal is None or field is None:
        raise NotFound("goal")
    return Subject(field.plan_id, goal.title, f"/plan/{field.plan_id}", goal_id=goal_id)


def _subject_of(db: Session, actor: Actor, indicator: ind.Indicator) -> Subject:
    if indicator.measure_id is not None:
        return _measure_subject(db, actor, indicator.measure_id)
    assert indicator.goal_id is not None
    return _goal_subject(db, actor, indicator.goal_id)


def _new_page(request: Request[Any, Any, Any], db: Session, subject: Subject, action: str, *, status: int = 200,
              iform: FormState | None = None) -> Template:
    POLICY.require(identity_of(request.state).actor, "indicator.manage")
    return page(request, "indicators/new.html", status=status, subject_title=subject.title,
                back_url=subject.back_url, action=action, filter_options=_filter_options(request, db),
                iform=iform or FormState(values={"direction": "up", "kind": "manual", "granularity": "quarter"}))


def _create(request: Request[Any, Any, Any], db: Session, actor: Actor, subject: Subject, action: str,
            data: dict[str, Any]) -> Template | Redirect:
    POLICY.require(actor, "indicator.manage")
    clean, values = _input(data)
    try:
        indicator = ind.create_indicator(db, actor, plan_id=subject.plan_id, goal_id=subject.goal_id,
                                         measure_id=subject.measure_id, data=clean, now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        return _new_page(request, db, subject, action, status=422, iform=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect(f"/plan/indikatoren/{indicator.id}?notice=indicator_created", status_code=303)


@get("/plan/massnahmen/{measure_id:int}/indikatoren/neu", include_in_schema=False, sync_to_thread=True, opt=READ)
def new_measure_indicator(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                          measure_id: FromPath[int]) -> Template:
    return _new_page(request, db, _measure_subject(db, actor, measure_id),
                     f"/plan/massnahmen/{measure_id}/indikatoren")


@post("/plan/massnahmen/{measure_id:int}/indikatoren", include_in_schema=False, sync_to_thread=True, opt=READ)
def create_measure_indicator(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                             measure_id: FromPath[int], data: Form) -> Template | Redirect:
    return _create(request, db, actor, _measure_subject(db, actor, measure_id),
                   f"/plan/massnahmen/{measure_id}/indikatoren", data)


@get("/plan/ziele/{goal_id:int}/indikatoren/neu", include_in_schema=False, sync_to_thread=True, opt=READ)
def new_goal_indicator(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                       goal_id: FromPath[int]) -> Template:
    return _new_page(request, db, _goal_subject(db, actor, goal_id), f"/plan/ziele/{goal_id}/indikatoren")


@post("/plan/ziele/{goal_id:int}/indikatoren", include_in_schema=False, sync_to_thread=True, opt=READ)
def create_goal_indicator(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, goal_id: FromPath[int],
                          data: Form) -> Template | Redirect:
    return _create(request, db, actor, _goal_subject(db, actor, goal_id), f"/plan/ziele/{goal_id}/indikatoren", data)


def _indicator_page(request: Request[Any, Any, Any], db: Session, actor: Actor, settings: Any,
                    indicator: ind.Indicator, *, status: int = 200, notice: str | None = None,
                    iform: FormState | None = None, value_form: FormState | None = None) -> Template:
    subject = _subject_of(db, actor, indicator)
    trend = ind.indicator_trend(db, indicator, disclosure_from(settings), today=utcnow().date())
    example = "2026-Q3" if indicator.granularity == "quarter" else "2026"
    return page(request, "indicators/indicator.html", status=status, notice=notice,
                ind=indicator_view(indicator, trend, settings.suppression_k), subject_title=subject.title,
                back_url=subject.back_url, may_enter=ind.may_enter_values(db, actor, indicator),
                period_help=gettext_for(request, "For example %(example)s.", example=example),
                action=f"/plan/indikatoren/{indicator.id}", filter_options=_filter_options(request, db),
                iform=iform or FormState(values=_definition_values(indicator)), value_form=value_form or FormState())


def _indicator(db: Session, actor: Actor, indicator_id: int) -> ind.Indicator:
    indicator = ind.get_indicator(db, indicator_id)
    _subject_of(db, actor, indicator)  # 404 to everyone outside the strategy group
    return indicator


@get("/plan/indikatoren/{indicator_id:int}", include_in_schema=False, sync_to_thread=True, opt=READ)
def indicator_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                   indicator_id: FromPath[int], notice: FromQuery[str | None] = None) -> Template:
    return _indicator_page(request, db, actor, settings, _indicator(db, actor, indicator_id), notice=notice)


@post("/plan/indikatoren/{indicator_id:int}", include_in_schema=False, sync_to_thread=True, opt=READ)
def update_indicator(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                     indicator_id: FromPath[int], data: Form) -> Template | Redirect:
    indicator = _indicator(db, actor, indicator_id)
    POLICY.require(actor, "indicator.manage")
    clean, values = _input(data)
    try:
        ind.update_indicator(db, actor, indicator, data=clean, now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        db.refresh(indicator)
        return _indicator_page(request, db, actor, settings, indicator, status=422,
                               iform=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect(f"/plan/indikatoren/{indicator_id}?notice=indicator_saved", status_code=303)


@post("/plan/indikatoren/{indicator_id:int}/werte", include_in_schema=False, sync_to_thread=True,
      opt=READ)
def enter_value(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                indicator_id: FromPath[int], data: Form) -> Template | Redirect:
    indicator = _indicator(db, actor, indicator_id)
    POLICY.require(actor, "indicator.enter_value", ind.value_access(db, indicator))
    values = {name: form_text(data, name) for name in ("period", "value")}
    try:
        ind.enter_value(db, actor, indicator, period_key=values["period"], value_text=values["value"], now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        return _indicator_page(request, db, actor, settings, indicator, status=422,
                               value_form=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect(f"/plan/indikatoren/{indicator_id}?notice=value_saved", status_code=303)


ROUTES = [new_measure_indicator, create_measure_indicator, new_goal_indicator, create_goal_indicator,
          indicator_page, update_indicator, enter_value]
