"""The strategy journey in a real browser, every page checked with axe (WCAG 2.1 A/AA).

Petra (coordinator) creates a plan from the "Integration vor Ort" template and invites two organisations to
a measure (Verein Brücke to lead, the youth office to co-lead); Murat and Anna each accept for their
organisation; a round-table meeting records the decision to agree the measure (which agrees it); Murat, for
the lead, starts it, posts an update with evidence and completes it; the briefing since the last meeting
lists the completion and the update, as a page and as a PDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page

from tests.browser.support import audit, goto, path_of
from web.demo import ORGANISATIONS

pytestmark = pytest.mark.browser

PETRA = "petra@musterstadt.example"
MURAT = "murat@bruecke.example"
ANNA = "anna@jugendamt.example"
TIMEOUT_MS = 30_000
PLAN_TITLE = "Aktionsplan Browser-Test"


def _patient(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


def _send(page: Page, form: str, fields: dict[str, str] | None = None, *, checks: tuple[str, ...] = (),
          selects: dict[str, str] | None = None, button: str | None = None) -> None:
    """Fill a form and send it the way a person does; works with plain forms and htmx-enhanced ones."""
    scope = page.locator(form).first
    for selector, value in (fields or {}).items():
        scope.locator(selector).fill(value)
    for selector, value in (selects or {}).items():
        scope.locator(selector).select_option(value)
        assert scope.locator(selector).input_value() == value, f"{selector} did not take {value!r}"
    for selector in checks:
        scope.locator(selector).check()
    target = scope.locator(button) if button else scope.locator("button[type=submit]").first
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        target.click()
    page.wait_for_load_state("networkidle")
    errors = page.locator(".error-summary").all_inner_texts()
    assert posted.value.status in {200, 303} and not errors, f"{form}: {posted.value.status} {errors}"


def _checked(page: Page, label: str, problems: list[str]) -> None:
    problems.extend(audit(page, label, lang="de"))


def test_strategy_journey_from_template_to_briefing(persona_page: Callable[[str], Page]) -> None:
    problems: list[str] = []
    petra = _patient(persona_page(PETRA))

    # 1. A plan from the template.
    goto(petra, "/plan")
    _checked(petra, "plans", problems)
    this_year = date.today().year
    _send(petra, "form[action='/plan']", {"#field-title": PLAN_TITLE, "#field-period_start": f"{this_year}-01-01",
                                          "#field-period_end": f"{this_year + 2}-12-31"},
          checks=("#field-template-integration_vor_ort",))
    # htmx swaps the new plan's overview in; its navigation names the plan's address.
    petra.locator("h1", has_text=PLAN_TITLE).wait_for()
    board = petra.locator("main nav a[href$='/tafel']").first.get_attribute("href") or ""
    plan_path = board.rsplit("/", 1)[0]
    goto(petra, plan_path)
    _checked(petra, "plan overview", problems)

    # 2. Two organisations invited to the first measure.
    petra.locator("main a[href^='/plan/massnahmen/']").first.click()
    petra.wait_for_url(re.compile(r"/plan/massnahmen/\d+$"))
    measure_path = path_of(petra)
    measure_title = petra.locator("h1").inner_text().strip()
    _checked(petra, "measure", problems)
    invite = f"form[action='{measure_path}/einladung']"
    for organisation, role in ((ORGANISATIONS[5][0], "lead"), (ORGANISATIONS[3][0], "co_lead")):
        goto(petra, measure_path)
        select = petra.locator(f"{invite} select[name=organisation_id]")
        value = select.locator("option", has_text=organisation).first.get_attribute("value")
        assert value, f"{organisation} is not offered"
        _send(petra, invite, selects={"select[name=organisation_id]": value}, checks=(f"#field-role-{role}",))
    goto(petra, measure_path)
    assert petra.locator("main").get_by_text("Verein Brücke").count() >= 1

    # 3. Both organisations accept.
    for email in (MURAT, ANNA):
        member = _patient(persona_page(email))
        goto(member, "/plan/meine-massnahmen")
        _checked(member, f"my measures ({email})", problems)
        accept = member.locator("main form[action^='/plan/rollen/'] button[value=accept]",
                                has_text=measure_title)
        assert accept.count() == 1, f"{email} sees no invitation to {measure_title!r}:\n" + \
            member.locator("main").inner_text()
        with member.expect_response(lambda r: r.request.method == "POST"):
            accept.click()
        member.wait_for_load_state("networkidle")
        member.close()

    # 4. A meeting agrees the measure.
    goto(petra, f"{plan_path}/sitzungen")
    _checked(petra, "meetings", problems)
    _send(petra, f"form[action='{plan_path}/sitzungen']", {"#field-title": "Runder Tisch im Browser-Test",
                                                          "#field-held_on": date.today().isoformat()})
    petra.wait_for_url(re.compile(r"/plan/sitzungen/\d+"))
    meeting_path = path_of(petra)
    _checked(petra, "meeting", problems)
    measure_id = measure_path.rsplit("/", 1)[1]
    _send(petra, f"form[action='{meeting_path}/tagesordnung']", {"#field-title": "Federführung und Beschluss"},
          selects={"#field-item_measure_id": measure_id})
    _send(petra, f"form[action='{meeting_path}/anwesenheit']")
    _send(petra, f"form[action='{meeting_path}/protokoll']", {"#field-minutes": "Die Partner stimmen zu."})
    _send(petra, f"form[action='{meeting_path}/beschluesse']",
          {"#field-text": "Die Maßnahme wird mit Verein Brücke und Jugendamt vereinbart."},
          selects={"#field-kind": "agree", "#field-measure_id": measure_id})
    _checked(petra, "meeting with decision", problems)
    goto(petra, f"{plan_path}/beschluesse")
    assert petra.locator(f"main a[href='{measure_path}']").count() == 1
    _checked(petra, "decision register", problems)

    # 5. The lead starts the measure, posts an update with evidence and completes it.
    murat = _patient(persona_page(MURAT))
    goto(murat, measure_path)
    assert "Agreed" in murat.locator("main").inner_text() or "Vereinbart" in murat.locator("main").inner_text()
    # The measure lists the decision about it, linked to the register (the other direction of the link).
    assert murat.locator(f"main a[href^='{plan_path}/beschluesse#beschluss-']").count() == 1
    status = f"form[action='{measure_path}/status']"
    for target in ("planned", "in_progress"):
        _send(murat, status, checks=(f"#field-target-{target}",))
        goto(murat, measure_path)
    _send(murat, f"form[action='{measure_path}/fortschritt']",
          {"#field-narrative": "Zwei Schulungen für Vermieter gehalten.", "#field-update_evidence": "Teilnahmelisten"},
          checks=("#field-assessment-on_track",))
    goto(murat, measure_path)
    _send(murat, status, {"#field-evidence": "Abschlussbericht liegt vor."}, checks=("#field-target-completed",))
    goto(murat, measure_path)
    _checked(murat, "completed measure", problems)

    # 6. The briefing lists it, as a page and as a PDF.
    goto(petra, f"{plan_path}/briefing")
    status_changes = petra.locator("section[aria-labelledby=b-status]").inner_text()
    updates = petra.locator("section[aria-labelledby=b-updates]").inner_text()
    assert measure_title in status_changes and measure_title in updates
    _checked(petra, "briefing", problems)
    pdf = petra.request.get(f"{plan_path}/briefing.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    assert problems == [], "\n".join(problems)
