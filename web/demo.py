"""Demo data for Musterstadt: organisations and one log-in per role (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyotp
from sqlmodel import Session, select

from core import accounts
from core.actors import SYSTEM, OrganisationKind, Role
from core.clock import utcnow
from core.crypto import Crypto
from core.keyring import unlock_user_key
from reporting import cases, dialogue
from reporting.centres import centre_key_for_member, establish_centre
from reporting.models import District, Incident
from web.demo_incidents import DISTRICTS, seed_incidents
from web.demo_meetings import seed_meetings
from web.demo_plan import seed_plan

# Published on purpose: the demo is for trying the app out.
DEMO_PASSWORD = "demo-passwort-musterstadt"  # nosec B105

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


@dataclass
class DemoResult:
    created: bool
    receipt: str = ""
    recovery_keys: dict[str, str] = field(default_factory=dict)


def seed_demo(session: Session, crypto: Crypto, *, tag_key: bytes) -> DemoResult:
    """Load the demo once; `created` is False when it is there already."""
    if session.exec(select(accounts.Organisation).where(
            accounts.Organisation.name == ORGANISATIONS[0][0])).first():
        return DemoResult(created=False)
    now = utcnow()
    by_name = {}
    user_ids: dict[str, int] = {}
    for name, kind in ORGANISATIONS:
        by_name[name] = accounts.create_organisation(session, SYSTEM, name=name, kind=kind, now=now)
    for login in LOGINS:
        org_id = by_name[login.organisation].id
        assert org_id is not None
        user = accounts.create_user(session, crypto, organisation_id=org_id, email=login.email,
                                    display_name=login.name, password=DEMO_PASSWORD, roles=login.roles, now=now)
        assert user.id is not None
        user_ids[login.email] = user.id
        if login.totp_secret:
            accounts.enrol_totp(session, crypto, user, secret=login.totp_secret,
                                code=pyotp.TOTP(login.totp_secret).at(now), now=now)
            # Enrolment marks the current step as used; the demo should accept the current code.
            user.totp_last_step = None
            session.add(user)
    session.flush()
    for position, (code, name) in enumerate(DISTRICTS):
        session.add(District(code=code, name=name, position=position))
    result = DemoResult(created=True)
    centre_ids = []
    for index, (name, _kind) in enumerate(ORGANISATIONS[:2]):
        org = by_name[name]
        assert org.id is not None
        members = [user_ids[login.email] for login in LOGINS if login.organisation == name]
        result.recovery_keys[name] = establish_centre(session, org.id, members, crypto.argon2, now=now,
                                                      is_default=index == 0)
        centre_ids.append(org.id)
    result.receipt = seed_incidents(session, centre_ids, tag_key=tag_key, params=crypto.argon2, today=now.date())
    _answer_demo_report(session, crypto, result.receipt, tag_key=tag_key, now=now)
    seed_plan(session, crypto, [org.id or 0 for org in by_name.values()], password=DEMO_PASSWORD, now=now)
    seed_meetings(session, now=now)
    session.flush()
    return result


def _answer_demo_report(session: Session, crypto: Crypto, receipt: str, *, tag_key: bytes, now: datetime) -> None:
    """Jonas answers the demo report, so the status page shows a conversation."""
    jonas = next(login for login in LOGINS if login.email.startswith("jonas"))
    user = session.exec(select(accounts.User).where(accounts.User.email == jonas.email)).one()
    assert user.id is not None
    member_key = unlock_user_key(session, user.id, DEMO_PASSWORD, crypto.argon2)
    assert member_key is not None
    centre_key = centre_key_for_member(session, user.organisation_id, user.id, member_key)
    assert centre_key is not None
    access = dialogue.open_with_receipt(session, receipt, tag_key=tag_key, params=crypto.argon2)
    assert access is not None
    access = dialogue.open_as_centre(session, accounts.actor_for(session, user), access.incident_id, centre_key)
    actor = accounts.actor_for(session, user)
    dialogue.reply_as_centre(session, actor, access,
                             "Guten Tag, danke für Ihre Meldung. Das tut uns sehr leid. Möchten Sie, dass wir "
                             "mit dem Supermarkt sprechen? Sie können hier antworten.", now=now)
    dialogue.add_reporter_message(session, access, "Ja, bitte. Ich war dort Stammkundin.", [], today=now.date())
    # A case with the AGG deadline, one intervention and a consent, so the workspace is not empty.
    incident = session.get(Incident, access.incident_id)
    assert incident is not None
    incident.verification = "verified"
    session.add(incident)
    case = cases.open_case(session, actor, incident, now=now)
    case_key = cases.case_access(session, actor, case, centre_key)
    cases.add_event(session, actor, case_key, kind="request", code="apology", on_date="", text="", now=now)
    cases.add_event(session, actor, case_key, kind="consent", code="case_documentation", on_date="", text="",
                    now=now)
    cases.add_event(session, actor, case_key, kind="intervention", code="counselling_session",
                    on_date=now.date().isoformat(), text="Erstgespräch am Telefon, Beschwerdebrief vereinbart.",
                    now=now)


def describe(result: DemoResult) -> str:
    lines = [describe_logins()]
    if result.receipt:
        from reporting.receipts import format_receipt
        lines.append(f"\nDemo receipt code for http://127.0.0.1:8000/status : {format_receipt(result.receipt)}")
    for centre, key in result.recovery_keys.items():
        lines.append(f"Recovery key of {centre} (demo only; a real centre prints and locks it away): {key}")
    return "\n".join(lines)


def describe_logins() -> str:
    lines = [f"Demo log-ins (password for all: {DEMO_PASSWORD}):"]
    for login in LOGINS:
        roles = ", ".join(sorted(login.roles))
        factor = "  (authenticator code: `vorort demo-code`)" if login.totp_secret else ""
        lines.append(f"  {login.email:<28} {roles:<32}{factor}")
    return "\n".join(lines)


def current_codes() -> dict[str, str]:
    return {login.email: pyotp.TOTP(login.totp_secret).now() for login in LOGINS if login.totp_secret}
