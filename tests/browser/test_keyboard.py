"""Keyboard only: the skip link comes first and lands in main; log-in works with Tab, typing and Enter."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.support import assert_no_console_errors, demo_login, goto, next_totp_code, path_of
from web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# A counsellor, so the second-factor step is part of the keyboard log-in too.
KEYBOARD_USER = demo_login(email="sophie@caritas.example")
MAX_TABS = 40


def _focused(page: Page) -> str:
    """A short description of the focused element, for comparisons and messages."""
    return str(page.evaluate(
        "(() => { const e = document.activeElement; if (!e || e === document.body) return 'body';"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        " + (e.className ? '.' + String(e.className).split(' ').join('.') : ''); })()"))


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with this id has focus, as a keyboard user would."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        seen.append(_focused(page))
    raise AssertionError(f"#{element_id} never got focus with Tab; focus went {' -> '.join(seen)}")


@pytest.mark.parametrize("path", ["/", "/anmelden"])
def test_skip_link_is_first_and_moves_focus_to_main(page: Page, path: str) -> None:
    goto(page, path)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), \
        f"the first Tab focused {_focused(page)}, not the skip link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, f"focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
    assert page.evaluate("location.hash") == "#main"
    assert_no_console_errors(page)


def test_keyboard_only_log_in_and_out(page: Page) -> None:
    goto(page, "/anmelden")
    _tab_to(page, "field-email")
    page.keyboard.type(KEYBOARD_USER.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "field-password", \
        f"Tab from the e-mail field went to {_focused(page)}"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert path_of(page) == "/anmelden/zweiter-faktor", f"password step led to {page.url}"

    _tab_to(page, "field-code")
    page.keyboard.type(next_totp_code(KEYBOARD_USER))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert path_of(page) == "/start", f"second factor led to {page.url}"

    # Log out with the keyboard too: Tab to the button in the main navigation and press Enter.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('form[action=\"/abmelden\"]') !== null"):
            break
    else:
        raise AssertionError("the log-out button never got focus with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert path_of(page) == "/anmelden"
    assert_no_console_errors(page)
