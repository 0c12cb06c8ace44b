"""A centre's inbox: reports routed to it, triage, coding, and incidents recorded by staff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from core.actors import Actor
from core.audit import record
from core.crypto import seal, unseal
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting import taxonomy as tx
from reporting.dialogue import ContentAccess
from reporting.intake import MULTI_FIELDS, IntakeContext, parse_report, submit_report
from reporting.models import Incident, IncidentCode, Message
from reporting.rollup import sync_incidents
from reporting.sharing import incident_guard

TRIAGE_DECISIONS = tx.VERIFICATION.codes
REJECTIONS = frozenset({"spam", "duplicate", "out_of_scope"})


@dataclass(frozen=True)
class InboxRow:
    id: str
    received_on: date
    channel: str
    primary_type: str | None
    primary_motive: str | None
    district: str | None
    state: str
    verification: str
    unread: int


def inbox(session: Session, actor: Actor, *, verification: str | None = None, older_than_days: int | None = None,
          today: date, limit: int = 200) -> list[InboxRow]:
    """Reports of the actor's centre, newest first, optionally filtered by triage state and age."""
    POLICY.require(actor, "case.inbox")
    unread = (select(Message.incident_id, func.count().label("n"))
              .where(Message.author == "reporter", col(Message.read_by_centre).is_(False))
              .group_by(col(Message.incident_id)).subquery())
    query = (select(Incident, func.coalesce(unread.c.n, 0))
             .outerjoin(unread, unread.c.incident_id == Incident.id)
             .where(Incident.centre_id == actor.organisation_id))
    if verification:
        query = query.where(Incident.verification == verification)
    if older_than_days is not None:
        query = query.where(col(Incident.received_on) <= today - timedelta(days=older_than_days))
    rows = session.exec(query.order_by(col(Incident.received_on).desc(), col(Incident.id)).limit(limit)).all()
    return [InboxRow(i.id, i.received_on, i.channel, i.primary_type, i.primary_motive, i.district, i.state,
                     i.verification, int(n)) for i, n in rows]


def waiting_count(session: Session, actor: Actor, *, today: date) -> int:
    """What needs the centre: untriaged reports, unread messages from reporters, deadlines this week."""
    if not POLICY.can(actor, "case.inbox"):
        return 0
    untriaged = session.exec(select(func.count()).select_from(Incident).where(
        Incident.centre_id == actor.organisation_id, Incident.verification == "unverified")).one()
    unread = session.exec(select(func.count()).select_from(Message).join(Incident).where(
        Incident.centre_id == actor.organisation_id, Message.author == "reporter",
        col(Message.read_by_centre).is_(False))).one()
    from reporting.cases import deadlines_due
    due = len(deadlines_due(session, actor, today=today))
    return int(untriaged) + int(unread) + due


def get_incident(session: Session, actor: Actor, incident_id: str, action: str = "case.read") -> Incident:
    incident = session.get(Incident, incident_id)
    POLICY.require(actor, action, incident_guard(session, incident))
    assert incident is not None
    return incident


def codes_of(session: Session, incident_id: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for row in session.exec(select(IncidentCode).where(IncidentCode.incident_id == incident_id)).all():
        result.setdefault(row.field, []).append(row.code)
    return result


def mark_read(session: Session, actor: Actor, access: ContentAccess, *, now: datetime) -> None:
    """Opening a report reads its messages; the read is audited (never what was read)."""
    incident = get_incident(session, actor, access.incident_id)
    record(session, actor, "case.read", "incident", incident.id, now=now, organisation_id=actor.organisation_id)
    if incident.centre_id != actor.organisation_id:
        return  # a partner centre reads along; the owner still has the messages to read
    for message in session.exec(select(Message).where(Message.incident_id == incident.id,
                                                      col(Message.read_by_centre).is_(False))).all():
        message.read_by_centre = True
        session.add(message)


def triage(session: Session, actor: Actor, access: ContentAccess, *, decision: str, note: str,
           duplicate_of: str | None, now: datetime) -> Incident:
    incident = get_incident(session, actor, access.incident_id, "case.write")
    errors: dict[str, str] = {}
    if decision not in TRIAGE_DECISIONS:
        errors["decision"] = "choose_option"
    if decision in REJECTIONS and not note.strip():
        errors["note"] = "reason_needed"
    original = None
    if decision == "duplicate":
        original = session.get(Incident, (duplicate_of or "").strip())
        if original is None or original.centre_id != incident.centre_id or original.id == incident.id:
            errors["duplicate_of"] = "duplicate_unknown"
    if errors:
        raise ValidationFailed(errors)
    incident.verification = decision
    incident.duplicate_of = original.id if original else None
    incident.state = "closed" if decision in REJECTIONS else ("accepted" if decision in tx.COUNTED_VERIFICATIONS
                                                              else "in_review")
    incident.triage_note_sealed = seal(access.report_key, note.strip().encode(),
                                       incident.id.encode() + b"/triage") if note.strip() else None
    session.add(incident)
    sync_incidents(session, [incident.id])
    record(session, actor, f"case.triage.{decision}", "incident", incident.id, now=now,
           organisation_id=incident.centre_id)
    return incident


def triage_note(incident: Incident, access: ContentAccess) -> str:
    if incident.triage_note_sealed is None:
        return ""
    return unseal(access.report_key, incident.triage_note_sealed, incident.id.encode() + b"/triage").decode()


COUNSELLING_FIELDS = {"life_area": tx.LIFE_AREA, "perpetrator_type": tx.PERPETRATOR_TYPE,
                      "discrimination_form": tx.DISCRIMINATION_FORM, "discrimination_level": tx.DISCRIMINATION_LEVEL,
                      "channel": tx.CHANNEL}


def recode(session: Session, actor: Actor, incident_id: str, values: Mapping[str, Sequence[str]],
           ctx: IntakeContext, *, now: datetime) -> Incident:
    """Correct and complete the coding; the primary type and motive follow the severity rule again."""
    incident = get_incident(session, actor, incident_id, "case.write")
    errors: dict[str, str] = {}
    for name, code_list in COUNSELLING_FIELDS.items():
        chosen = (values.get(name) or [""])[0]
        if chosen and chosen not in code_list:
            errors[name] = "choose_option"
    full = dict(values)
    full.setdefault("description", ["(kept)"])  # the description is not recoded here
    full.setdefault("centre_id", [str(incident.centre_id)])
    try:
        report = parse_report(full, ctx, channel=(values.get("channel") or [incident.channel])[0] or incident.channel)
    except ValidationFailed as exc:
        errors.update({k: v for k, v in exc.errors.items() if k not in {"description", "centre_id"}})
        if errors:
            raise ValidationFailed(errors) from exc
        raise
    if errors:
        raise ValidationFailed(errors)
    for name in ("district", "place_type", "online", "incident_date", "date_precision", "recurrence", "reporter_role",
                 "target_type", "affected_count", "affected_age_band", "police_report", "channel"):
        setattr(incident, name, getattr(report, name))
    for name in COUNSELLING_FIELDS:
        if name != "channel":
            setattr(incident, name, (values.get(name) or [""])[0] or None)
    incident.primary_type = tx.INCIDENT_TYPE.primary(report.incident_types)
    incident.primary_motive = tx.MOTIVE.primary(report.motives)
    # Recoding brings the record onto the current code lists.
    incident.taxonomy_version = tx.TAXONOMY_VERSION
    session.add(incident)
    session.execute(delete(IncidentCode).where(col(IncidentCode.incident_id) == incident.id))
    codes = [{"incident_id": incident.id, "field": name, "code": code} for name in MULTI_FIELDS
             for code in dict.fromkeys(getattr(report, name))]
    if codes:
        session.execute(insert(IncidentCode.__table__), codes)  # type: ignore[attr-defined]
    sync_incidents(session, [incident.id])
    record(session, actor, "case.recode", "incident", incident.id, now=now, organisation_id=incident.centre_id)
    return incident


def record_staff_incident(session: Session, actor: Actor, values: Mapping[str, Sequence[str]], ctx: IntakeContext,
                          *, channel: str, tag_key: bytes, params: object, now: datetime,
                          with_receipt: bool) -> tuple[Incident, str]:
    """An incident learned by phone, in person, by e-mail or from partners, recorded by a counsellor."""
    POLICY.require(actor, "case.inbox")
    if channel not in tx.CHANNEL or channel == "web_form":
        raise ValidationFailed({"channel": "choose_option"})
    full = {**values, "centre_id": [str(actor.organisation_id)],
            "wants_contact": ["yes" if (values.get("contact") or [""])[0].strip() else "no"]}
    report = parse_report(full, ctx, channel=channel)
    from core.crypto import Argon2Params
    assert isinstance(params, Argon2Params)
    submitted = submit_report(session, report, [], tag_key=tag_key, params=params, today=now.date(),
                              with_receipt=with_receipt)
    incident = session.get(Incident, submitted.incident_id)
    assert incident is not None
    incident.recorded_by_user_id = actor.user_id
    session.add(incident)
    sync_incidents(session, [incident.id])
    record(session, actor, "case.record", "incident", incident.id, now=now, organisation_id=incident.centre_id)
    return incident, submitted.receipt
