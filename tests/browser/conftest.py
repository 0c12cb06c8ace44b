"""Browser fixtures: the real app served by `vorort serve` on a demo database, and Debian's Chromium.

Run separately: `.venv/bin/pytest -q -m browser tests/browser` (Playwright's sync API keeps an
event loop running, which would disturb the other tests in the same process).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.support import DESKTOP, LiveServer, assert_no_console_errors, demo_login, log_in, watch

ROOT = Path(__file__).resolve().parents[2]
# Playwright must not download browsers here; Debian's packages provide Chromium. Its headless shell
# (package chromium-headless-shell: the same Chromium without the desktop browser around it, what
# Playwright itself runs for headless tests) needs about a third less CPU than the full browser in
# headless mode; the full browser serves where the shell is not installed.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or next(
    (path for path in CHROMIUM_CANDIDATES if Path(path).is_file()), CHROMIUM_CANDIDATES[-1])
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 30


def _unavailable(reason: str) -> NoReturn:
    """In CI a missing browser fails the run; on a laptop the browser tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; install it with `make browser`")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"`vorort {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def live_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`vorort serve` on a fresh, migrated SQLite database with the demo loaded, with the settings it
    runs with (for domain calls against its database, e.g. a counsellor's answer)."""
    tmp = tmp_path_factory.mktemp("live")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("VORORT_")}
    env.update({
        "VORORT_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "VORORT_SECRET_KEY_FILE": str(tmp / "secret.key"),
        "VORORT_BASE_URL": base_url,  # invitation links point at this server
        # Argon2 cheap in tests only.
        "VORORT_ARGON2_MEMORY_KIB": "8",
        "VORORT_ARGON2_TIME_COST": "1",
        "VORORT_ARGON2_PARALLELISM": "1",
        # The whole suite sends more reports and tries more wrong receipt codes from 127.0.0.1 than
        # the per-address limits allow one person (10 each); they are tested outside the browser.
        "VORORT_INTAKE_LIMIT_PER_HOUR": "500",
        "VORORT_LOOKUP_FAILURES_PER_15_MINUTES": "500",
        # Off by default; the browser tests read the public chronicle.
        "VORORT_PUBLIC_CHRONICLE": "true",
    })
    _cli(env, "migrate")
    _cli(env, "seed-demo")
    log = tmp / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(base_url, server, log)
        yield LiveServer(base_url=base_url, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_instance: LiveServer) -> str:
    """Base URL of `vorort serve` on a fresh, migrated SQLite database with the demo loaded."""
    return live_instance.base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        pw = sync_playwright().start()
    except Exception as exc:
        _unavailable(f"Playwright could not start: {_first_line(exc)}")
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        _unavailable(f"Chromium at {CHROMIUM} could not start: {_first_line(exc)}")
    yield browser
    browser.close()


def _new_context(browser: Browser, base_url: str) -> BrowserContext:
    return browser.new_context(base_url=base_url, viewport=DESKTOP, locale="de-DE")


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh, anonymous browser context for one test."""
    ctx = _new_context(browser, live_server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """An anonymous page that records console errors and uncaught exceptions (see `console_errors`)."""
    return watch(context.new_page())


@pytest.fixture(scope="session")
def persona_contexts(browser: Browser, live_server: str) -> Iterator[Callable[[str], BrowserContext]]:
    """Browser contexts of demo log-ins, each logged in once through the form and reused afterwards
    (the authenticator accepts each code only once)."""
    contexts: dict[str, BrowserContext] = {}

    def context_of(email: str) -> BrowserContext:
        if email not in contexts:
            ctx = _new_context(browser, live_server)
            login_page = watch(ctx.new_page())
            log_in(login_page, demo_login(email=email))
            assert_no_console_errors(login_page)
            login_page.close()
            contexts[email] = ctx
        return contexts[email]

    yield context_of
    for ctx in contexts.values():
        ctx.close()


@pytest.fixture
def persona_page(persona_contexts: Callable[[str], BrowserContext]) -> Iterator[Callable[[str], Page]]:
    """Open a watched page in the logged-in context of a demo log-in; closed after the test."""
    pages: list[Page] = []

    def open_page(email: str) -> Page:
        context = persona_contexts(email)
        # The logged-in contexts live for the whole run; a language chosen in an earlier test must not
        # carry over, so each test starts with the browser's own language (German).
        context.clear_cookies(name="lang")
        new = watch(context.new_page())
        pages.append(new)
        return new

    yield open_page
    for opened in pages:
        opened.close()
