"""The public reporting flow (/melden, with htmx and the proof of work in the browser) and the status
page (/status), in German and English: axe WCAG 2.1 A/AA, console errors, reflow at 200 % zoom, and
focus placed on the new step or the error summary after each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response

from tests.browser.support import audit, goto, path_of, submit, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["de", "en"]
POW_SECONDS = 30


def _is_step_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/melden")


def _wait_for_htmx(page: Page) -> None:
    # Functions, not expressions: the page's CSP forbids evaluating strings.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _step(page: Page, go: str = "next", *, status: int = 200) -> None:
    """Press a button of the reporting form; htmx sends it and swaps the new step in."""
    with page.expect_response(_is_step_post) as answer:
        page.locator(f"form.report-form button[name=go][value='{go}']").click()
    assert answer.value.status == status, f"step {go!r}: expected {status}, got {answer.value.status}"
    _wait_for_htmx(page)
    # report.js moves focus to the error summary, or else to the new step's heading.
    expected = "error-summary" if status == 422 else "step-heading"
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=expected)
    if status == 422:
        assert page.locator(".field-error").count() >= 1, "no field error next to the field"


def _current_step_field(page: Page) -> str:
    return str(page.locator("form.report-form input[name=step]").input_value())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reporting_and_status_pages(page: Page, lang: str) -> None:
    problems: list[str] = []

    def check(label: str) -> None:
        problems.extend(audit(page, label, lang=lang))

    goto(page, "/")
    switch_language(page, lang)
    goto(page, "/melden")
    check("report: what happened")
    _step(page, status=422)
    check("report: what happened, nothing chosen")
    page.locator("input[name=incident_types]").first.check()
    _step(page)
    assert _current_step_field(page) == "where"
    check("report: where and when")
    page.locator("#field-day").fill("99")
    _step(page, status=422)
    check("report: where and when, impossible day")
    page.locator("#field-day").fill("")
    _step(page)
    assert _current_step_field(page) == "who"
    check("report: who was affected")
    _step(page)
    assert _current_step_field(page) == "story"
    check("report: description")
    _step(page, status=422)
    check("report: description missing")
    page.locator("#field-description").fill("Test: an der Kasse beleidigt.")
    _step(page)
    assert _current_step_field(page) == "contact"
    check("report: who reads it")
    _step(page)
    assert _current_step_field(page) == "review"
    check("report: check and send")

    # The browser solves the proof of work in the background before the report can go.
    page.wait_for_function("() => document.querySelector('[data-pow-number]').value !== ''",
                           timeout=POW_SECONDS * 1000)
    with page.expect_response(_is_step_post) as answer:
        page.locator("form.report-form button[name=go][value=send]").click()
    assert answer.value.status == 200, f"sending the report gave {answer.value.status}"
    _wait_for_htmx(page)
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert len(receipt.replace(" ", "")) == 16, f"unexpected receipt code {receipt!r}"
    check("report: receipt code")

    page.locator("#noted").check()
    with page.expect_navigation():
        page.locator("form[action='/melden/danke'] button[type=submit]").click()
    assert path_of(page) == "/melden/danke"
    check("report: what happens next")

    with page.expect_navigation():
        page.locator("main a[href='/status']").click()
    check("status: enter the code")
    submit(page, "form[action='/status']", {"#field-receipt": "1234"}, status=422)
    check("status: malformed code")
    submit(page, "form[action='/status']", {"#field-receipt": receipt})
    check("status: no messages yet")
    reply = "form[action='/status'][enctype='multipart/form-data']"
    submit(page, reply, {"#field-message": "Nachtrag: es war am Vormittag."})
    assert page.locator("ol.thread li").count() >= 1, "the message sent does not show in the conversation"
    check("status: message sent")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)

