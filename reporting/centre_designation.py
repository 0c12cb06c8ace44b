"""Which counselling centres receive reports, chosen by an administrator before the centres have keys.

A centre's key pair must be held by its members, never by an administrator. So the administrator only
designates a centre (and the default one); the centre is established (key pair made, granted, recovery key
shown once) by its first member when they accept their invitation. Reports can go to it from then on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from core.accounts import Organisation
from core.actors import Actor, OrganisationKind
from core.audit import record
from core.crypto import Argon2Params
from core.errors import ValidationFailed
from core.keyring import public_key_of
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers centre.designate)
from reporting.centres import establish_centre
from reporting.models import ReceivingCentre


class DesignatedCentre(SQLModel, table=True):
    """A counselling centre chosen to receive reports that has no key pair yet."""

    __tablename__ = "designated_centre"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    is_default: bool = False
    designated_at: datetime


def designations(session: Session) -> tuple[set[int], set[int], int | None]:
    """(established centres, designated ones waiting for their first member, the default centre)."""
    established = {c.organisation_id: c.is_default for c in session.exec(select(ReceivingCentre)).all()}
    waiting = {d.organisation_id: d.is_default for d in session.exec(select(DesignatedCentre)).all()}
    default = next((org for org, flag in {**established, **waiting}.items() if flag), None)
    return set(established), set(waiting), default


def designate_centres(session: Session, actor: Actor, organisation_ids: list[int], default_id: int | None, *,
                      now: datetime) -> None:
    POLICY.require(actor, "centre.designate")
    errors: dict[str, str] = {}
    chosen = set(organisation_ids)
    for org_id in chosen:
        org = session.get(Organisation, org_id)
        if org is None or org.kind != OrganisationKind.COUNSELLING_CENTRE:
            errors["centres"] = "choose_option"
    established, _waiting, _default = designations(session)
    chosen |= established  # an established centre keeps receiving: its reports and key stay
    if not chosen:
        errors["centres"] = "choose_centre"
    if default_id is None or default_id not in chosen:
        errors["default_centre"] = "choose_default_centre"
    if errors:
        raise ValidationFailed(errors)
    for row in session.exec(select(DesignatedCentre)).all():
        if row.organisation_id not in chosen:
            session.delete(row)
    for org_id in chosen:
        if org_id in established:
            centre = session.get(ReceivingCentre, org_id)
            assert centre is not None
            centre.is_default = org_id == default_id
            session.add(centre)
        else:
            row = session.get(DesignatedCentre, org_id) or DesignatedCentre(organisation_id=org_id, designated_at=now)
            row.is_default = org_id == default_id
            session.add(row)
    session.flush()
    record(session, actor, "centre.designate", "organisation", default_id, now=now)


def establish_on_first_member(session: Session, organisation_id: int, user_id: int, params: Argon2Params, *,
                              now: datetime) -> str | None:
    """If the member's centre is designated and has no key yet, make it with this member holding it;
    returns the recovery key (to be shown once to this member), or None when nothing was to be done."""
    row = session.get(DesignatedCentre, organisation_id)
    if row is None or session.get(ReceivingCentre, organisation_id) is not None \
            or public_key_of(session, user_id) is None:
        return None
    is_default = row.is_default or session.exec(select(ReceivingCentre)).first() is None
    session.delete(row)
    session.flush()
    recovery = establish_centre(session, organisation_id, [user_id], params, now=now, is_default=is_default)
    record(session, Actor(user_id=user_id, organisation_id=organisation_id), "centre.establish", "organisation",
           organisation_id, now=now, organisation_id=organisation_id)
    return recovery
