"""Who is acting: roles and the actor value every domain function receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    CENTRE_LEAD = "centre_lead"
    STRATEGY_MEMBER = "strategy_member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    COUNSELLING_CENTRE = "counselling_centre"
    MUNICIPAL_DEPARTMENT = "municipal_department"
    MIGRANT_ORGANISATION = "migrant_organisation"
    OTHER = "other"


# Roles whose holders see or administer confidential material must prove a second factor.
ROLES_REQUIRING_TOTP = frozenset({Role.COUNSELLOR, Role.CENTRE_LEAD, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    """An authenticated staff member, the system itself, or nobody (anonymous)."""

    user_id: int | None
    organisation_id: int | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    is_system: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.is_system

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


ANONYMOUS = Actor(user_id=None, organisation_id=None)
SYSTEM = Actor(user_id=None, organisation_id=None, roles=frozenset(Role), is_system=True)
