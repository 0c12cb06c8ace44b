"""Co-ownership of measures: organisations are invited to a role and hold it once one of their members accepts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.accounts import Organisation
from core.actors import Actor, Role
from core.audit import record
from core.errors import Conflict, NotFound, ValidationFailed
from core.permissions import POLICY
from strategy.history import record_revision
from strategy.models import ROLE_KINDS, Measure, MeasureRole
from strategy.permissions import MeasureAccess

LEADING_ROLES = frozenset({"lead", "co_lead"})


def measure_access(session: Session, measure_id: int) -> MeasureAccess:
    """Which organisations hold an accepted role on the measure (what the permission checks look at)."""
    roles = session.exec(select(MeasureRole).where(MeasureRole.measure_id == measure_id,
                                                   MeasureRole.state == "active")).all()
    return MeasureAccess(measure_id=measure_id,
                         active_organisation_ids=frozenset(r.organisation_id for r in roles),
                         leading_organisation_ids=frozenset(r.organisation_id for r in roles
                                                            if r.role in LEADING_ROLES))


def has_active_lead(session: Session, measure_id: int) -> bool:
    return session.exec(select(MeasureRole.id).where(MeasureRole.measure_id == measure_id,
                                                     MeasureRole.role == "lead",
                                                     MeasureRole.state == "active")).first() is not None


def _measure(session: Session, measure_id: int) -> Measure:
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("measure")
    return measure


def invite_organisation(session: Session, actor: Actor, measure_id: int, *, organisation_id: int | None,
                        role: str, now: datetime) -> MeasureRole:
    """Offer an organisation a role on a measure; it counts once a member of that organisation accepts."""
    POLICY.require(actor, "plan.read")
    measure = _measure(session, measure_id)
    POLICY.require(actor, "measure.invite", measure_access(session, measure_id))
    errors: dict[str, str] = {}
    organisation = session.get(Organisation, organisation_id) if organisation_id is not None else None
    if organisation is None:
        errors["organisation_id"] = "Choose an organisation."
    if role not in ROLE_KINDS:
        errors["role"] = "Choose a role."
    if errors:
        raise ValidationFailed(errors)
    assert organisation is not None and organisation.id is not None
    existing = session.exec(select(MeasureRole).where(MeasureRole.measure_id == measure_id,
                                                      MeasureRole.organisation_id == organisation.id,
                                                      MeasureRole.role == role)).first()
    if existing is not None and existing.state in {"invited", "active"}:
        raise ValidationFailed({"organisation_id": "This organisation already holds or has been offered this role."})
    if existing is None:
        existing = MeasureRole(measure_id=measure_id, organisation_id=organisation.id, role=role, invited_at=now)
    existing.state, existing.invited_by, existing.invited_at = "invited", actor.user_id, now
    existing.accepted_by, existing.accepted_at, existing.ended_at = None, None, None
    session.add(existing)
    session.flush()
    measure.updated_at = now
    session.add(measure)
    record(session, actor, "measure.role.invite", "measure", measure_id, now=now)
    record_revision(session, actor, measure, action="role_invited", now=now)
    return existing


def respond_to_role(session: Session, actor: Actor, role_id: int, *, accept: bool, now: datetime) -> MeasureRole:
    """A member of the invited organisation accepts or declines the role on its behalf."""
    POLICY.require(actor, "plan.read")
    measure_role = session.get(MeasureRole, role_id)
    if measure_role is None:
        raise NotFound("measure role")
    POLICY.require(actor, "measure.role.respond", measure_role)
    if measure_role.state != "invited":
        raise Conflict("the invitation was already answered")
    measure_role.state = "active" if accept else "declined"
    measure_role.accepted_by, measure_role.accepted_at = actor.user_id, now
    session.add(measure_role)
    measure = _measure(session, measure_role.measure_id)
    measure.updated_at = now
    session.add(measure)
    record(session, actor, "measure.role.accept" if accept else "measure.role.decline", "measure",
           measure_role.measure_id, now=now)
    record_revision(session, actor, measure, action="role_accepted" if accept else "role_declined", now=now)
    return measure_role


def withdraw_role(session: Session, actor: Actor, role_id: int, *, now: datetime) -> MeasureRole:
    """End a role: the organisation itself, or a coordinator (e.g. after a reassignment decision)."""
    POLICY.require(actor, "plan.read")
    measure_role = session.get(MeasureRole, role_id)
    if measure_role is None:
        raise NotFound("measure role")
    if not (actor.has(Role.COORDINATOR) or measure_role.organisation_id == actor.organisation_id):
        POLICY.require(actor, "measure.role.respond", measure_role)
    if measure_role.state not in {"invited", "active"}:
        raise Conflict("the role has already ended")
    measure_role.state, measure_role.ended_at = "withdrawn", now
    session.add(measure_role)
    measure = _measure(session, measure_role.measure_id)
    measure.updated_at = now
    session.add(measure)
    record(session, actor, "measure.role.withdraw", "measure", measure_role.measure_id, now=now)
    record_revision(session, actor, measure, action="role_withdrawn", now=now)
    return measure_role


def grant_initial_lead(session: Session, actor: Actor, measure: Measure, *, now: datetime) -> MeasureRole | None:
    """A member who proposes a measure answers for it: their organisation becomes its accepted lead."""
    if actor.organisation_id is None or actor.user_id is None:
        return None
    measure_role = MeasureRole(measure_id=measure.id or 0, organisation_id=actor.organisation_id, role="lead",
                               state="active", invited_by=actor.user_id, invited_at=now, accepted_by=actor.user_id,
                               accepted_at=now)
    session.add(measure_role)
    session.flush()
    return measure_role


@dataclass(frozen=True)
class RoleView:
    id: int
    organisation_id: int
    organisation: str
    organisation_kind: str
    role: str
    state: str
    invited_at: datetime
    accepted_at: datetime | None
    can_respond: bool
    can_withdraw: bool


def roles_of_measure(session: Session, actor: Actor, measure_id: int) -> list[RoleView]:
    POLICY.require(actor, "plan.read")
    rows = session.exec(select(MeasureRole, Organisation).join(
        Organisation, col(Organisation.id) == MeasureRole.organisation_id).where(
        MeasureRole.measure_id == measure_id).order_by(col(MeasureRole.id))).all()
    order = {kind: i for i, kind in enumerate(ROLE_KINDS)}
    views = [RoleView(role.id or 0, org.id or 0, org.name, org.kind, role.role, role.state, role.invited_at,
                      role.accepted_at,
                      can_respond=role.state == "invited" and POLICY.can(actor, "measure.role.respond", role),
                      can_withdraw=role.state in {"invited", "active"} and (
                          actor.has(Role.COORDINATOR) or role.organisation_id == actor.organisation_id))
             for role, org in rows]
    return sorted(views, key=lambda v: (v.state not in {"active", "invited"}, order.get(v.role, 9), v.organisation))


def open_invitations(session: Session, actor: Actor) -> list[tuple[MeasureRole, Measure]]:
    """Roles offered to the actor's organisation that nobody has answered yet."""
    POLICY.require(actor, "plan.read")
    return list(session.exec(select(MeasureRole, Measure).join(Measure, col(Measure.id) == MeasureRole.measure_id)
                             .where(MeasureRole.organisation_id == actor.organisation_id,
                                    MeasureRole.state == "invited").order_by(col(MeasureRole.invited_at))).all())


def organisation_measure_ids(session: Session, organisation_id: int | None) -> dict[int, set[str]]:
    """measure id → the roles the organisation holds on it (accepted ones only)."""
    if organisation_id is None:
        return {}
    result: dict[int, set[str]] = {}
    for measure_id, role in session.exec(select(MeasureRole.measure_id, MeasureRole.role).where(
            MeasureRole.organisation_id == organisation_id, MeasureRole.state == "active")).all():
        result.setdefault(measure_id, set()).add(role)
    return result


def lead_names(session: Session, measure_ids: list[int]) -> dict[int, list[str]]:
    """measure id → names of organisations with an accepted lead role."""
    if not measure_ids:
        return {}
    result: dict[int, list[str]] = {}
    rows = session.exec(select(MeasureRole.measure_id, Organisation.name).join(
        Organisation, col(Organisation.id) == MeasureRole.organisation_id).where(
        col(MeasureRole.measure_id).in_(measure_ids), MeasureRole.role == "lead",
        MeasureRole.state == "active").order_by(col(Organisation.name))).all()
    for measure_id, name in rows:
        result.setdefault(measure_id, []).append(name)
    return result
