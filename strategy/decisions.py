"""Decisions of the strategy group (numbered per plan, e.g. "2026/7") and the meetings they are taken in.

The `meetings` part adds agenda, attendance and minutes in tables of its own; this module holds what the
measure workflow needs: a decision to agree or cancel a measure, or to adopt a plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, or_, select

from core.actors import Actor
from core.audit import record
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from strategy import permissions  # noqa: F401  (registers the plan rules)
from strategy.models import DECISION_KINDS, MEETING_STATES, Decision, Measure, Meeting, Plan

MAX_DECISION_TEXT = 5_000


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan")
    return plan


def next_decision_number(session: Session, plan_id: int, year: int) -> str:
    """The next free number of the year within the plan: "2026/1", "2026/2", ..."""
    numbers = session.exec(select(Decision.number).where(Decision.plan_id == plan_id,
                                                         col(Decision.number).startswith(f"{year}/"))).all()
    used = [int(n.split("/", 1)[1]) for n in numbers if n.split("/", 1)[1].isdigit()]
    return f"{year}/{max(used, default=0) + 1}"


def record_decision(session: Session, actor: Actor, plan_id: int, *, text: str, kind: str,
                    measure_id: int | None, meeting_id: int | None, decided_on: date, now: datetime,
                    number: str | None = None) -> Decision:
    """Record a decision of the plan's strategy group; the number is the next one of its year unless given."""
    POLICY.require(actor, "decision.record")
    _plan(session, plan_id)
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = "Write down what was decided."
    elif len(text) > MAX_DECISION_TEXT:
        errors["text"] = "The text is too long."
    if kind not in DECISION_KINDS:
        errors["kind"] = "Choose a kind of decision."
    if decided_on > now.date():
        errors["decided_on"] = "A decision cannot be dated in the future."
    if measure_id is not None:
        measure = session.get(Measure, measure_id)
        if measure is None or measure.plan_id != plan_id:
            errors["measure_id"] = "Choose a measure of this plan."
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.plan_id != plan_id:
            errors["meeting_id"] = "Choose a meeting of this plan."
    number = (number or "").strip() or next_decision_number(session, plan_id, decided_on.year)
    if session.exec(select(Decision.id).where(Decision.plan_id == plan_id, Decision.number == number)).first():
        errors["number"] = "This number is already taken in this plan."
    if errors:
        raise ValidationFailed(errors)
    decision = Decision(plan_id=plan_id, number=number, meeting_id=meeting_id, decided_on=decided_on, text=text,
                        kind=kind, measure_id=measure_id, recorded_by=actor.user_id, recorded_at=now)
    session.add(decision)
    session.flush()
    record(session, actor, "decision.record", "decision", decision.id, now=now)
    return decision


def list_decisions(session: Session, actor: Actor, plan_id: int, *, kinds: tuple[str, ...] = (),
                   measure_id: int | None = None) -> list[Decision]:
    """The plan's decisions, newest first; optionally only those of some kinds that may concern a measure."""
    POLICY.require(actor, "plan.read")
    query = select(Decision).where(Decision.plan_id == plan_id)
    if kinds:
        query = query.where(col(Decision.kind).in_(kinds))
    if measure_id is not None:
        query = query.where(or_(col(Decision.measure_id) == measure_id, col(Decision.measure_id).is_(None)))
    return list(session.exec(query.order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())).all())


def decisions_by_id(session: Session, ids: set[int]) -> dict[int, Decision]:
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Decision).where(col(Decision.id).in_(ids))).all()
            if d.id is not None}


def create_meeting(session: Session, actor: Actor, plan_id: int, *, title: str, held_on: date, now: datetime,
                   state: str = "planned") -> Meeting:
    """Schedule (or record) a meeting of the plan's strategy group."""
    POLICY.require(actor, "plan.manage")
    _plan(session, plan_id)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the meeting a title."
    if state not in MEETING_STATES:
        errors["state"] = "Choose a state."
    if errors:
        raise ValidationFailed(errors)
    meeting = Meeting(plan_id=plan_id, title=title.strip()[:200], held_on=held_on, state=state)
    session.add(meeting)
    session.flush()
    record(session, actor, "meeting.create", "meeting", meeting.id, now=now)
    return meeting


def count_decisions(session: Session, plan_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Decision).where(Decision.plan_id == plan_id)).one())
