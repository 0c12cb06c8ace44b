"""The people of the design notes as factories: two centres, the strategy group, an admin."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlmodel import Session

from core import accounts
from core.actors import SYSTEM, Actor, OrganisationKind, Role
from core.clock import utcnow
from core.crypto import Crypto

PASSWORD = "correct horse battery staple"


@dataclass
class Persona:
    key: str
    email: str
    password: str
    user_id: int
    organisation_id: int
    roles: frozenset[Role]
    totp_secret: str | None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, organisation_id=self.organisation_id, roles=self.roles)

    def totp(self, offset_steps: int = 0) -> str:
        assert self.totp_secret
        totp = pyotp.TOTP(self.totp_secret)
        return totp.at(utcnow().timestamp() + offset_steps * totp.interval)


# key: (organisation, kind, roles, second factor enrolled)
PERSONAS = {
    "counsellor_a": ("Beratungsstelle A", OrganisationKind.COUNSELLING_CENTRE, {Role.COUNSELLOR}, True),
    "lead_a": ("Beratungsstelle A", OrganisationKind.COUNSELLING_CENTRE, {Role.COUNSELLOR, Role.CENTRE_LEAD}, True),
    "counsellor_b": ("Beratungsstelle B", OrganisationKind.COUNSELLING_CENTRE, {Role.COUNSELLOR}, True),
    "coordinator": ("Integrationsbüro", OrganisationKind.MUNICIPAL_DEPARTMENT,
                    {Role.COORDINATOR, Role.STRATEGY_MEMBER}, False),
    "strategy_member": ("Migrantenverein", OrganisationKind.MIGRANT_ORGANISATION, {Role.STRATEGY_MEMBER}, False),
    "admin": ("IT der Stadt", OrganisationKind.OTHER, {Role.ADMIN}, True),
    # A second organisation of the strategy group (the action plan's tests: a member of another organisation).
    "strategy_member_b": ("Jugendamt", OrganisationKind.MUNICIPAL_DEPARTMENT, {Role.STRATEGY_MEMBER}, False),
}


class PersonaFactory:
    def __init__(self, db: Session, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto
        self._orgs: dict[str, int] = {}
        self._made: dict[str, Persona] = {}

    def organisation(self, name: str, kind: OrganisationKind) -> int:
        if name not in self._orgs:
            org = accounts.create_organisation(self.db, SYSTEM, name=name, kind=kind, now=utcnow())
            assert org.id is not None
            self._orgs[name] = org.id
            self.db.commit()
        return self._orgs[name]

    def __getitem__(self, key: str) -> Persona:
        if key not in self._made:
            org_name, kind, roles, with_totp = PERSONAS[key]
            org_id = self.organisation(org_name, kind)
            now = utcnow()
            user = accounts.create_user(self.db, self.crypto, organisation_id=org_id,
                                        email=f"{key}@example.org", display_name=key.replace("_", " ").title(),
                                        password=PASSWORD, roles=frozenset(roles), now=now)
            secret = None
            if with_totp:
                secret = accounts.new_totp_secret()
                # Enrol with the previous step's code so the current one is still unused for log-in.
                previous = pyotp.TOTP(secret).at(now.timestamp() - 30)
                accounts.enrol_totp(self.db, self.crypto, user, secret=secret, code=previous, now=now)
            self.db.commit()
            assert user.id is not None
            self._made[key] = Persona(key, user.email, PASSWORD, user.id, org_id, frozenset(roles), secret)
        return self._made[key]


def establish_centres(db: Session, crypto: Crypto, personas: PersonaFactory) -> dict[str, int]:
    """Centres A and B receive reports; their counsellors hold the centre keys. Returns org ids."""
    from reporting.centres import establish_centre
    result = {}
    for name, members, default in (("A", ("counsellor_a", "lead_a"), True), ("B", ("counsellor_b",), False)):
        people = [personas[key] for key in members]
        establish_centre(db, people[0].organisation_id, [p.user_id for p in people], crypto.argon2,
                         now=utcnow(), is_default=default)
        result[name] = people[0].organisation_id
    db.commit()
    return result


def add_districts(db: Session) -> list[str]:
    from reporting.models import District
    codes = ["altstadt", "nordviertel", "hafen"]
    for position, code in enumerate(codes):
        db.add(District(code=code, name=code.title(), position=position))
    db.commit()
    return codes
