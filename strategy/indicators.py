"""Indicators of goals and measures: manual values per period, or bound to a dashboard figure.

A bound indicator never counts anything itself: every number comes from `reporting.statistics`, so the
dashboard's disclosure control (k, complementary suppression, publication delay) applies unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from core.actors import Actor
from core.audit import record
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting.statistics import (
    ANCHOR,
    DIMENSIONS,
    Audience,
    Disclosure,
    Granularity,
    Period,
    available_periods,
    breakdown,
    dimension_codes,
)
from strategy.models import MeasureRole
from strategy.permissions import MeasureAccess

# How many periods a trend shows: two years of quarters, or five years.
TREND_LENGTH = {Granularity.QUARTER: 8, Granularity.YEAR: 5}
GRANULARITIES = (Granularity.QUARTER, Granularity.YEAR)
MAX_FILTERS = 2


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class IndicatorKind(StrEnum):
    MANUAL = "manual"
    FIGURE = "figure"


class Indicator(SQLModel, table=True):
    """What a goal or measure is measured by; exactly one of goal_id and measure_id is set."""

    __tablename__ = "plan_indicator"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan_plan.id", index=True, ondelete="CASCADE")
    goal_id: int | None = Field(default=None, foreign_key="plan_goal.id", index=True, ondelete="CASCADE")
    measure_id: int | None = Field(default=None, foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    unit: str = Field(default="", max_length=40)
    baseline: float | None = None
    target: float | None = None
    direction: str = Field(max_length=8)
    kind: str = Field(max_length=8)
    granularity: str = Field(max_length=8)
    # A bound figure as validated "dimension=code" pairs joined by ";" (e.g. "life_area=housing;district=hafen").
    figure_filters: str = Field(default="", max_length=200)
    created_at: datetime
    created_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")

    @property
    def filters(self) -> tuple[tuple[str, str], ...]:
        return parse_filters(self.figure_filters)


class IndicatorValue(SQLModel, table=True):
    """One manually entered value of an indicator for one period (entering again replaces it)."""

    __tablename__ = "plan_indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="plan_indicator.id", index=True, ondelete="CASCADE")
    period_key: str = Field(max_length=10)
    value: float
    entered_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    entered_at: datetime


class Suppressed:
    """The engine withheld the figure (0 < n < k or complementary suppression): show it, never a number."""

    _instance: Suppressed | None = None

    def __new__(cls) -> Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()
TrendValue = float | Suppressed | None
Trend = list[tuple[Period, TrendValue]]


@dataclass(frozen=True)
class IndicatorInput:
    """What the create/edit form sends, as text; `validate_input` turns it into clean values."""

    title: str
    unit: str = ""
    baseline: str = ""
    target: str = ""
    direction: str = "up"
    kind: str = "manual"
    granularity: str = "quarter"
    filters: tuple[tuple[str, str], ...] = ()


def parse_filters(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in text.split(";"):
        if "=" in part:
            dimension, code = part.split("=", 1)
            pairs.append((dimension, code))
    return tuple(pairs)


def format_filters(filters: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{dimension}={code}" for dimension, code in filters)


def parse_number(text: str) -> float | None:
    """A finite decimal number with "," or "." as separator; None for anything else."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned or not cleaned.isascii():
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) < 1e12 else None


def _clean(session: Session, data: IndicatorInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = "required"
    elif len(title) > 200:
        errors["title"] = "too_long"
    if len(data.unit.strip()) > 40:
        errors["unit"] = "too_long"
    numbers: dict[str, float | None] = {}
    for name in ("baseline", "target"):
        text = getattr(data, name)
        numbers[name] = parse_number(text) if text.strip() else None
        if text.strip() and numbers[name] is None:
            errors[name] = "number_invalid"
    if data.direction not in set(Direction):
        errors["direction"] = "choose_option"
    if data.kind not in set(IndicatorKind):
        errors["kind"] = "choose_option"
    if data.granularity not in {g.value for g in GRANULARITIES}:
        errors["granularity"] = "choose_option"
    filters: tuple[tuple[str, str], ...] = ()
    if data.kind == IndicatorKind.FIGURE:
        chosen = [(d, c) for d, c in data.filters if d or c]
        dimensions = [d for d, _c in chosen]
        if len(chosen) > MAX_FILTERS or len(set(dimensions)) != len(dimensions):
            errors["filters"] = "figure_invalid"
        elif len(chosen) == MAX_FILTERS and ANCHOR not in dimensions:
            # Two conditions are a cell of a cross table, and those always include the district.
            errors["filters"] = "figure_two_conditions_district"
        elif len(chosen) == MAX_FILTERS and data.granularity != Granularity.YEAR:
            # The engine offers a table filtered on one code of another dimension per year only, so
            # that quarterly and monthly small numbers cannot be worked out from overlapping tables.
            errors["filters"] = "figure_two_conditions_yearly"
        for dimension, code in chosen:
            if dimension not in DIMENSIONS or code not in dimension_codes(session, dimension):
                errors["filters"] = "figure_invalid"
        filters = tuple(sorted(chosen))
    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "unit": data.unit.strip(), "baseline": numbers["baseline"],
            "target": numbers["target"], "direction": data.direction, "kind": data.kind,
            "granularity": data.granularity, "figure_filters": format_filters(filters)}


def create_indicator(session: Session, actor: Actor, *, plan_id: int, goal_id: int | None = None,
                     measure_id: int | None = None, data: IndicatorInput, now: datetime) -> Indicator:
    """Add an indicator to a goal or a measure of the plan."""
    POLICY.require(actor, "indicator.manage")
    if (goal_id is None) == (measure_id is None):
        raise ValueError("an indicator belongs to exactly one goal or measure")
    indicator = Indicator(plan_id=plan_id, goal_id=goal_id, measure_id=measure_id, created_at=now,
                          created_by_user_id=actor.user_id, **_clean(session, data))  # type: ignore[arg-type]
    session.add(indicator)
    session.flush()
    record(session, actor, "indicator.create", "indicator", indicator.id, now=now)
    return indicator


def update_indicator(session: Session, actor: Actor, indicator: Indicator, *, data: IndicatorInput,
                     now: datetime) -> Indicator:
    """Change title, unit, baseline, target, direction or the bound figure of an indicator."""
    POLICY.require(actor, "indicator.manage")
    values = _clean(session, data)
    if values["kind"] != indicator.kind or values["granularity"] != indicator.granularity:
        # Entered values belong to periods of one granularity; changing it would orphan them.
        has_values = session.exec(select(IndicatorValue.id).where(
            IndicatorValue.indicator_id == indicator.id)).first()
        if has_values is not None:
            raise ValidationFailed({"kind": "indicator_has_values"})
    for name, value in values.items():
        setattr(indicator, name, value)
    session.add(indicator)
    session.flush()
    record(session, actor, "indicator.update", "indicator", indicator.id, now=now)
    return indicator


def get_indicator(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("indicator")
    return indicator


def indicators_of(session: Session, *, goal_id: int | None = None, measure_id: int | None = None,
                  plan_id: int | None = None) -> list[Indicator]:
    query = select(Indicator).order_by(col(Indicator.id))
    if goal_id is not None:
        query = query.where(Indicator.goal_id == goal_id)
    if measure_id is not None:
        query = query.where(Indicator.measure_id == measure_id)
    if plan_id is not None:
        query = query.where(Indicator.plan_id == plan_id)
    return list(session.exec(query).all())


def value_access(session: Session, indicator: Indicator) -> MeasureAccess:
    """Who holds the indicator's measure (for a goal's indicator: nobody but the coordinators)."""
    if indicator.measure_id is None:
        return MeasureAccess(0, frozenset(), frozenset())
    roles = session.exec(select(MeasureRole).where(MeasureRole.measure_id == indicator.measure_id,
                                                   MeasureRole.state == "active")).all()
    return MeasureAccess(indicator.measure_id, frozenset(r.organisation_id for r in roles),
                         frozenset(r.organisation_id for r in roles if r.role in {"lead", "co_lead"}))


def may_enter_values(session: Session, actor: Actor, indicator: Indicator) -> bool:
    return indicator.kind == IndicatorKind.MANUAL and POLICY.can(
        actor, "indicator.enter_value", value_access(session, indicator))


def enter_value(session: Session, actor: Actor, indicator: Indicator, *, period_key: str, value_text: str,
                now: datetime) -> IndicatorValue:
    """Record (or correct) the value of a manual indicator for one period: the measure's active
    organisations and coordinators."""
    POLICY.require(actor, "indicator.enter_value", value_access(session, indicator))
    if indicator.kind != IndicatorKind.MANUAL:
        raise ValidationFailed({"value": "indicator_is_bound"})
    errors: dict[str, str] = {}
    try:
        period = Period.parse(period_key.strip())
    except ValueError:
        period = None
    if period is None or period.granularity != indicator.granularity:
        errors["period"] = "period_invalid"
    elif period.start > now.date():
        errors["period"] = "period_in_future"
    number = parse_number(value_text)
    if number is None:
        errors["value"] = "number_invalid"
    if errors:
        raise ValidationFailed(errors)
    assert period is not None and number is not None
    existing = session.exec(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.period_key == period.key)).first()
    row = existing or IndicatorValue(indicator_id=indicator.id or 0, period_key=period.key, value=number,
                                     entered_at=now)
    row.value, row.entered_at, row.entered_by_user_id = number, now, actor.user_id
    session.add(row)
    session.flush()
    record(session, actor, "indicator.value", "indicator", indicator.id, now=now)
    return row


def manual_values(session: Session, indicator: Indicator) -> list[IndicatorValue]:
    return list(session.exec(select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)).all())


def _figure_value(session: Session, indicator: Indicator, disclosure: Disclosure, period: Period, *,
                  today: date) -> TrendValue:
    """The dashboard's figure for one period: the total, one filter's total, or one row of a filtered table.

    The engine offers at most one filter per table, so "housing in district X" is the district row of the
    table of housing incidents by district, exactly the cell the dashboard shows."""
    filters = indicator.filters
    if len(filters) <= 1:
        cell = breakdown(session, disclosure, Audience.STAFF, period, None, None, filters, today=today).total
    else:
        (filter_dim, filter_code), (row_dim, row_code) = filters[0], filters[1]
        figure = breakdown(session, disclosure, Audience.STAFF, period, row_dim, None, [(filter_dim, filter_code)],
                           today=today)
        found = figure.row_totals.get(row_code) or figure.cells.get((row_code, ""))
        if found is None:
            return 0.0
        cell = found
    return SUPPRESSED if cell.suppressed else float(cell.count or 0)


def _figure_trend(session: Session, indicator: Indicator, disclosure: Disclosure, *, today: date) -> Trend:
    granularity = Granularity(indicator.granularity)
    periods = sorted(available_periods(session, disclosure, granularity, today=today))[-TREND_LENGTH[granularity]:]
    points: Trend = []
    for period in periods:
        try:
            points.append((period, _figure_value(session, indicator, disclosure, period, today=today)))
        except ValueError:
            # The engine does not offer this view (e.g. a code was retired): show nothing rather than guess.
            continue
    return points


def indicator_trend(session: Session, indicator: Indicator, disclosure: Disclosure, *, today: date) -> Trend:
    """The indicator's values by period, oldest first: a number, SUPPRESSED, or None (no value entered)."""
    if indicator.kind == IndicatorKind.FIGURE:
        return _figure_trend(session, indicator, disclosure, today=today)
    by_key = {row.period_key: row.value for row in manual_values(session, indicator)}
    periods = sorted(Period.parse(key) for key in by_key)
    if not periods:
        return []
    # Gaps between entered periods show as "no value", so a missing quarter is visible, not hidden.
    points: Trend = []
    period = periods[0]
    while period <= periods[-1]:
        points.append((period, by_key.get(period.key)))
        period = _next(period)
    return points[-TREND_LENGTH[Granularity(indicator.granularity)]:]


def _next(period: Period) -> Period:
    if period.granularity == Granularity.YEAR:
        return Period(Granularity.YEAR, period.year + 1, 1)
    if period.granularity == Granularity.QUARTER:
        return Period(Granularity.QUARTER, period.year + period.number // 4, period.number % 4 + 1)
    return Period(Granularity.MONTH, period.year + period.number // 12, period.number % 12 + 1)


def published_on(period: Period, disclosure: Disclosure) -> date:
    """The first day a bound figure of `period` can be shown (the engine's publication delay)."""
    return period.end + timedelta(days=disclosure.delay_days + 1)


@dataclass(frozen=True)
class IndicatorChange:
    """A value that moved since a date: the newest point and the one before it."""

    indicator: Indicator
    period: Period
    value: TrendValue
    previous_period: Period | None
    previous: TrendValue


def changes_since(session: Session, indicators: list[Indicator], disclosure: Disclosure, *, since: date,
                  today: date) -> list[IndicatorChange]:
    """Indicators with a value entered (manual) or published (figure) on or after `since`."""
    changes = []
    for indicator in indicators:
        trend = indicator_trend(session, indicator, disclosure, today=today)
        known = [(p, v) for p, v in trend if v is not None]
        if not known:
            continue
        if indicator.kind == IndicatorKind.MANUAL:
            entered = {row.period_key: row.entered_at.date() for row in manual_values(session, indicator)}
            fresh = [(p, v) for p, v in known if entered.get(p.key, date.min) >= since]
        else:
            fresh = [(p, v) for p, v in known if published_on(p, disclosure) >= since]
        if not fresh:
            continue
        period, value = fresh[-1]
        before = [(p, v) for p, v in known if p < period]
        previous_period, previous = before[-1] if before else (None, None)
        changes.append(IndicatorChange(indicator, period, value, previous_period, previous))
    return changes
