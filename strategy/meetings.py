"""Round-table meetings: agenda, attendance by organisation, minutes; decisions go to the plan's register.

Attendance is recorded per organisation with a head count only: the round table needs to know which
partners took part, not who in person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, Session, SQLModel, col, select

from core.accounts import Organisation
from core.actors import Actor
from core.audit import record
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from strategy import permissions  # noqa: F401  (registers the plan and meeting rules)
from strategy.measures import change_status
from strategy.models import Decision, Measure, Meeting
from strategy.workflow import allowed_targets

MAX_PERSONS = 99


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


class AgendaItem(SQLModel, table=True):
    """One point of a meeting's agenda, in order, optionally about one measure."""

    __tablename__ = "plan_agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="plan_meeting.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(max_length=200)
    measure_id: int | None = Field(default=None, foreign_key="plan_measure.id", ondelete="SET NULL")


class Attendance(SQLModel, table=True):
    """Whether an organisation took part in a meeting, and with how many persons."""

    __tablename__ = "plan_meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="plan_meeting.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    status: str = Field(max_length=10)
    persons: int = 0


class MeetingMinutes(SQLModel, table=True):
    """The minutes of a meeting as plain text (never HTML)."""

    __tablename__ = "plan_meeting_minutes"

    meeting_id: int = Field(foreign_key="plan_meeting.id", primary_key=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime
    updated_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")


def _require_text(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise ValidationFailed({name: "required"})
    if len(text) > limit:
        raise ValidationFailed({name: "too_long"})
    return text


def agenda_of(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                             .order_by(col(AgendaItem.position), col(AgendaItem.id))).all())


def add_agenda_item(session: Session, actor: Actor, meeting_id: int, *, title: str, measure_id: int | None,
                    allowed_measures: set[int], now: datetime) -> AgendaItem:
    """Append a point to the agenda; `allowed_measures` are the measures of the meeting's plan."""
    POLICY.require(actor, "meeting.manage")
    clean = _require_text(title, "title", 200)
    if measure_id is not None and measure_id not in allowed_measures:
        raise ValidationFailed({"measure_id": "choose_option"})
    items = agenda_of(session, meeting_id)
    item = AgendaItem(meeting_id=meeting_id, position=(items[-1].position + 1) if items else 1, title=clean,
                      measure_id=measure_id)
    session.add(item)
    session.flush()
    record(session, actor, "meeting.agenda", "meeting", meeting_id, now=now)
    return item


def move_agenda_item(session: Session, actor: Actor, meeting_id: int, item_id: int, *, up: bool,
                     now: datetime) -> None:
    """Swap a point with its neighbour above or below."""
    POLICY.require(actor, "meeting.manage")
    items = agenda_of(session, meeting_id)
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise NotFound("agenda_item")
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index].position, items[other].position = items[other].position, items[index].position
        if items[index].position == items[other].position:
            items[index].position, items[other].position = other + 1, index + 1
        session.add_all([items[index], items[other]])
        session.flush()
        record(session, actor, "meeting.agenda", "meeting", meeting_id, now=now)


def remove_agenda_item(session: Session, actor: Actor, meeting_id: int, item_id: int, *, now: datetime) -> None:
    POLICY.require(actor, "meeting.manage")
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound("agenda_item")
    session.delete(item)
    session.flush()
    record(session, actor, "meeting.agenda", "meeting", meeting_id, now=now)


@dataclass(frozen=True)
class AttendanceRow:
    organisation_id: int
    organisation: str
    status: str  # "" when nothing is recorded yet
    persons: int


def attendance_of(session: Session, meeting_id: int) -> list[AttendanceRow]:
    """Every organisation with what is recorded for it (so the form can list all of them)."""
    recorded = {row.organisation_id: row for row in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id)).all()}
    rows = []
    for org in session.exec(select(Organisation).order_by(col(Organisation.name))).all():
        assert org.id is not None
        row = recorded.get(org.id)
        rows.append(AttendanceRow(org.id, org.name, row.status if row else "", row.persons if row else 0))
    return rows


def record_attendance(session: Session, actor: Actor, meeting_id: int, entries: dict[int, tuple[str, str]], *,
                      now: datetime) -> None:
    """Set attendance for the given organisations: {organisation_id: (status or "", persons as text)}.

    An empty status removes what was recorded; present needs at least one person."""
    POLICY.require(actor, "meeting.manage")
    known = {org.id for org in session.exec(select(Organisation)).all()}
    errors: dict[str, str] = {}
    clean: dict[int, tuple[str, int]] = {}
    for org_id, (status, persons_text) in entries.items():
        if org_id not in known:
            raise NotFound("organisation")
        if status and status not in set(AttendanceStatus):
            errors[f"status-{org_id}"] = "choose_option"
            continue
        text = persons_text.strip()
        persons = int(text) if text.isascii() and text.isdigit() else None
        if text and (persons is None or persons > MAX_PERSONS):
            errors[f"persons-{org_id}"] = "persons_invalid"
            continue
        persons = persons or 0
        if status == AttendanceStatus.PRESENT and persons < 1:
            errors[f"persons-{org_id}"] = "persons_needed"
            continue
        clean[org_id] = (status, persons if status == AttendanceStatus.PRESENT else 0)
    if errors:
        raise ValidationFailed(errors)
    existing = {row.organisation_id: row for row in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id)).all()}
    for org_id, (status, persons) in clean.items():
        row = existing.get(org_id)
        if not status:
            if row is not None:
                session.delete(row)
            continue
        row = row or Attendance(meeting_id=meeting_id, organisation_id=org_id, status=status)
        row.status, row.persons = status, persons
        session.add(row)
    session.flush()
    record(session, actor, "meeting.attendance", "meeting", meeting_id, now=now)


def minutes_of(session: Session, meeting_id: int) -> str:
    row = session.get(MeetingMinutes, meeting_id)
    return row.text if row else ""


def save_minutes(session: Session, actor: Actor, meeting_id: int, *, text: str, now: datetime) -> None:
    POLICY.require(actor, "meeting.manage")
    if len(text) > 20000:
        raise ValidationFailed({"minutes": "too_long"})
    row = session.get(MeetingMinutes, meeting_id) or MeetingMinutes(meeting_id=meeting_id, text="", updated_at=now)
    row.text, row.updated_at, row.updated_by_user_id = text.strip(), now, actor.user_id
    session.add(row)
    session.flush()
    record(session, actor, "meeting.minutes", "meeting", meeting_id, now=now)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def meetings_of_plan(session: Session, actor: Actor, plan_id: int) -> list[Meeting]:
    """The plan's meetings, newest first."""
    POLICY.require(actor, "plan.read")
    return list(session.exec(select(Meeting).where(Meeting.plan_id == plan_id)
                             .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())).all())


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    POLICY.require(actor, "plan.read")
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    return meeting


def mark_meeting_held(session: Session, actor: Actor, meeting: Meeting, *, now: datetime) -> None:
    """The meeting took place (its date is the one the next briefing counts from)."""
    POLICY.require(actor, "meeting.manage")
    if meeting.held_on > now.date():
        raise ValidationFailed({"held_on": "meeting_in_future"})
    meeting.state = "held"
    session.add(meeting)
    session.flush()
    record(session, actor, "meeting.held", "meeting", meeting.id, now=now)


@dataclass(frozen=True)
class DecisionRow:
    """A decision as the register and the measure page show it: linked to its measure and its meeting."""

    id: int
    number: str
    decided_on: date
    kind: str
    text: str
    measure_id: int | None
    measure_title: str | None
    meeting_id: int | None
    meeting_title: str | None


def _number_key(number: str) -> tuple[int, int, str]:
    year, _sep, serial = number.partition("/")
    return (int(year) if year.isdigit() else 0, int(serial) if serial.isdigit() else 0, number)


def decision_rows(session: Session, actor: Actor, plan_id: int, *, meeting_id: int | None = None,
                  measure_id: int | None = None) -> list[DecisionRow]:
    """The plan's decisions in number order, optionally only one meeting's or one measure's."""
    POLICY.require(actor, "plan.read")
    query = select(Decision).where(Decision.plan_id == plan_id)
    if meeting_id is not None:
        query = query.where(Decision.meeting_id == meeting_id)
    if measure_id is not None:
        query = query.where(Decision.measure_id == measure_id)
    decisions = list(session.exec(query).all())
    measure_ids = {d.measure_id for d in decisions if d.measure_id is not None}
    meeting_ids = {d.meeting_id for d in decisions if d.meeting_id is not None}
    measures = {m.id: m.title for m in session.exec(select(Measure).where(col(Measure.id).in_(measure_ids))).all()}
    meetings = {m.id: m.title for m in session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids))).all()}
    rows = [DecisionRow(d.id or 0, d.number, d.decided_on, d.kind, d.text, d.measure_id,
                        measures.get(d.measure_id) if d.measure_id else None, d.meeting_id,
                        meetings.get(d.meeting_id) if d.meeting_id else None) for d in decisions]
    return sorted(rows, key=lambda row: (_number_key(row.number), row.id))


def decision_rows_of_measure(session: Session, actor: Actor, measure: Measure) -> list[DecisionRow]:
    """The decisions about one measure, for the measure page (the other direction of the register's link)."""
    assert measure.id is not None
    return decision_rows(session, actor, measure.plan_id, measure_id=measure.id)


# Decisions that concern one measure name it; agreeing and closing also move it along the workflow.
MEASURE_DECISION_KINDS = frozenset({"agree", "change", "reassign", "close", "cancel"})
DECISION_TARGETS = {"agree": "agreed", "close": "cancelled", "cancel": "cancelled"}


def apply_decision(session: Session, actor: Actor, decision: Decision, *, now: datetime) -> str | None:
    """Carry out what a decision means for its measure, where the workflow allows it; returns the new status.

    "Agree" moves a proposed measure to agreed, "close"/"cancel" an open one to cancelled, each with the
    decision as its ground. Changing or reassigning is then done on the measure, citing the decision."""
    POLICY.require(actor, "decision.record")
    target = DECISION_TARGETS.get(decision.kind)
    if target is None or decision.measure_id is None:
        return None
    measure = session.get(Measure, decision.measure_id)
    if measure is None or target not in allowed_targets(measure.status):
        return None
    change_status(session, actor, decision.measure_id, target=target, reason=decision.text,
                  decision_id=decision.id, evidence="", now=now)
    return target
