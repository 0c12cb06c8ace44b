"""Sharing a case with a partner centre, only with the client's recorded consent.

The partner gets the case key and the keys of the case's reports sealed to its own public key: it can
read and document, while triage, coding, answering the reporter and closing stay with the owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.actors import Actor
from core.audit import record
from core.crypto import open_with_private, seal_to_public
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting.models import (
    Case,
    CaseEvent,
    CaseIncident,
    CaseShare,
    Incident,
    IncidentShare,
    ReceivingCentre,
)


@dataclass(frozen=True)
class Guarded:
    """What the permission rules see of a report or case: its owner and who it is shared with."""

    centre_id: int
    shared_with: frozenset[int]


def incident_guard(session: Session, incident: Incident | None) -> Guarded | None:
    if incident is None:
        return None
    shared = session.exec(select(IncidentShare.organisation_id).where(IncidentShare.incident_id == incident.id)).all()
    return Guarded(incident.centre_id, frozenset(shared))


def case_guard(session: Session, case: Case | None) -> Guarded | None:
    if case is None:
        return None
    shared = session.exec(select(CaseShare.organisation_id).where(CaseShare.case_id == case.id)).all()
    return Guarded(case.organisation_id, frozenset(shared))


def report_key(session: Session, actor: Actor, incident: Incident, centre_private: bytes) -> bytes:
    """The report key through the actor's own centre: as owner, or through a share."""
    if incident.centre_id == actor.organisation_id:
        return open_with_private(centre_private, incident.key_for_centre)
    share = session.get(IncidentShare, (incident.id, actor.organisation_id))
    if share is None:
        raise NotFound("incident")
    return open_with_private(centre_private, share.report_key_sealed)


def case_key(session: Session, actor: Actor, case: Case, centre_private: bytes) -> bytes:
    if case.organisation_id == actor.organisation_id:
        return open_with_private(centre_private, case.key_for_centre)
    share = session.get(CaseShare, (case.id, actor.organisation_id))
    if share is None:
        raise NotFound("case")
    return open_with_private(centre_private, share.case_key_sealed)


def share_case(session: Session, actor: Actor, case: Case, partner_id: int, centre_private: bytes, *,
               now: datetime) -> None:
    POLICY.require(actor, "case.write", case)
    consent = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "consent",
                                                   CaseEvent.code == "share_with_partner")).first()
    if consent is None:
        raise ValidationFailed({"partner": "consent_missing"})
    partner = session.get(ReceivingCentre, partner_id)
    if partner is None or partner_id == case.organisation_id or case.content_purged_on is not None:
        raise ValidationFailed({"partner": "choose_option"})
    end_share(session, actor, case, partner_id, now=now, quiet=True)
    session.add(CaseShare(case_id=case.id or 0, organisation_id=partner_id, shared_at=now,
                          case_key_sealed=seal_to_public(partner.public_key,
                                                         open_with_private(centre_private, case.key_for_centre))))
    incidents = session.exec(select(Incident).join(CaseIncident, col(CaseIncident.incident_id) == col(Incident.id))
                             .where(CaseIncident.case_id == case.id)).all()
    for incident in incidents:
        if incident.key_for_centre:
            key = open_with_private(centre_private, incident.key_for_centre)
            session.add(IncidentShare(incident_id=incident.id, organisation_id=partner_id,
                                      report_key_sealed=seal_to_public(partner.public_key, key)))
    session.add(CaseEvent(case_id=case.id or 0, at=now, kind="shared", code=str(partner_id),
                          author_user_id=actor.user_id))
    record(session, actor, "case.share", "case", case.id, now=now, organisation_id=case.organisation_id)
    record(session, actor, "case.share_received", "case", case.id, now=now, organisation_id=partner_id)


def end_share(session: Session, actor: Actor, case: Case, partner_id: int, *, now: datetime,
              quiet: bool = False) -> None:
    POLICY.require(actor, "case.write", case)
    incident_ids = select(CaseIncident.incident_id).where(CaseIncident.case_id == case.id)
    session.execute(delete(CaseShare).where(col(CaseShare.case_id) == case.id,
                                            col(CaseShare.organisation_id) == partner_id))
    session.execute(delete(IncidentShare).where(col(IncidentShare.incident_id).in_(incident_ids),
                                                col(IncidentShare.organisation_id) == partner_id))
    if not quiet:
        session.add(CaseEvent(case_id=case.id or 0, at=now, kind="share_ended", code=str(partner_id),
                              author_user_id=actor.user_id))
        record(session, actor, "case.share_end", "case", case.id, now=now, organisation_id=case.organisation_id)


def end_all_shares(session: Session, case: Case) -> None:
    """Before a handover or a purge: no partner keeps keys to the case."""
    incident_ids = select(CaseIncident.incident_id).where(CaseIncident.case_id == case.id)
    session.execute(delete(CaseShare).where(col(CaseShare.case_id) == case.id))
    session.execute(delete(IncidentShare).where(col(IncidentShare.incident_id).in_(incident_ids)))


def shared_with_centre(session: Session, actor: Actor) -> list[Case]:
    """Cases other centres share with the actor's centre."""
    return list(session.exec(select(Case).join(CaseShare, col(CaseShare.case_id) == col(Case.id))
                             .where(CaseShare.organisation_id == actor.organisation_id)).all())


def partners_of(session: Session, case: Case) -> list[int]:
    return list(session.exec(select(CaseShare.organisation_id).where(CaseShare.case_id == case.id)).all())
