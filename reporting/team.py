"""Who in a centre holds its key: grants by the lead, removal, and recovery with the recovery key."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from core.accounts import User
from core.actors import Actor
from core.audit import AuditEvent, record
from core.crypto import Argon2Params
from core.errors import NotFound, ValidationFailed
from core.keyring import public_key_of
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting.accounts_view import members_of
from reporting.centres import centre_key_from_recovery, grant_centre_key
from reporting.models import CentreKeyGrant


def team(session: Session, actor: Actor) -> list[tuple[User, bool, bool]]:
    """(member, has a personal key, holds the centre key) for everyone in the lead's centre."""
    POLICY.require(actor, "centre.members")
    assert actor.organisation_id is not None
    granted = {g.user_id for g in session.exec(select(CentreKeyGrant).where(
        CentreKeyGrant.organisation_id == actor.organisation_id)).all()}
    return [(u, public_key_of(session, u.id or 0) is not None, u.id in granted)
            for u in members_of(session, actor.organisation_id)]


def grant_access(session: Session, actor: Actor, user_id: int, centre_key: bytes, *, now: datetime) -> None:
    POLICY.require(actor, "centre.members")
    member = session.get(User, user_id)
    if member is None or member.organisation_id != actor.organisation_id or not member.is_active:
        raise NotFound("member")
    if public_key_of(session, user_id) is None:
        raise ValidationFailed({"member": "member_has_no_key"})
    assert actor.organisation_id is not None
    grant_centre_key(session, actor.organisation_id, user_id, centre_key, now=now)
    record(session, actor, "centre.grant", "user", user_id, now=now, organisation_id=actor.organisation_id)


def revoke_access(session: Session, actor: Actor, user_id: int, *, now: datetime) -> None:
    """The member can no longer open the centre key through the app (their grant is deleted)."""
    POLICY.require(actor, "centre.members")
    grant = session.get(CentreKeyGrant, (actor.organisation_id, user_id))
    if grant is None:
        raise NotFound("grant")
    session.delete(grant)
    record(session, actor, "centre.revoke", "user", user_id, now=now, organisation_id=actor.organisation_id)


def recover(session: Session, actor: Actor, recovery_key: str, params: Argon2Params, *, now: datetime) -> bytes:
    """Open the centre key with the recovery key and grant it to the lead again."""
    POLICY.require(actor, "centre.members")
    assert actor.organisation_id is not None and actor.user_id is not None
    try:
        centre_key = centre_key_from_recovery(session, actor.organisation_id, recovery_key, params)
    except Exception as exc:  # a wrong key fails authentication of the sealed blob
        raise ValidationFailed({"recovery_key": "recovery_key_wrong"}) from exc
    grant_centre_key(session, actor.organisation_id, actor.user_id, centre_key, now=now)
    record(session, actor, "centre.recover", "organisation", actor.organisation_id, now=now,
           organisation_id=actor.organisation_id)
    return centre_key


def audit_log(session: Session, actor: Actor, *, limit: int = 500) -> list[AuditEvent]:
    POLICY.require(actor, "centre.audit")
    from sqlmodel import col
    return list(session.exec(select(AuditEvent).where(AuditEvent.organisation_id == actor.organisation_id)
                             .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)).all())
