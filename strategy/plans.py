"""Action plans: created from a template, adopted by a decision, archived at the end of their period."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from core.actors import Actor
from core.audit import record
from core.errors import Conflict, NotFound, ValidationFailed
from core.permissions import POLICY
from strategy import permissions  # noqa: F401  (registers the plan rules)
from strategy.history import record_revision
from strategy.models import ActionField, Decision, Goal, Measure, Plan
from strategy.templates import TEMPLATES

MAX_PERIOD_YEARS = 10


def get_plan(session: Session, actor: Actor, plan_id: int) -> Plan:
    POLICY.require(actor, "plan.read")
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan")
    return plan


def list_plans(session: Session, actor: Actor) -> list[Plan]:
    """Every plan of the strategy group, current ones first."""
    POLICY.require(actor, "plan.read")
    plans = session.exec(select(Plan).order_by(col(Plan.period_start).desc(), col(Plan.id).desc())).all()
    return sorted(plans, key=lambda p: p.state == "archived")


def measure_counts(session: Session) -> dict[int, int]:
    rows = session.exec(select(Measure.plan_id, func.count()).group_by(col(Measure.plan_id))).all()
    return {plan_id: int(n) for plan_id, n in rows}


def create_plan(session: Session, actor: Actor, *, template: str, title: str, period_start: date | None,
                period_end: date | None, now: datetime) -> Plan:
    """Create a draft plan; a template brings its action fields, goals and suggested measures (proposed)."""
    POLICY.require(actor, "plan.manage")
    errors: dict[str, str] = {}
    chosen = TEMPLATES.get(template)
    if chosen is None:
        errors["template"] = "Choose a template."
    if period_start is None:
        errors["period_start"] = "Enter the first day of the plan's period."
    if period_end is None:
        errors["period_end"] = "Enter the last day of the plan's period."
    if period_start and period_end:
        if period_end <= period_start:
            errors["period_end"] = "The period must end after it starts."
        elif (period_end - period_start).days > 366 * MAX_PERIOD_YEARS:
            errors["period_end"] = "A plan runs for ten years at most."
    title = title.strip()
    if len(title) > 200:
        errors["title"] = "The title is too long."
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None and period_start is not None and period_end is not None
    plan = Plan(title=title or chosen.default_title, template=chosen.key, period_start=period_start,
                period_end=period_end, state="draft", created_at=now, created_by=actor.user_id)
    session.add(plan)
    session.flush()
    assert plan.id is not None
    for f_pos, field_template in enumerate(chosen.fields):
        action_field = ActionField(plan_id=plan.id, title=field_template.title,
                                   description=field_template.description, position=f_pos)
        session.add(action_field)
        session.flush()
        assert action_field.id is not None
        for g_pos, goal_template in enumerate(field_template.goals):
            goal = Goal(action_field_id=action_field.id, title=goal_template.title, position=g_pos)
            session.add(goal)
            session.flush()
            assert goal.id is not None
            for m_pos, measure_title in enumerate(goal_template.measures):
                measure = Measure(plan_id=plan.id, goal_id=goal.id, title=measure_title, position=m_pos,
                                  created_at=now, updated_at=now)
                session.add(measure)
                session.flush()
                record_revision(session, actor, measure, action="created", now=now)
    record(session, actor, "plan.create", "plan", plan.id, now=now)
    return plan


def update_plan(session: Session, actor: Actor, plan_id: int, *, title: str, period_start: date | None,
                period_end: date | None, now: datetime) -> Plan:
    POLICY.require(actor, "plan.manage")
    plan = get_plan(session, actor, plan_id)
    errors: dict[str, str] = {}
    if not title.strip() or len(title.strip()) > 200:
        errors["title"] = "Give the plan a title (at most 200 characters)."
    if period_start is None:
        errors["period_start"] = "Enter the first day of the plan's period."
    if period_end is None or (period_start and period_end <= period_start):
        errors["period_end"] = "The period must end after it starts."
    if errors:
        raise ValidationFailed(errors)
    assert period_start is not None and period_end is not None
    plan.title, plan.period_start, plan.period_end = title.strip(), period_start, period_end
    session.add(plan)
    record(session, actor, "plan.update", "plan", plan.id, now=now)
    return plan


def adopt_plan(session: Session, actor: Actor, plan_id: int, *, decision_id: int | None, now: datetime) -> Plan:
    """A draft plan becomes adopted on a decision of kind adopt_plan of the same plan."""
    POLICY.require(actor, "plan.manage")
    plan = get_plan(session, actor, plan_id)
    if plan.state != "draft":
        raise Conflict("plan is not a draft")
    decision = session.get(Decision, decision_id) if decision_id is not None else None
    if decision is None or decision.plan_id != plan.id or decision.kind != "adopt_plan":
        raise ValidationFailed({"decision_id": "Choose the decision that adopted the plan."})
    plan.state = "adopted"
    plan.adopted_by_decision_id = decision.id
    session.add(plan)
    record(session, actor, "plan.adopt", "plan", plan.id, now=now)
    return plan


def archive_plan(session: Session, actor: Actor, plan_id: int, *, now: datetime) -> Plan:
    POLICY.require(actor, "plan.manage")
    plan = get_plan(session, actor, plan_id)
    if plan.state == "archived":
        raise Conflict("plan already archived")
    plan.state = "archived"
    session.add(plan)
    record(session, actor, "plan.archive", "plan", plan.id, now=now)
    return plan


def add_action_field(session: Session, actor: Actor, plan_id: int, *, title: str, description: str,
                     now: datetime) -> ActionField:
    POLICY.require(actor, "plan.manage")
    get_plan(session, actor, plan_id)
    if not title.strip() or len(title.strip()) > 200:
        raise ValidationFailed({"title": "Give the action field a title (at most 200 characters)."})
    position = session.exec(select(func.count()).select_from(ActionField)
                            .where(ActionField.plan_id == plan_id)).one()
    action_field = ActionField(plan_id=plan_id, title=title.strip(), description=description.strip(),
                               position=int(position))
    session.add(action_field)
    session.flush()
    record(session, actor, "plan.field.add", "action_field", action_field.id, now=now)
    return action_field


def add_goal(session: Session, actor: Actor, action_field_id: int, *, title: str, weight: int = 1,
             now: datetime) -> Goal:
    POLICY.require(actor, "plan.manage")
    action_field = session.get(ActionField, action_field_id)
    if action_field is None:
        raise NotFound("action field")
    errors: dict[str, str] = {}
    if not title.strip() or len(title.strip()) > 300:
        errors["title"] = "Give the goal a title (at most 300 characters)."
    if not 1 <= weight <= 100:
        errors["weight"] = "The weight is a whole number from 1 to 100."
    if errors:
        raise ValidationFailed(errors)
    position = session.exec(select(func.count()).select_from(Goal)
                            .where(Goal.action_field_id == action_field_id)).one()
    goal = Goal(action_field_id=action_field_id, title=title.strip(), weight=weight, position=int(position))
    session.add(goal)
    session.flush()
    record(session, actor, "plan.goal.add", "goal", goal.id, now=now)
    return goal


def fields_and_goals(session: Session, plan_id: int) -> list[tuple[ActionField, list[Goal]]]:
    """The plan's hierarchy above measures, in order."""
    fields = session.exec(select(ActionField).where(ActionField.plan_id == plan_id)
                          .order_by(col(ActionField.position), col(ActionField.id))).all()
    ids = [f.id for f in fields]
    goals = session.exec(select(Goal).where(col(Goal.action_field_id).in_(ids))
                         .order_by(col(Goal.position), col(Goal.id))).all() if ids else []
    by_field: dict[int, list[Goal]] = {}
    for goal in goals:
        by_field.setdefault(goal.action_field_id, []).append(goal)
    return [(f, by_field.get(f.id or 0, [])) for f in fields]
