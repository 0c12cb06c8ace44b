"""The "since the last meeting" briefing of a plan: what is late, at risk, reported, changed and decided.

"Since" is the date of the last meeting held before today; a plan without one is briefed since it was
created. Everything is read from the plan's own tables and, for indicators, from the statistics engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from core.accounts import Organisation
from core.actors import Actor
from core.errors import NotFound
from core.permissions import POLICY
from reporting.statistics import Disclosure
from strategy.indicators import IndicatorChange, changes_since, indicators_of
from strategy.models import Decision, Measure, Meeting, Milestone, Plan, ProgressUpdate, StatusChange

CLOSED_STATUSES = frozenset({"completed", "evaluated", "cancelled"})
RISKY_HEALTHS = ("off_track", "at_risk")


@dataclass(frozen=True)
class MeasureLine:
    measure_id: int
    title: str
    status: str
    health: str
    due_on: date | None


@dataclass(frozen=True)
class MilestoneLine:
    measure_id: int
    measure_title: str
    title: str
    due_on: date


@dataclass(frozen=True)
class UpdateLine:
    measure_id: int
    measure_title: str
    organisation: str
    period: str
    assessment: str
    has_evidence: bool
    on: date


@dataclass(frozen=True)
class StatusLine:
    measure_id: int
    measure_title: str
    from_status: str
    to_status: str
    on: date


@dataclass(frozen=True)
class DecisionLine:
    decision_id: int
    number: str
    kind: str
    text: str
    measure_id: int | None
    measure_title: str | None
    decided_on: date


@dataclass(frozen=True)
class Briefing:
    plan_id: int
    plan_title: str
    since: date
    since_meeting: str | None     # the title of the meeting "since" refers to
    today: date
    overdue_measures: list[MeasureLine]
    overdue_milestones: list[MilestoneLine]
    at_risk: list[MeasureLine]
    updates: list[UpdateLine]
    status_changes: list[StatusLine]
    decisions: list[DecisionLine]
    indicator_changes: list[IndicatorChange]
    measure_titles: dict[int, str]


def last_meeting_before(session: Session, plan_id: int, today: date) -> Meeting | None:
    return session.exec(select(Meeting).where(Meeting.plan_id == plan_id, Meeting.state == "held",
                                              Meeting.held_on < today)
                        .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())).first()


def _line(measure: Measure) -> MeasureLine:
    assert measure.id is not None
    return MeasureLine(measure.id, measure.title, measure.status, measure.health, measure.planned_end)


def briefing(session: Session, actor: Actor, plan_id: int, disclosure: Disclosure, *, today: date) -> Briefing:
    """Everything the round table should know since its last meeting."""
    POLICY.require(actor, "plan.read")
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan")
    meeting = last_meeting_before(session, plan_id, today)
    since = meeting.held_on if meeting else plan.created_at.date()
    since_at = datetime.combine(since, time.min, tzinfo=UTC)
    measures = list(session.exec(select(Measure).where(Measure.plan_id == plan_id)
                                 .order_by(col(Measure.position), col(Measure.id))).all())
    titles = {m.id: m.title for m in measures if m.id is not None}
    active = [m for m in measures if m.status not in CLOSED_STATUSES]
    overdue = sorted((m for m in active if m.planned_end is not None and m.planned_end < today),
                     key=lambda m: (m.planned_end or today, m.id or 0))
    milestones = [MilestoneLine(ms.measure_id, titles[ms.measure_id], ms.title, ms.due_on)
                  for ms in session.exec(select(Milestone).where(
                      col(Milestone.measure_id).in_([m.id for m in active]), col(Milestone.done_on).is_(None),
                      col(Milestone.due_on).is_not(None), col(Milestone.due_on) < today)
                      .order_by(col(Milestone.due_on))).all() if ms.due_on is not None]
    at_risk = sorted((m for m in active if m.health in RISKY_HEALTHS),
                     key=lambda m: (RISKY_HEALTHS.index(m.health), m.position, m.id or 0))
    organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    updates = [UpdateLine(u.measure_id, titles[u.measure_id], organisations.get(u.organisation_id, ""), u.period,
                          u.assessment, bool(u.evidence.strip() or u.evidence_link.strip()), u.at.date())
               for u in session.exec(select(ProgressUpdate).where(
                   col(ProgressUpdate.measure_id).in_(list(titles)), col(ProgressUpdate.at) >= since_at)
                   .order_by(col(ProgressUpdate.at))).all()]
    changes = [StatusLine(c.measure_id, titles[c.measure_id], c.from_status, c.to_status, c.at.date())
               for c in session.exec(select(StatusChange).where(
                   col(StatusChange.measure_id).in_(list(titles)), col(StatusChange.at) >= since_at)
                   .order_by(col(StatusChange.at), col(StatusChange.id))).all()]
    decisions = [DecisionLine(d.id or 0, d.number, d.kind, d.text, d.measure_id,
                              titles.get(d.measure_id) if d.measure_id else None, d.decided_on)
                 for d in session.exec(select(Decision).where(Decision.plan_id == plan_id,
                                                              col(Decision.decided_on) >= since)
                                       .order_by(col(Decision.decided_on), col(Decision.id))).all()]
    indicator_changes = changes_since(session, indicators_of(session, plan_id=plan_id), disclosure,
                                      since=since, today=today)
    assert plan.id is not None
    return Briefing(plan.id, plan.title, since, meeting.title if meeting else None, today,
                    [_line(m) for m in overdue], milestones, [_line(m) for m in at_risk], updates, changes,
                    decisions, indicator_changes, titles)
