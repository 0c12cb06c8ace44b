"""Progress and health, rolled up with weights from measures to goals, action fields and the plan.

Rules (documented in docs/decisions.md):
- A measure's progress is 100 once completed or evaluated; otherwise the weighted share of its done
  milestones (mode "milestones", 0 without milestones) or the percentage set by hand (mode "manual").
- Goal progress is the mean of its measures weighted by measure weight; field progress the mean of its
  goals weighted by goal weight; plan progress the mean of its fields weighted by field weight. Cancelled
  measures count nowhere; a goal or field without counting measures has no progress (None) and is skipped.
- Health counts only measures being delivered (planned, in progress, on hold). The rolled-up health is
  the weighted mean of scores on_track=2, at_risk=1, off_track=0: ≥ 1.5 on track, ≥ 0.75 at risk,
  else off track.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from strategy.models import ActionField, Goal, Measure, Milestone
from strategy.workflow import DONE, RUNNING

HEALTH_SCORE = {"on_track": 2.0, "at_risk": 1.0, "off_track": 0.0}


def weighted_mean(items: Iterable[tuple[float | None, int]]) -> float | None:
    """Mean of the values that exist, weighted; None when nothing counts."""
    total = weight_sum = 0.0
    for value, weight in items:
        if value is None or weight <= 0:
            continue
        total += value * weight
        weight_sum += weight
    return total / weight_sum if weight_sum else None


def milestone_progress(milestones: Sequence[tuple[int, bool]]) -> float:
    """Weighted share (0–100) of done milestones, given (weight, done) pairs."""
    return weighted_mean((100.0 if done else 0.0, weight) for weight, done in milestones) or 0.0


def measure_progress(status: str, mode: str, manual: int, milestones: Sequence[tuple[int, bool]]) -> float | None:
    if status == "cancelled":
        return None
    if status in DONE:
        return 100.0
    if mode == "manual":
        return float(max(0, min(100, manual)))
    return milestone_progress(milestones)


def rolled_health(weighted_healths: Iterable[tuple[str, int]]) -> str | None:
    score = weighted_mean((HEALTH_SCORE.get(h), w) for h, w in weighted_healths)
    if score is None:
        return None
    if score >= 1.5:
        return "on_track"
    if score >= 0.75:
        return "at_risk"
    return "off_track"


@dataclass(frozen=True)
class MeasureProgress:
    measure_id: int
    title: str
    status: str
    health: str
    progress: float | None
    weight: int
    visibility: str


@dataclass(frozen=True)
class GoalProgress:
    goal_id: int
    title: str
    weight: int
    progress: float | None
    health: str | None
    health_counts: dict[str, int]
    measures: list[MeasureProgress] = field(default_factory=list)


@dataclass(frozen=True)
class FieldProgress:
    field_id: int
    title: str
    weight: int
    progress: float | None
    health: str | None
    health_counts: dict[str, int]
    goals: list[GoalProgress] = field(default_factory=list)


@dataclass(frozen=True)
class PlanProgress:
    plan_id: int
    progress: float | None
    health: str | None
    health_counts: dict[str, int]
    status_counts: dict[str, int]
    fields: list[FieldProgress]


def _health_inputs(measures: Iterable[MeasureProgress]) -> list[tuple[str, int]]:
    return [(m.health, m.weight) for m in measures if m.status in RUNNING]


def _counts(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    counts = Counter(h for h, _w in pairs)
    return {h: counts.get(h, 0) for h in HEALTH_SCORE}


def roll_up_goal(goal_id: int, title: str, weight: int, measures: list[MeasureProgress]) -> GoalProgress:
    health_inputs = _health_inputs(measures)
    return GoalProgress(goal_id, title, weight, weighted_mean((m.progress, m.weight) for m in measures),
                        rolled_health(health_inputs), _counts(health_inputs), measures)


def roll_up_field(field_id: int, title: str, weight: int, goals: list[GoalProgress]) -> FieldProgress:
    measures = [m for g in goals for m in g.measures]
    # Health weights a measure by its own weight times its goal's, so a heavy goal counts more.
    health_inputs = [(m.health, m.weight * g.weight) for g in goals for m in g.measures if m.status in RUNNING]
    return FieldProgress(field_id, title, weight, weighted_mean((g.progress, g.weight) for g in goals),
                         rolled_health(health_inputs), _counts(_health_inputs(measures)), goals)


def roll_up_plan(plan_id: int, fields: list[FieldProgress]) -> PlanProgress:
    measures = [m for f in fields for g in f.goals for m in g.measures]
    health_inputs = [(m.health, m.weight * g.weight * f.weight) for f in fields for g in f.goals
                     for m in g.measures if m.status in RUNNING]
    return PlanProgress(plan_id, weighted_mean((f.progress, f.weight) for f in fields), rolled_health(health_inputs),
                        _counts(_health_inputs(measures)), dict(Counter(m.status for m in measures)), fields)


def milestones_by_measure(session: Session, measure_ids: list[int]) -> dict[int, list[tuple[int, bool]]]:
    if not measure_ids:
        return {}
    result: dict[int, list[tuple[int, bool]]] = {}
    query = select(Milestone.measure_id, Milestone.weight, col(Milestone.done_on)).where(
        col(Milestone.measure_id).in_(measure_ids))
    for measure_id, weight, done_on in session.exec(query).all():
        result.setdefault(measure_id, []).append((weight, done_on is not None))
    return result


def progress_of(measure: Measure, milestones: Sequence[tuple[int, bool]]) -> float | None:
    return measure_progress(measure.status, measure.progress_mode, measure.progress_manual, milestones)


def plan_progress(session: Session, plan_id: int, *, public_only: bool = False) -> PlanProgress:
    """Progress and health of a plan, per field and goal, from three queries. Aggregates only: callers
    check that the reader may see the plan (`plan.read`, or the public page for public_only=True)."""
    fields = session.exec(select(ActionField).where(ActionField.plan_id == plan_id)
                          .order_by(col(ActionField.position), col(ActionField.id))).all()
    goals = session.exec(select(Goal).where(col(Goal.action_field_id).in_([f.id for f in fields]))
                         .order_by(col(Goal.position), col(Goal.id))).all() if fields else []
    query = select(Measure).where(Measure.plan_id == plan_id)
    if public_only:
        # The public never sees proposals, so they count nowhere in its figures either.
        query = query.where(Measure.visibility == "public", Measure.status != "proposed")
    measures = session.exec(query.order_by(col(Measure.position), col(Measure.id))).all()
    milestones = milestones_by_measure(session, [m.id for m in measures if m.id is not None])
    by_goal: dict[int, list[MeasureProgress]] = {}
    for m in measures:
        by_goal.setdefault(m.goal_id, []).append(MeasureProgress(
            m.id or 0, m.title, m.status, m.health, progress_of(m, milestones.get(m.id or 0, [])), m.weight,
            m.visibility))
    goals_by_field: dict[int, list[GoalProgress]] = {}
    for g in goals:
        goals_by_field.setdefault(g.action_field_id, []).append(
            roll_up_goal(g.id or 0, g.title, g.weight, by_goal.get(g.id or 0, [])))
    return roll_up_plan(plan_id, [roll_up_field(f.id or 0, f.title, f.weight, goals_by_field.get(f.id or 0, []))
                                  for f in fields])
