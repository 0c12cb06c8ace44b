"""Retention: unverified reports go after a while; closed cases lose their content but keep their codes.

Deleting the keys is what makes the content unreadable for good (crypto-shredding); the sealed text
is deleted too, and SQLite's secure_delete overwrites the freed pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from core.actors import SYSTEM, Actor
from core.audit import record
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting.models import Attachment, Case, CaseEvent, CaseIncident, Incident, IncidentCode, Message
from reporting.rollup import sync_incidents
from reporting.sharing import end_all_shares


@dataclass(frozen=True)
class PurgeResult:
    unverified_deleted: int
    cases_shredded: int


def _shred_incident(session: Session, incident: Incident, *, now: datetime) -> None:
    session.execute(delete(Message).where(col(Message.incident_id) == incident.id))
    session.execute(delete(Attachment).where(col(Attachment.incident_id) == incident.id))
    session.execute(update(Incident).where(col(Incident.id) == incident.id).values(
        description_sealed=None, contact_sealed=None, triage_note_sealed=None, key_for_centre=b"",
        key_for_receipt=None, receipt_tag=None, receipt_salt=None, receipt_verifier=None,
        content_purged_on=now.date()))


def shred_case(session: Session, actor: Actor, case: Case, *, now: datetime) -> None:
    """Delete a case's content and keys and those of its reports; codes and dates stay."""
    session.execute(update(CaseEvent).where(col(CaseEvent.case_id) == case.id).values(body_sealed=None))
    end_all_shares(session, case)
    case.key_for_centre = b""
    case.content_purged_on = now.date()
    session.add(case)
    for incident in session.exec(select(Incident).join(CaseIncident, col(CaseIncident.incident_id) == col(Incident.id))
                                 .where(CaseIncident.case_id == case.id)).all():
        _shred_incident(session, incident, now=now)
        record(session, actor, "retention.shred", "incident", incident.id, now=now,
               organisation_id=incident.centre_id)
    record(session, actor, "retention.shred", "case", case.id, now=now, organisation_id=case.organisation_id)


def delete_case_content_now(session: Session, actor: Actor, case_id: int, *, now: datetime) -> Case:
    """A centre lead deletes a case's content at once (e.g. when the client asks for it)."""
    case = session.get(Case, case_id)
    POLICY.require(actor, "case.purge", case)
    assert case is not None
    shred_case(session, actor, case, now=now)
    return case


def purge(session: Session, *, now: datetime, unverified_days: int, closed_case_days: int) -> PurgeResult:
    """The scheduled purge; running it twice changes nothing the second time."""
    cutoff = now.date() - timedelta(days=unverified_days)
    in_a_case = select(CaseIncident.incident_id)
    stale = session.exec(select(Incident).where(
        Incident.verification == "unverified", col(Incident.received_on) < cutoff,
        col(Incident.id).not_in(in_a_case))).all()
    for incident in stale:
        record(session, SYSTEM, "retention.delete_unverified", "incident", incident.id, now=now,
               organisation_id=incident.centre_id)
        _shred_incident(session, incident, now=now)
        session.execute(delete(IncidentCode).where(col(IncidentCode.incident_id) == incident.id))
        session.execute(delete(Incident).where(col(Incident.id) == incident.id))
    # Unverified reports never counted; this keeps the rollup right even if one somehow had.
    sync_incidents(session, [incident.id for incident in stale])
    closed = session.exec(select(Case).where(
        Case.status == "closed", col(Case.closed_at) < now - timedelta(days=closed_case_days),
        col(Case.content_purged_on).is_(None))).all()
    for case in closed:
        shred_case(session, SYSTEM, case, now=now)
    return PurgeResult(len(stale), len(closed))
