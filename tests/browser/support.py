"""Helpers for the browser tests: console watching, log-in through the real forms, page audits."""

from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Page, Request, Response
from sqlmodel import Session, select

from core import accounts
from core.clock import utcnow
from core.crypto import Argon2Params, derive_key
from core.db import make_engine
from core.keyring import unlock_user_key
from reporting import dialogue
from reporting.centres import centre_key_for_member
from reporting.receipts import normalise_receipt
from web.demo import DEMO_PASSWORD, LOGINS, DemoLogin
from web.i18n import LANGUAGE_NAMES, html_lang, is_rtl
from web.settings import Settings, load_settings

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# A 1280 x 720 window at 200 % zoom lays pages out in 640 x 360 CSS pixels (WCAG 1.4.4 / 1.4.10).
DESKTOP = {"width": 1280, "height": 720}
ZOOMED_200 = {"width": 640, "height": 360}
# The language switcher names each language in that language, so these never get translated.
LANGUAGE_LINKS = {"de": "Deutsch", "en": "English"}
LANGUAGE_LINKS.update(LANGUAGE_NAMES)  # de, ls, en, tr, ar, uk, ru
# What the browser logs for an error status of the page itself: expected on error pages and
# after a failed form submission (the tests check the status they expect separately).
DOCUMENT_STATUS_ERROR = "Failed to load resource: the server responded with a status of"

_axe = Axe()


def demo_login(*, email: str) -> DemoLogin:
    return next(login for login in LOGINS if login.email == email)


# --- the live server -----------------------------------------------------------------------

@dataclass(frozen=True)
class LiveServer:
    """The running `vorort serve` and the environment it was started with."""

    base_url: str
    env: dict[str, str]

    @property
    def settings(self) -> Settings:
        return load_settings(self.env)


def reply_as_counsellor(live: LiveServer, receipt: str, text: str, *, email: str) -> None:
    """A counsellor answers the report with this receipt code, through the domain layer (as
    web/demo.py does): unlock the member key with the demo password, then the centre key."""
    settings = live.settings
    params = Argon2Params(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib,
                          parallelism=settings.argon2_parallelism)
    tag_key = derive_key(settings.secret_key_file.read_bytes(), "receipt-tag")  # first key, stored unchanged
    code = normalise_receipt(receipt)
    assert code is not None, f"not a receipt code: {receipt!r}"
    engine = make_engine(settings.database_url, pool=False)
    try:
        with Session(engine) as session:
            user = session.exec(select(accounts.User).where(accounts.User.email == email)).one()
            assert user.id is not None
            member_key = unlock_user_key(session, user.id, DEMO_PASSWORD, params)
            assert member_key is not None, f"the demo password does not unlock the key of {email}"
            centre_key = centre_key_for_member(session, user.organisation_id, user.id, member_key)
            assert centre_key is not None, f"{email} holds no key of their centre"
            by_receipt = dialogue.open_with_receipt(session, code, tag_key=tag_key, params=params)
            assert by_receipt is not None, f"no report with the receipt code {receipt}"
            actor = accounts.actor_for(session, user)
            access = dialogue.open_as_centre(session, actor, by_receipt.incident_id, centre_key)
            dialogue.reply_as_centre(session, actor, access, text, now=utcnow())
            session.commit()
    finally:
        engine.dispose()


# --- console and page errors -------------------------------------------------------------------

@dataclass
class Watch:
    """Everything a page logged as an error; `take()` hands over what came since the last call."""

    page: Page
    errors: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("request", self._on_request)

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.documents.add(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith(DOCUMENT_STATUS_ERROR) and url in self.documents:
            return
        self.errors.append(f"console error at {url or self.page.url}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"page error at {self.page.url}: {error.message}")

    def take(self) -> list[str]:
        taken, self.errors = self.errors, []
        return taken


_WATCHES: weakref.WeakKeyDictionary[Page, Watch] = weakref.WeakKeyDictionary()


def watch(page: Page) -> Page:
    """Start recording console errors and uncaught exceptions of this page."""
    _WATCHES[page] = Watch(page)
    return page


def console_errors(page: Page) -> list[str]:
    """Errors recorded since the last call (the page must have been passed to `watch`)."""
    return _WATCHES[page].take()


def assert_no_console_errors(page: Page) -> None:
    errors = console_errors(page)
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)


# --- navigation ------------------------------------------------------------------------------

def path_of(page: Page) -> str:
    return urlparse(page.url).path


def goto(page: Page, path: str, *, status: int = 200) -> Response:
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: expected status {status}, got {response.status} ({page.url})"
    return response


def submit(page: Page, form: str, fields: dict[str, str] | None = None, *, status: int = 200) -> Response | None:
    """Fill the fields (CSS selector -> value) and press the form's submit button."""
    for selector, value in (fields or {}).items():
        page.locator(form).locator(selector).fill(value)
    with page.expect_navigation() as navigation:
        page.locator(form).locator("button[type=submit]").first.click()
    response = navigation.value
    assert response is not None, f"submitting {form} on {page.url} gave no response"
    assert response.status == status, \
        f"submitting {form}: expected status {status}, got {response.status} ({page.url})"
    page.wait_for_load_state()
    if status == 422:  # a refused form says what is wrong, above the form and at each field
        assert page.locator(".error-summary").count() == 1, f"no error summary after submitting {form}"
        assert page.locator(".field-error").count() >= 1, f"no field error after submitting {form}"
    return response


def switch_language(page: Page, lang: str) -> None:
    """Use the visible language switcher, as a person would."""
    switcher = page.locator("nav.lang-switch")
    # Links everywhere; buttons in the middle of a report, which carry the answers along.
    link = switcher.get_by_role("link", name=LANGUAGE_LINKS[lang], exact=True).or_(
        switcher.get_by_role("button", name=LANGUAGE_LINKS[lang], exact=True))
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state()
    actual = page.locator("html").get_attribute("lang")
    assert actual == html_lang(lang), f"after choosing {LANGUAGE_LINKS[lang]} the page language is {actual!r}"


# --- log-in --------------------------------------------------------------------------------

# The server takes each authenticator step once per person (replay protection) and also accepts
# the step before and after the current one, for clock drift. Remember which step was used last.
_last_step: dict[str, int] = {}


def next_totp_code(login: DemoLogin) -> str:
    """A code the server accepts now and that this test session has not used yet."""
    assert login.totp_secret, f"{login.email} has no authenticator secret"
    totp = pyotp.TOTP(login.totp_secret)
    while True:
        now = time.time()
        current = int(now) // totp.interval
        for step in (current, current + 1):
            if step > _last_step.get(login.email, -1):
                _last_step[login.email] = step
                return totp.at(step * totp.interval)
        time.sleep((current + 1) * totp.interval - now + 0.2)


def enter_second_factor(page: Page, login: DemoLogin, *, target: str = "/start") -> None:
    assert path_of(page) == "/anmelden/zweiter-faktor", f"expected the second-factor step, at {page.url}"
    submit(page, "form[action='/anmelden/zweiter-faktor']", {"#field-code": next_totp_code(login)})
    assert path_of(page) == target, f"{login.email}: second factor did not lead to {target} but {page.url}"


def log_in(page: Page, login: DemoLogin, *, password: str = DEMO_PASSWORD, target: str = "/start") -> None:
    """Log in through the form at /anmelden, with the authenticator code when asked for one."""
    goto(page, "/anmelden")
    submit(page, "form[action='/anmelden']", {"#field-email": login.email, "#field-password": password})
    if path_of(page) == "/anmelden/zweiter-faktor":
        enter_second_factor(page, login, target=target)
    assert path_of(page) == target, f"{login.email}: log-in did not lead to {target} but {page.url}"


# --- audits --------------------------------------------------------------------------------

def _describe_violation(violation: dict) -> str:
    lines = [f"  [{violation['id']}] ({violation.get('impact')}) {violation['help']}"]
    for node in violation["nodes"][:10]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"      {json.dumps(node['target'])}: {node['html'][:160]}")
        if summary:
            lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[str]:
    results = _axe.run(page, options=AXE_OPTIONS)
    return [_describe_violation(v) for v in results.response["violations"]]


def horizontal_overflow(page: Page) -> str | None:
    """What is too wide at 200 % zoom (640 CSS px), or None when nothing scrolls sideways."""
    page.set_viewport_size(ZOOMED_200)
    try:
        # clientWidth: the viewport less a vertical scrollbar, if the page has one.
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if scroll <= min(client, ZOOMED_200["width"]):
            return None
        widest = page.evaluate(
            """limit => Array.from(document.body.querySelectorAll('*'))
                 .filter(e => e.getBoundingClientRect().right > limit).slice(-3)
                 .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (typeof e.className === 'string' && e.className.trim()
                      ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
            client)
        return f"scrollWidth {scroll} > {client}; too wide: {', '.join(widest)}"
    finally:
        page.set_viewport_size(DESKTOP)


def audit(page: Page, label: str, *, lang: str) -> list[str]:
    """axe WCAG 2.1 A/AA, console errors, page language and reflow at 200 % zoom for the current page."""
    where = f"{label} ({lang}, {urlparse(page.url).path})"
    problems = []
    actual_lang = page.locator("html").get_attribute("lang")
    if actual_lang != html_lang(lang):
        problems.append(f"{where}: <html lang> is {actual_lang!r}, expected {html_lang(lang)!r}")
    direction = page.locator("html").get_attribute("dir")
    if direction != ("rtl" if is_rtl(lang) else "ltr"):
        problems.append(f"{where}: <html dir> is {direction!r}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"{where}: {len(violations)} axe violation(s):\n" + "\n".join(violations))
    overflow = horizontal_overflow(page)
    if overflow is not None:
        problems.append(f"{where}: scrolls sideways at 200 % zoom ({overflow})")
    problems.extend(f"{where}: {error}" for error in console_errors(page))
    return problems
