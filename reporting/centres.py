"""Counselling centres that receive reports, and who among their members holds the centre key."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from core.accounts import Organisation
from core.actors import OrganisationKind
from core.crypto import Argon2Params, derive_from_secret, new_keypair, open_with_private, seal, seal_to_public, unseal
from core.keyring import public_key_of
from reporting.models import CentreKeyGrant, ReceivingCentre


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> str:
    return text.replace("-", "").replace(" ", "").upper()


def establish_centre(session: Session, organisation_id: int, member_ids: list[int], params: Argon2Params, *,
                     now: datetime, is_default: bool = False) -> str:
    """Create the centre's key pair, grant it to members, return the recovery key (shown once)."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.kind != OrganisationKind.COUNSELLING_CENTRE:
        raise ValueError("only counselling centres receive reports")
    private, public = new_keypair()
    recovery = format_recovery_key(secrets.token_bytes(20))
    salt = secrets.token_bytes(16)
    _verifier, wrapping = derive_from_secret(parse_recovery_key(recovery), salt, params)
    if is_default:
        for other in session.exec(select(ReceivingCentre)).all():
            other.is_default = False
            session.add(other)
    session.add(ReceivingCentre(organisation_id=organisation_id, public_key=public, recovery_salt=salt,
                                recovery_wrapped=seal(wrapping, private, b"centre-recovery"),
                                is_default=is_default, established_at=now))
    session.flush()
    for user_id in member_ids:
        grant_centre_key(session, organisation_id, user_id, private, now=now)
    return recovery


def grant_centre_key(session: Session, organisation_id: int, user_id: int, centre_private: bytes, *,
                     now: datetime) -> None:
    member_public = public_key_of(session, user_id)
    if member_public is None:
        raise ValueError("the member has no personal key yet")
    existing = session.get(CentreKeyGrant, (organisation_id, user_id))
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(CentreKeyGrant(organisation_id=organisation_id, user_id=user_id,
                               sealed_private=seal_to_public(member_public, centre_private), granted_at=now))


def centre_key_for_member(session: Session, organisation_id: int, user_id: int, member_private: bytes) -> bytes | None:
    grant = session.get(CentreKeyGrant, (organisation_id, user_id))
    if grant is None:
        return None
    return open_with_private(member_private, grant.sealed_private)


def centre_key_from_recovery(session: Session, organisation_id: int, recovery_key: str,
                             params: Argon2Params) -> bytes:
    centre = session.get(ReceivingCentre, organisation_id)
    if centre is None:
        raise ValueError("not a receiving centre")
    _verifier, wrapping = derive_from_secret(parse_recovery_key(recovery_key), centre.recovery_salt, params)
    return unseal(wrapping, centre.recovery_wrapped, b"centre-recovery")


def receiving_centres(session: Session) -> list[tuple[int, str, bool]]:
    """(organisation id, name, is default) of every centre that can receive reports, by name."""
    rows = session.exec(select(Organisation.id, Organisation.name, ReceivingCentre.is_default)
                        .join(ReceivingCentre, col(ReceivingCentre.organisation_id) == col(Organisation.id))
                        .order_by(Organisation.name)).all()
    return [(int(org_id or 0), name, bool(default)) for org_id, name, default in rows]


def public_key_of_centre(session: Session, organisation_id: int) -> bytes | None:
    centre = session.get(ReceivingCentre, organisation_id)
    return centre.public_key if centre else None
