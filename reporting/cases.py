"""Counselling cases (Beratungsfälle): requests, interventions, deadlines, consents, notes, a timeline."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from core.accounts import User
from core.actors import Actor, Role
from core.audit import record
from core.crypto import open_with_private, seal, seal_to_public, unseal
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting import taxonomy as tx
from reporting.accounts_view import members_of
from reporting.models import Case, CaseEvent, CaseIncident, CaseMember, Incident, ReceivingCentre
from reporting.sharing import case_guard, end_all_shares
from reporting.sharing import case_key as sharing_case_key

EVENT_KINDS = ("request", "intervention", "deadline", "consent", "note")
CODED_KINDS = {"request": tx.CLIENT_REQUEST, "intervention": tx.INTERVENTION, "consent": tx.CONSENT}
STATUSES = ("open", "paused", "closed")
MAX_NOTE = 20_000


def agg_claim_deadline(incident_date: date) -> date:
    """Two months from the incident (§ 15(4) AGG): the same day two months later, or the month's last day."""
    month = incident_date.month + 2
    year = incident_date.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(incident_date.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(incident_date.day, 28))


@dataclass(frozen=True)
class CaseAccess:
    case_id: int
    key: bytes


def open_case(session: Session, actor: Actor, incident: Incident, *, now: datetime) -> Case:
    """Open a case for an incident of the own centre; the AGG claim period is pre-filled as a deadline."""
    POLICY.require(actor, "case.write", incident)
    centre = session.get(ReceivingCentre, incident.centre_id)
    if centre is None:
        raise NotFound("centre")
    case = Case(organisation_id=incident.centre_id, opened_at=now,
                key_for_centre=seal_to_public(centre.public_key, secrets.token_bytes(32)))
    session.add(case)
    session.flush()
    assert case.id is not None
    session.add(CaseIncident(case_id=case.id, incident_id=incident.id))
    if actor.user_id is not None:
        session.add(CaseMember(case_id=case.id, user_id=actor.user_id))
    if incident.incident_date is not None and incident.date_precision == "day":
        session.add(CaseEvent(case_id=case.id, at=now, kind="deadline", code="agg_claim",
                              on_date=agg_claim_deadline(incident.incident_date), author_user_id=actor.user_id))
    if incident.state in {"received", "in_review", "accepted"}:
        incident.state = "in_counselling"
        session.add(incident)
    record(session, actor, "case.open", "case", case.id, now=now, organisation_id=case.organisation_id)
    return case


def get_case(session: Session, actor: Actor, case_id: int, action: str = "case.read") -> Case:
    case = session.get(Case, case_id)
    POLICY.require(actor, action, case_guard(session, case))
    assert case is not None
    return case


def case_access(session: Session, actor: Actor, case: Case, centre_key: bytes) -> CaseAccess:
    """The opened case key, as owner or through a share; after a purge there is none, and the key is empty."""
    assert case.id is not None
    if case.content_purged_on is not None:
        return CaseAccess(case.id, b"")
    return CaseAccess(case.id, sharing_case_key(session, actor, case, centre_key))


def add_event(session: Session, actor: Actor, access: CaseAccess, *, kind: str, code: str, on_date: str,
              text: str, now: datetime) -> CaseEvent:
    case = get_case(session, actor, access.case_id, "case.document")
    errors: dict[str, str] = {}
    if case.content_purged_on is not None:
        raise ValidationFailed({"text": "content_purged"})
    if kind not in EVENT_KINDS:
        errors["kind"] = "choose_option"
    elif kind in CODED_KINDS and code not in CODED_KINDS[kind]:
        errors["code"] = "choose_option"
    when = None
    if on_date:
        try:
            when = date.fromisoformat(on_date)
        except ValueError:
            errors["on_date"] = "date_invalid"
    elif kind in {"intervention", "deadline"}:
        errors["on_date"] = "date_needed"
    if kind in {"note", "deadline"} and not text.strip():
        errors["text"] = "required"
    if len(text) > MAX_NOTE:
        errors["text"] = "too_long"
    if errors:
        raise ValidationFailed(errors)
    event = CaseEvent(case_id=case.id or 0, at=now, kind=kind, code=code or None, on_date=when,
                      text_version=tx.CONSENT_TEXT_VERSION if kind == "consent" else None,
                      body_sealed=seal(access.key, text.strip().encode(), f"case/{case.id}".encode())
                      if text.strip() else None, author_user_id=actor.user_id)
    session.add(event)
    session.flush()
    record(session, actor, f"case.add_{kind}", "case", case.id, now=now, organisation_id=case.organisation_id)
    return event


def set_status(session: Session, actor: Actor, case_id: int, *, status: str, outcome: str, now: datetime) -> Case:
    case = get_case(session, actor, case_id, "case.write")
    errors = {}
    if status not in STATUSES:
        errors["status"] = "choose_option"
    if outcome and outcome not in tx.OUTCOME:
        errors["outcome"] = "choose_option"
    if status == "closed" and not outcome:
        errors["outcome"] = "outcome_needed"
    if errors:
        raise ValidationFailed(errors)
    case.status, case.outcome = status, outcome or case.outcome
    case.closed_at = now if status == "closed" else None
    session.add(case)
    session.add(CaseEvent(case_id=case.id or 0, at=now, kind="status", code=status, author_user_id=actor.user_id))
    record(session, actor, "case.status", "case", case.id, now=now, organisation_id=case.organisation_id)
    return case


def assign(session: Session, actor: Actor, case_id: int, user_ids: list[int], *, now: datetime) -> None:
    """Co-counselling: the case's counsellors, all from the owning centre."""
    case = get_case(session, actor, case_id, "case.write")
    allowed = {m.id for m in members_of(session, case.organisation_id, Role.COUNSELLOR)}
    if not user_ids or any(uid not in allowed for uid in user_ids):
        raise ValidationFailed({"members": "choose_counsellor"})
    for old in session.exec(select(CaseMember).where(CaseMember.case_id == case.id)).all():
        session.delete(old)
    session.flush()
    for uid in dict.fromkeys(user_ids):
        session.add(CaseMember(case_id=case.id or 0, user_id=uid))
    session.add(CaseEvent(case_id=case.id or 0, at=now, kind="assignment", author_user_id=actor.user_id))
    record(session, actor, "case.assign", "case", case.id, now=now, organisation_id=case.organisation_id)


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    done: bool
    at: datetime
    kind: str
    code: str | None
    on_date: date | None
    text: str
    author: str
    text_version: str | None


def timeline(session: Session, actor: Actor, access: CaseAccess, *, now: datetime) -> list[TimelineEntry]:
    """Everything that happened on the case, oldest first; reading it is audited."""
    case = get_case(session, actor, access.case_id)
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                          .order_by(col(CaseEvent.at), col(CaseEvent.id))).all()
    authors = {e.author_user_id for e in events if e.author_user_id is not None}
    names = {u.id: u.display_name for u in session.exec(select(User).where(col(User.id).in_(authors))).all()}
    record(session, actor, "case.read", "case", case.id, now=now, organisation_id=case.organisation_id)
    aad = f"case/{case.id}".encode()
    return [TimelineEntry(e.id or 0, e.done, e.at, e.kind, e.code, e.on_date,
                          unseal(access.key, e.body_sealed, aad).decode() if e.body_sealed and access.key else "",
                          names.get(e.author_user_id, ""), e.text_version) for e in events]


def incidents_of(session: Session, case_id: int) -> list[Incident]:
    return list(session.exec(select(Incident).join(CaseIncident, col(CaseIncident.incident_id) == col(Incident.id))
                             .where(CaseIncident.case_id == case_id)).all())


def members_assigned(session: Session, case_id: int) -> list[int]:
    return [m.user_id for m in session.exec(select(CaseMember).where(CaseMember.case_id == case_id)).all()]


def cases_of_incident(session: Session, incident_id: str) -> list[int]:
    return [link.case_id for link in session.exec(select(CaseIncident).where(
        CaseIncident.incident_id == incident_id)).all()]


def open_cases(session: Session, actor: Actor) -> list[tuple[Case, date | None]]:
    """The centre's open and paused cases with their next open deadline."""
    POLICY.require(actor, "case.inbox")
    cases = session.exec(select(Case).where(Case.organisation_id == actor.organisation_id,
                                            col(Case.status) != "closed").order_by(col(Case.opened_at).desc())).all()
    # One query for all deadlines, not one per case.
    next_due: dict[int, date] = {}
    for event in session.exec(select(CaseEvent).where(
            col(CaseEvent.case_id).in_([c.id for c in cases]), CaseEvent.kind == "deadline",
            col(CaseEvent.done).is_(False))).all():
        due = event.on_date
        if due is not None and (event.case_id not in next_due or due < next_due[event.case_id]):
            next_due[event.case_id] = due
    return [(case, next_due.get(case.id or 0)) for case in cases]


def hand_over(session: Session, actor: Actor, case_id: int, target_centre_id: int, centre_key: bytes, *,
              now: datetime) -> Case:
    """Hand a case and its reports to another centre, only with the client's recorded consent.

    The case key and every report key are sealed anew to the receiving centre's public key, so from
    now on only that centre can read them; the handing centre keeps nothing it could open."""
    case = get_case(session, actor, case_id, "case.write")
    consent = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "consent",
                                                   CaseEvent.code == "share_with_partner")).first()
    if consent is None:
        raise ValidationFailed({"target": "consent_missing"})
    target = session.get(ReceivingCentre, target_centre_id)
    if target is None or target_centre_id == case.organisation_id:
        raise ValidationFailed({"target": "choose_option"})
    if case.content_purged_on is None:
        case.key_for_centre = seal_to_public(target.public_key, open_with_private(centre_key, case.key_for_centre))
    source = case.organisation_id
    for incident in incidents_of(session, case_id):
        if incident.key_for_centre:
            report_key = open_with_private(centre_key, incident.key_for_centre)
            incident.key_for_centre = seal_to_public(target.public_key, report_key)
        incident.centre_id = target_centre_id
        session.add(incident)
        record(session, actor, "case.handover", "incident", incident.id, now=now, organisation_id=source)
    for member in session.exec(select(CaseMember).where(CaseMember.case_id == case.id)).all():
        session.delete(member)
    end_all_shares(session, case)
    case.organisation_id = target_centre_id
    session.add(case)
    session.add(CaseEvent(case_id=case.id or 0, at=now, kind="handover", code=str(source),
                          author_user_id=actor.user_id))
    record(session, actor, "case.handover", "case", case.id, now=now, organisation_id=source)
    record(session, actor, "case.handover_received", "case", case.id, now=now, organisation_id=target_centre_id)
    return case


REMINDER_DAYS = 7


def deadlines_due(session: Session, actor: Actor, *, today: date) -> list[tuple[Case, CaseEvent]]:
    """Open deadlines of the centre's open cases that end within a week or have passed: the reminder."""
    if not POLICY.can(actor, "case.inbox"):
        return []
    from datetime import timedelta
    rows = session.exec(select(Case, CaseEvent).join(CaseEvent, col(CaseEvent.case_id) == col(Case.id)).where(
        Case.organisation_id == actor.organisation_id, col(Case.status) != "closed", CaseEvent.kind == "deadline",
        col(CaseEvent.done).is_(False), col(CaseEvent.on_date) <= today + timedelta(days=REMINDER_DAYS))
        .order_by(col(CaseEvent.on_date))).all()
    return [(case, event) for case, event in rows]


def mark_deadline_done(session: Session, actor: Actor, case_id: int, event_id: int, *, now: datetime) -> None:
    case = get_case(session, actor, case_id, "case.document")
    event = session.get(CaseEvent, event_id)
    if event is None or event.case_id != case.id or event.kind != "deadline":
        raise NotFound("deadline")
    event.done = True
    session.add(event)
    record(session, actor, "case.deadline_done", "case", case.id, now=now, organisation_id=actor.organisation_id)
