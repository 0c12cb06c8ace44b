"""Every page reachable so far, for every role and anonymously, in German and English: no axe
violations of WCAG 2.1 A/AA, no console errors, and no sideways scrolling at 200 % zoom."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page

from core.actors import OrganisationKind, Role
from tests.browser.support import (
    audit,
    demo_login,
    goto,
    log_in,
    next_totp_code,
    path_of,
    submit,
    switch_language,
)
from web.demo import DEMO_PASSWORD, LOGINS, ORGANISATIONS, DemoLogin

pytestmark = pytest.mark.browser

LANGUAGES = ["de", "en"]
# Invitations go here: every role may work at a counselling centre.
COUNSELLING_CENTRE = next(name for name, kind in ORGANISATIONS if kind == OrganisationKind.COUNSELLING_CENTRE)
_unique = itertools.count(1)

# One demo log-in per role.
ADMIN = next(login for login in LOGINS if Role.ADMIN in login.roles)
PERSONAS = {
    "admin": ADMIN,
    "counsellor": next(login for login in LOGINS if login.roles == {Role.COUNSELLOR}),
    "centre lead": next(login for login in LOGINS if Role.CENTRE_LEAD in login.roles),
    "coordinator": next(login for login in LOGINS if Role.COORDINATOR in login.roles),
    "strategy member": next(login for login in LOGINS if login.roles == {Role.STRATEGY_MEMBER}),
}
# Only ever between password and code here (test_keyboard logs this person in fully).
PENDING = demo_login(email="sophie@caritas.example")


@dataclass(frozen=True)
class Visit:
    label: str
    go: Callable[[Page], object]


def _get(path: str, status: int = 200) -> Callable[[Page], object]:
    return lambda page: goto(page, path, status=status)


def _failed_password_change(page: Page) -> None:
    goto(page, "/konto/passwort")
    submit(page, "form[action='/konto/passwort']",
           {"#field-current": "not the password", "#field-new": "short", "#field-confirm": "other"}, status=422)


def _failed_enrolment(page: Page) -> None:
    goto(page, "/anmelden/zweiter-faktor/einrichten?next=/konto")
    submit(page, "form[action='/anmelden/zweiter-faktor/einrichten']", {"#field-code": "1"}, status=422)


def _failed_organisation(page: Page) -> None:
    goto(page, "/admin")
    submit(page, "form[action='/admin/organisationen']", {"#field-name": ""}, status=422)


def _created_organisation(page: Page) -> None:
    goto(page, "/admin")
    form = "form[action='/admin/organisationen']"
    page.locator(form).locator("#field-name").fill(f"Testverein {next(_unique)}")
    page.locator(form).locator("#field-kind").select_option("migrant_organisation")
    submit(page, form)
    assert path_of(page) == "/admin"


def _failed_invitation(page: Page) -> None:
    goto(page, "/admin")
    submit(page, "form[action='/admin/einladungen']", {"#field-email": "no address"}, status=422)


def invite(page: Page, role: str = Role.STRATEGY_MEMBER) -> tuple[str, str]:
    """Invite a new person through the administration page; returns the link it shows once and the address."""
    goto(page, "/admin")
    email = f"neu{next(_unique)}@musterstadt.example"
    form = page.locator("form[action='/admin/einladungen']")
    form.locator("#field-email").fill(email)
    form.locator("#field-organisation_id").select_option(label=COUNSELLING_CENTRE)
    form.locator(f"#field-roles-{role}").check()
    submit(page, "form[action='/admin/einladungen']")
    return page.locator(".invite-link").inner_text().strip(), email


LOGGED_IN_VISITS = [
    Visit("start page", _get("/")),
    Visit("staff log-in", _get("/anmelden")),
    Visit("overview", _get("/start")),
    Visit("my account", _get("/konto")),
    Visit("change password", _get("/konto/passwort")),
    Visit("change password, failed", _failed_password_change),
    Visit("set up second factor", _get("/anmelden/zweiter-faktor/einrichten?next=/konto")),
    Visit("set up second factor, failed", _failed_enrolment),
    Visit("missing page", _get("/gibt-es-nicht", 404)),
]
ADMIN_VISITS = [
    Visit("administration", _get("/admin")),
    Visit("administration, organisation failed", _failed_organisation),
    Visit("administration, organisation created", _created_organisation),
    Visit("administration, invitation failed", _failed_invitation),
    Visit("invitation created", invite),
]
NOT_ADMIN_VISITS = [Visit("administration forbidden", _get("/admin", 403))]


def _walk(page: Page, lang: str, visits: list[Visit]) -> None:
    goto(page, "/")
    switch_language(page, lang)
    problems = audit(page, "after switching language", lang=lang)
    for visit in visits:
        visit.go(page)
        problems += audit(page, visit.label, lang=lang)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", list(PERSONAS))
def test_pages_of_role(persona_page: Callable[[str], Page], role: str, lang: str) -> None:
    visits = LOGGED_IN_VISITS + (ADMIN_VISITS if role == "admin" else NOT_ADMIN_VISITS)
    _walk(persona_page(PERSONAS[role].email), lang, visits)


@pytest.fixture(scope="session")
def invitation_link(persona_contexts: Callable[[str], BrowserContext]) -> str:
    """An invitation for the anonymous pages; it is never accepted there."""
    admin_page = persona_contexts(ADMIN.email).new_page()
    try:
        return invite(admin_page)[0]
    finally:
        admin_page.close()


def _failed_login(page: Page) -> None:
    goto(page, "/anmelden")
    submit(page, "form[action='/anmelden']",
           {"#field-email": "niemand@example.org", "#field-password": "wrong password"}, status=422)


def _protected_page(page: Page) -> None:
    goto(page, "/konto")
    assert path_of(page) == "/anmelden", f"/konto anonymously should lead to the log-in, not {page.url}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_anonymous_pages(page: Page, invitation_link: str, lang: str) -> None:
    def failed_invitation(p: Page) -> None:
        goto(p, invitation_link)
        submit(p, "form[action^='/einladung/']",
               {"#field-display_name": "", "#field-password": "short", "#field-confirm": "other"}, status=422)

    _walk(page, lang, [
        Visit("start page", _get("/")),
        Visit("poster for waiting rooms", _get("/aushang")),
        Visit("privacy notice", _get("/datenschutz")),
        Visit("accessibility statement", _get("/barrierefreiheit")),
        Visit("how reports are used", _get("/meldungen-nutzung")),
        Visit("imprint", _get("/impressum")),
        Visit("staff log-in", _get("/anmelden")),
        Visit("staff log-in, failed", _failed_login),
        Visit("protected page sends to log-in", _protected_page),
        Visit("logged out notice", _get("/anmelden?notice=logged_out")),
        Visit("missing page", _get("/gibt-es-nicht", 404)),
        Visit("invitation", _get(invitation_link)),
        Visit("invitation, failed", failed_invitation),
        Visit("invitation not valid", _get("/einladung/kein-gueltiger-link", 404)),
    ])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_second_factor_step(page: Page, lang: str) -> None:
    """Between password and code; the code is never entered here, so no code is used up."""
    goto(page, "/")
    switch_language(page, lang)
    goto(page, "/anmelden")
    submit(page, "form[action='/anmelden']", {"#field-email": PENDING.email, "#field-password": DEMO_PASSWORD})
    assert path_of(page) == "/anmelden/zweiter-faktor"
    problems = audit(page, "second factor", lang=lang)
    submit(page, "form[action='/anmelden/zweiter-faktor']", {"#field-code": "000"}, status=422)
    problems += audit(page, "second factor, failed", lang=lang)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def _set_up_second_factor(page: Page, login: DemoLogin) -> DemoLogin:
    """On the set-up page: type the code for the key shown there; returns the log-in with that key."""
    secret = page.locator("input[name=secret]").input_value()
    enrolled = DemoLogin(login.email, login.name, login.organisation, login.roles, secret)
    submit(page, "form[action='/anmelden/zweiter-faktor/einrichten']", {"#field-code": next_totp_code(enrolled)})
    assert page.locator(".codes code").count() > 0, "no recovery codes shown after setting up the second factor"
    return enrolled


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", [Role.STRATEGY_MEMBER, Role.COUNSELLOR])
def test_invitation_to_first_log_in(page: Page, persona_contexts: Callable[[str], BrowserContext], role: Role,
                                    lang: str) -> None:
    """Accept an invitation, log in as the new person, set up the second factor (a counsellor must, a
    strategy member may), change the password, log out: every page on the way."""
    admin_page = persona_contexts(ADMIN.email).new_page()
    try:
        link, email = invite(admin_page, role)
    finally:
        admin_page.close()
    goto(page, "/")
    switch_language(page, lang)
    goto(page, link)
    password = "ein langer Satz als Passwort"
    submit(page, "form[action^='/einladung/']",
           {"#field-display_name": "Neue Person", "#field-password": password, "#field-confirm": password})
    assert path_of(page) == "/anmelden"
    problems = audit(page, "account created notice", lang=lang)

    login = DemoLogin(email, "Neue Person", COUNSELLING_CENTRE, frozenset({role}), None)
    if role == Role.COUNSELLOR:  # the second factor is required before anything else
        log_in(page, login, password=password, target="/anmelden/zweiter-faktor/einrichten")
        problems += audit(page, "second factor set-up required", lang=lang)
        _set_up_second_factor(page, login)
        problems += audit(page, "recovery codes", lang=lang)
        with page.expect_navigation():
            page.locator("main a.button").click()
        assert path_of(page) == "/start"
        problems += audit(page, "overview after the required set-up", lang=lang)
    else:
        log_in(page, login, password=password)
        problems += audit(page, "overview of a new account", lang=lang)
        goto(page, "/konto")
        with page.expect_navigation():
            page.locator("main a[href^='/anmelden/zweiter-faktor/einrichten']").click()
        _set_up_second_factor(page, login)
        problems += audit(page, "recovery codes", lang=lang)
        with page.expect_navigation():
            page.locator("main a.button").click()
        assert path_of(page) == "/konto"
        problems += audit(page, "my account with the second factor on", lang=lang)

    goto(page, "/konto/passwort")
    new_password = "ein noch längerer Satz als Passwort"
    submit(page, "form[action='/konto/passwort']",
           {"#field-current": password, "#field-new": new_password, "#field-confirm": new_password})
    assert path_of(page) == "/konto"
    problems += audit(page, "password changed notice", lang=lang)

    with page.expect_navigation():
        page.locator("nav.main-nav form[action='/abmelden'] button").click()
    assert path_of(page) == "/anmelden"
    problems += audit(page, "logged out notice", lang=lang)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
