"""The action plan in Chromium, on the demo plan: overview, board, timeline, a measure, my organisation's
measures and the public progress page pass axe (WCAG 2.1 A/AA) in German and English, reflow at 200 %,
and Murat accepts his organisation's open invitation with the htmx-enhanced form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.support import audit, console_errors, goto, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["de", "en"]
COORDINATOR = "petra@musterstadt.example"
MEMBER = "murat@bruecke.example"


def _first_href(page: Page, prefix: str) -> str:
    href = page.locator(f"main a[href^='{prefix}']").first.get_attribute("href")
    assert href, f"no link starting with {prefix} on {page.url}"
    return href


def _wait_for_htmx(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _htmx_submit(page: Page, form: str, fields: dict[str, str], *, status: int) -> None:
    """Fill and send a form that htmx enhances: the answer is swapped into the page, no navigation."""
    for selector, value in fields.items():
        page.locator(form).locator(selector).fill(value)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator(form).locator("button[type=submit]").first.click()
    assert answer.value.status == status
    _wait_for_htmx(page)
    # Chromium logs every non-2xx answer to a script request; the 422 is the expected one.
    unexpected = [e for e in console_errors(page) if f"status of {status}" not in e]
    assert unexpected == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plan_pages_are_accessible(persona_page: Callable[[str], Page], page: Page, lang: str) -> None:
    problems: list[str] = []
    coordinator = persona_page(COORDINATOR)
    goto(coordinator, "/plan")
    switch_language(coordinator, lang)
    problems.extend(audit(coordinator, "plan list", lang=lang))
    goto(coordinator, "/plan")
    plan = _first_href(coordinator, "/plan/1")
    for path, label in ((plan, "overview"), (f"{plan}/tafel", "board"), (f"{plan}/zeitplan", "timeline")):
        goto(coordinator, path)
        problems.extend(audit(coordinator, label, lang=lang))
    assert coordinator.locator("svg.timeline-chart rect").count() > 5
    goto(coordinator, plan)
    measure = _first_href(coordinator, "/plan/massnahmen/")
    goto(coordinator, measure)
    coordinator.locator("section[aria-labelledby=history] details").first.locator("summary").click()
    problems.extend(audit(coordinator, "measure page", lang=lang))
    _htmx_submit(coordinator, f"form[action='{measure}/kommentare']", {"#field-body": " "}, status=422)
    assert coordinator.locator(".error-summary").count() == 1
    problems.extend(audit(coordinator, "measure page, empty comment refused", lang=lang))
    goto(coordinator, f"{measure}/bearbeiten")
    problems.extend(audit(coordinator, "measure form", lang=lang))
    member = persona_page(MEMBER)
    goto(member, "/plan/meine-massnahmen")
    switch_language(member, lang)
    problems.extend(audit(member, "my measures", lang=lang))
    goto(page, "/fortschritt")
    switch_language(page, lang)
    assert page.locator("main .card").count() >= 3
    problems.extend(audit(page, "public progress page", lang=lang))
    assert problems == [], "\n".join(problems)


def test_a_member_accepts_the_invitation_of_their_organisation(persona_page: Callable[[str], Page]) -> None:
    member = persona_page(MEMBER)
    goto(member, "/plan/meine-massnahmen")
    invitations = member.locator("#invitations-heading + ul .card")
    assert invitations.count() == 1
    title = invitations.first.locator("a").inner_text()
    with member.expect_response(lambda r: "/antwort" in r.url and r.request.method == "POST"):
        invitations.first.locator("button[value=accept]").click()
    _wait_for_htmx(member)
    assert member.locator("p.notice").count() == 1
    assert member.locator("#invitations-heading + ul .card").count() == 0
    assert title in member.locator("table").inner_text()
