"""Read views of a plan: the overview by field, the board by status, the timeline, one organisation's
measures, and the public progress page (public measures of adopted plans only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from core.actors import Actor
from core.permissions import POLICY
from strategy.measures import MeasureSummary
from strategy.models import MEASURE_STATUSES, ActionField, Goal, Measure, Plan
from strategy.ownership import lead_names, organisation_measure_ids
from strategy.plans import fields_and_goals, get_plan
from strategy.progress import PlanProgress, milestones_by_measure, plan_progress, progress_of


def _summaries(session: Session, measures: list[Measure], organisation_id: int | None) -> list[MeasureSummary]:
    ids = [m.id for m in measures if m.id is not None]
    milestones = milestones_by_measure(session, ids)
    leads = lead_names(session, ids)
    mine = organisation_measure_ids(session, organisation_id)
    return [MeasureSummary(m.id or 0, m.title, m.status, m.health, progress_of(m, milestones.get(m.id or 0, [])),
                           m.goal_id, m.planned_start, m.planned_end, m.actual_start, m.actual_end, m.visibility,
                           leads.get(m.id or 0, []), mine.get(m.id or 0, set())) for m in measures]


def plan_measures(session: Session, actor: Actor, plan_id: int) -> list[MeasureSummary]:
    get_plan(session, actor, plan_id)
    measures = session.exec(select(Measure).where(Measure.plan_id == plan_id)
                            .order_by(col(Measure.goal_id), col(Measure.position), col(Measure.id))).all()
    return _summaries(session, list(measures), actor.organisation_id)


@dataclass(frozen=True)
class BoardColumn:
    status: str
    measures: list[MeasureSummary]


def board(session: Session, actor: Actor, plan_id: int) -> list[BoardColumn]:
    """One column per status, in workflow order."""
    measures = plan_measures(session, actor, plan_id)
    return [BoardColumn(status, [m for m in measures if m.status == status]) for status in MEASURE_STATUSES]


@dataclass(frozen=True)
class OverviewGoal:
    goal: Goal
    measures: list[MeasureSummary]


@dataclass(frozen=True)
class OverviewField:
    field: ActionField
    goals: list[OverviewGoal]


@dataclass(frozen=True)
class PlanOverview:
    plan: Plan
    progress: PlanProgress
    fields: list[OverviewField]


def plan_overview(session: Session, actor: Actor, plan_id: int) -> PlanOverview:
    plan = get_plan(session, actor, plan_id)
    measures = plan_measures(session, actor, plan_id)
    by_goal: dict[int, list[MeasureSummary]] = {}
    for m in measures:
        by_goal.setdefault(m.goal_id, []).append(m)
    fields = [OverviewField(f, [OverviewGoal(g, by_goal.get(g.id or 0, [])) for g in goals])
              for f, goals in fields_and_goals(session, plan_id)]
    return PlanOverview(plan, plan_progress(session, plan_id), fields)


@dataclass(frozen=True)
class MyMeasure:
    plan: Plan
    measure: MeasureSummary


def my_measures(session: Session, actor: Actor) -> list[MyMeasure]:
    """Measures the actor's organisation holds an accepted role on, across plans."""
    POLICY.require(actor, "plan.read")
    held = organisation_measure_ids(session, actor.organisation_id)
    if not held:
        return []
    rows = session.exec(select(Measure, Plan).join(Plan, col(Plan.id) == Measure.plan_id)
                        .where(col(Measure.id).in_(list(held)))
                        .order_by(col(Plan.period_start).desc(), col(Measure.planned_end), col(Measure.id))).all()
    summaries = _summaries(session, [m for m, _p in rows], actor.organisation_id)
    return [MyMeasure(plan, summary) for (_m, plan), summary in zip(rows, summaries, strict=True)]


@dataclass(frozen=True)
class PublicMeasure:
    """What the public may see of a measure: no budgets, comments, updates or internal notes."""

    title: str
    description: str
    status: str
    progress: float | None
    planned_start: object
    planned_end: object
    leads: list[str]


@dataclass(frozen=True)
class PublicField:
    title: str
    progress: float | None
    measures: list[PublicMeasure] = field(default_factory=list)


@dataclass(frozen=True)
class PublicPlan:
    title: str
    period_start: object
    period_end: object
    fields: list[PublicField]


def public_progress(session: Session, actor: Actor) -> list[PublicPlan]:
    """Adopted plans with their public measures; progress figures count public measures only."""
    POLICY.require(actor, "plan.public")
    plans = session.exec(select(Plan).where(Plan.state == "adopted").order_by(col(Plan.period_start).desc())).all()
    result = []
    for plan in plans:
        measures = session.exec(select(Measure).where(Measure.plan_id == plan.id, Measure.visibility == "public",
                                                      Measure.status != "proposed")
                                .order_by(col(Measure.position), col(Measure.id))).all()
        if not measures:
            continue
        summaries = {s.id: s for s in _summaries(session, list(measures), None)}
        descriptions = {m.id: m.description for m in measures}
        goal_field = dict(session.exec(select(Goal.id, Goal.action_field_id).join(
            ActionField, col(ActionField.id) == Goal.action_field_id).where(ActionField.plan_id == plan.id)).all())
        progress = plan_progress(session, plan.id or 0, public_only=True)
        fields = []
        for field_progress in progress.fields:
            public = [PublicMeasure(s.title, descriptions.get(s.id) or "", s.status, s.progress, s.planned_start,
                                    s.planned_end, s.leads)
                      for s in summaries.values() if goal_field.get(s.goal_id) == field_progress.field_id]
            if public:
                fields.append(PublicField(field_progress.title, field_progress.progress, public))
        result.append(PublicPlan(plan.title, plan.period_start, plan.period_end, fields))
    return result
