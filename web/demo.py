"""Demo data for Musterstadt: organisations and one log-in per role (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlmodel import Session, select

from core import accounts
from core.actors import SYSTEM, OrganisationKind, Role
from core.clock import utcnow
from core.crypto import Crypto

DEMO_PASSWORD = "demo-passwort-musterstadt"

ORGANISATIONS = [
    ("Antidiskriminierungsberatung AWO Musterstadt", OrganisationKind.COUNSELLING_CENTRE),
    ("Beratungsstelle gegen Rassismus Caritas Musterstadt", OrganisationKind.COUNSELLING_CENTRE),
    ("Integrationsbüro der Stadt Musterstadt", OrganisationKind.MUNICIPAL_DEPARTMENT),
    ("Jugendamt Musterstadt", OrganisationKind.MUNICIPAL_DEPARTMENT),
    ("Jobcenter Musterstadt", OrganisationKind.MUNICIPAL_DEPARTMENT),
    ("Verein Brücke – Migrantinnen und Migranten in Musterstadt", OrganisationKind.MIGRANT_ORGANISATION),
    ("Ukrainischer Kulturverein Musterstadt", OrganisationKind.MIGRANT_ORGANISATION),
    ("Stadtverwaltung – IT und Organisation", OrganisationKind.OTHER),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organisation: str
    roles: frozenset[Role]
    # Demo only: a fixed, published authenticator secret so `vorort demo-code` can show the code.
    totp_secret: str | None


def _login(email: str, name: str, org: int, roles: set[Role], secret: str | None = None) -> DemoLogin:
    return DemoLogin(email, name, ORGANISATIONS[org][0], frozenset(roles), secret)


LOGINS = [
    _login("admin@musterstadt.example", "Alex Admin", 7, {Role.ADMIN}, "JBSWY3DPEHPK3PXPADMINDEMO234567"),
    _login("jonas@awo.example", "Jonas Berater", 0, {Role.COUNSELLOR}, "JBSWY3DPEHPK3PXPJONASDEMO234567"),
    _login("leila@awo.example", "Leila Leitung", 0, {Role.COUNSELLOR, Role.CENTRE_LEAD},
           "JBSWY3DPEHPK3PXPLEILADEMO234567"),
    _login("sophie@caritas.example", "Sophie Beraterin", 1, {Role.COUNSELLOR}, "JBSWY3DPEHPK3PXPSOPHIEDEMO23456"),
    _login("petra@musterstadt.example", "Petra Koordination", 2, {Role.COORDINATOR, Role.STRATEGY_MEMBER}),
    _login("murat@bruecke.example", "Murat Strategie", 5, {Role.STRATEGY_MEMBER}),
    _login("anna@jugendamt.example", "Anna Jugendamt", 3, {Role.STRATEGY_MEMBER}),
]


def seed_demo(session: Session, crypto: Crypto) -> bool:
    """Load the demo once; returns False when it is there already."""
    if session.exec(select(accounts.Organisation).where(
            accounts.Organisation.name == ORGANISATIONS[0][0])).first():
        return False
    now = utcnow()
    by_name = {}
    for name, kind in ORGANISATIONS:
        by_name[name] = accounts.create_organisation(session, SYSTEM, name=name, kind=kind, now=now)
    for login in LOGINS:
        org_id = by_name[login.organisation].id
        assert org_id is not None
        user = accounts.create_user(session, crypto, organisation_id=org_id, email=login.email,
                                    display_name=login.name, password=DEMO_PASSWORD, roles=login.roles, now=now)
        if login.totp_secret:
            accounts.enrol_totp(session, crypto, user, secret=login.totp_secret,
                                code=pyotp.TOTP(login.totp_secret).at(now), now=now)
            # Enrolment marks the current step as used; the demo should accept the current code.
            user.totp_last_step = None
            session.add(user)
    session.flush()
    return True


def describe_logins() -> str:
    lines = [f"Demo log-ins (password for all: {DEMO_PASSWORD}):"]
    for login in LOGINS:
        roles = ", ".join(sorted(login.roles))
        factor = "  (authenticator code: `vorort demo-code`)" if login.totp_secret else ""
        lines.append(f"  {login.email:<28} {roles:<32}{factor}")
    return "\n".join(lines)


def current_codes() -> dict[str, str]:
    return {login.email: pyotp.TOTP(login.totp_secret).now() for login in LOGINS if login.totp_secret}
