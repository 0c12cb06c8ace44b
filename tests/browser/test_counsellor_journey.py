"""The counselling centre's workspace (/beratung) in a real browser.

1. A counsellor's journey: an anonymous report comes in through the JSON API (with a solved proof of
   work); Jonas logs in with password and authenticator code, sees the report in the inbox and the
   number next to "Counselling" go up, opens it, triages it (a rejection without a reason first),
   corrects its coding, answers the reporter, opens a case (the AGG claim period appears as a
   deadline), adds an intervention (without a date first) and a consent, assigns counsellors (nobody
   first), shares the case (refused, like the hand-over, until the client consents to sharing) and
   closes it (without an outcome first). The reporter reads the answer on /status with the receipt
   code. axe (WCAG 2.1 A/AA), console errors, reflow at 640 CSS px, the page title and the targets
   of error-summary links after every page load and every form sent.
2. The per-role sweep of test_accessibility.py, extended to every workspace page reachable so far,
   for the counsellor and the centre lead, in German and English; and /admin with its table of
   scheduled jobs for the administrator.
3. Known server bugs as strict xfails, so that they announce their fix.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from reporting.cases import agg_claim_deadline
from tests.browser.support import (
    DESKTOP,
    audit,
    demo_login,
    enter_second_factor,
    goto,
    path_of,
    submit,
    switch_language,
    watch,
)
from web.demo import DEMO_PASSWORD
from web.templating import format_date_for

pytestmark = pytest.mark.browser

LANGUAGES = ["de", "en"]
COUNSELLOR = demo_login(email="jonas@awo.example")
CENTRE_LEAD = demo_login(email="leila@awo.example")
ADMIN = demo_login(email="admin@musterstadt.example")
# Another browser run may share the machine: give pages time.
TIMEOUT_MS = 90_000

INCIDENT_DAY = date.today() - timedelta(days=12)
DESCRIPTION = "Beim Bäcker am Hafen wurde mir gesagt, ich solle dahin zurückgehen, wo ich herkomme."
REPORT = {
    "incident_types": ["insult_verbal_abuse"],
    "motives": ["racism"],
    "district": "hafen",
    "place_type": "shop_gastro_service",
    "year": INCIDENT_DAY.year, "month": INCIDENT_DAY.month, "day": INCIDENT_DAY.day,
    "reporter_role": "affected",
    "consequences": ["psychological"],
    "description": DESCRIPTION,
}
ANSWER = "Guten Tag, danke für Ihre Meldung. Wir melden uns beim Bäcker, wenn Sie einverstanden sind."
INTERVENTION_NOTE = "Beschwerdebrief an den Bäcker geschickt."

INCIDENT_LINKS = "main table a[href^='/beratung/meldungen/']"
CASE_LINKS = "main a[href^='/beratung/faelle/']"
# A CSV as a centre keeps it; the second row has a type that does not exist.
IMPORT_CSV = (b"incident_date;reporter_role;incident_types;motives;description;verification\n"
              b"14.03.2024;affected;insult_verbal_abuse;racism;Im Bus beschimpft;verified\n"
              b"03/2024;witness;kein_typ;racism;Unbekannter Typ;verified\n")


# --- helpers ------------------------------------------------------------------------------------

def _patient(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


def _solve(challenge: dict[str, Any]) -> dict[str, Any]:
    """The proof of work a browser does before sending: SHA-256(salt + number) == challenge."""
    for number in range(challenge["maxnumber"] + 1):
        if hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest() == challenge["challenge"]:
            return {"salt": challenge["salt"], "challenge": challenge["challenge"],
                    "signature": challenge["signature"], "number": number}
    raise AssertionError("the challenge has no solution")


def _submit_report_by_api(base_url: str, report: dict[str, Any]) -> str:
    """Send an anonymous report through the JSON API; returns its receipt code."""
    with urllib.request.urlopen(f"{base_url}/api/v1/challenge", timeout=60) as response:
        challenge = json.load(response)
    body = json.dumps({**report, "proof": _solve(challenge)}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/reports", data=body, method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, f"the API answered {response.status}"
        receipt = str(json.load(response)["receipt"])
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt), f"unexpected receipt code {receipt!r}"
    return receipt


def _badge(page: Page) -> int:
    """The number next to "Counselling" in the main navigation (0 when none is shown)."""
    badge = page.locator("nav.main-nav a[href='/beratung'] .badge")
    if badge.count() == 0:
        return 0
    found = re.match(r"\d+", badge.inner_text().strip())
    assert found, f"the badge shows {badge.inner_text()!r}"
    return int(found.group())


def _hrefs(page: Page, selector: str) -> list[str]:
    return [str(link.get_attribute("href")) for link in page.locator(selector).all()]


def _follow(page: Page, selector: str) -> None:
    """Click a link (the first one matching) and wait for the new page."""
    with page.expect_navigation():
        page.locator(selector).first.click()
    page.wait_for_load_state()


def _timeline(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("ol.timeline > li").all_inner_texts()]


class Checks:
    """Collects what `audit` finds on each page, and the title of each page (no markup in it)."""

    def __init__(self, page: Page, lang: str) -> None:
        self.page, self.lang, self.problems = page, lang, []

    def __call__(self, label: str) -> None:
        where = f"{label} ({self.lang}, {path_of(self.page)})"
        title = self.page.title()
        if "<" in title or not title.strip():
            self.problems.append(f"{where}: broken <title>: {title[:120]!r}")
        # Every link of an error summary leads to the field it names.
        dead = self.page.evaluate("""() => Array.from(document.querySelectorAll('.error-summary a[href^="#"]'))
            .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
        if dead:
            self.problems.append(f"{where}: error summary links to missing fields: {dead}")
        self.problems.extend(audit(self.page, label, lang=self.lang))

    def assert_none(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems)


# --- 1. the counsellor's journey ------------------------------------------------------------------

@pytest.fixture
def counsellor_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A context of its own: Jonas logs in through the forms in this test."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="de-DE")
    try:
        yield _patient(watch(context.new_page()))
    finally:
        context.close()


def test_counsellor_journey(counsellor_page: Page, page: Page, live_server: str) -> None:
    jonas, reporter = counsellor_page, _patient(page)
    check = Checks(jonas, "de")

    # Log in: password, then the authenticator code.
    goto(jonas, "/anmelden")
    check("staff log-in")
    submit(jonas, "form[action='/anmelden']", {"#field-email": COUNSELLOR.email, "#field-password": DEMO_PASSWORD})
    check("second factor")
    enter_second_factor(jonas, COUNSELLOR)
    check("overview")
    waiting_before = _badge(jonas)
    goto(jonas, "/beratung")
    check("inbox")
    known = set(_hrefs(jonas, INCIDENT_LINKS))

    # A resident reports anonymously; the report shows up in the inbox and the badge counts it.
    receipt = _submit_report_by_api(live_server, REPORT)
    goto(jonas, "/beratung")
    check("inbox with the new report")
    assert _badge(jonas) == waiting_before + 1, \
        f"the badge shows {_badge(jonas)}, expected {waiting_before + 1} after a new report"
    new = [href for href in _hrefs(jonas, INCIDENT_LINKS) if href not in known]
    assert len(new) == 1, f"expected exactly one new report in the inbox, found {new}"
    incident_path = new[0]
    _follow(jonas, f"{INCIDENT_LINKS}[href='{incident_path}']")
    assert path_of(jonas) == incident_path
    check("new report")
    assert jonas.locator("#text-heading + p.sealed-text").inner_text().strip() == DESCRIPTION

    # Triage: spam without a reason is refused; then verified.
    triage = "form[action$='/sichtung']"
    jonas.locator("#field-decision-spam").check()
    submit(jonas, triage, status=422)
    assert jonas.locator("#error-summary a[href='#field-note']").count() == 1, "the summary does not name the reason"
    assert jonas.locator("#field-note").get_attribute("aria-invalid") == "true"
    assert jonas.locator("#field-decision-spam").is_checked(), "the failed form lost the decision"
    check("triage refused: spam without a reason")
    jonas.locator("#field-decision-verified").check()
    submit(jonas, triage)
    assert path_of(jonas) == incident_path
    assert jonas.locator("#field-decision-verified").is_checked()
    check("triaged as verified")
    assert _badge(jonas) == waiting_before, "the triaged report still counts as waiting"

    # Coding: the types change (the primary type follows the severity rule).
    _follow(jonas, f"main a[href='{incident_path}/kodierung']")
    check("coding")
    assert jonas.locator("#field-incident_types-insult_verbal_abuse").is_checked(), "the coding form lost the type"
    assert jonas.locator("#field-day").input_value() == str(INCIDENT_DAY.day)
    jonas.locator("#field-incident_types-insult_verbal_abuse").uncheck()
    jonas.locator("#field-incident_types-threat_coercion").check()
    jonas.locator("#field-incident_types-discrimination").check()
    jonas.locator("#field-life_area").select_option("goods_services")
    jonas.locator("#field-discrimination_form").select_option("harassment")
    submit(jonas, f"form[action='{incident_path}/kodierung']")
    assert path_of(jonas) == incident_path
    coded = jonas.locator("dl.facts dd").first.inner_text()
    check("coding saved")
    goto(jonas, f"{incident_path}/kodierung")
    assert jonas.locator("#field-incident_types-threat_coercion").is_checked()
    assert jonas.locator("#field-incident_types-discrimination").is_checked()
    assert not jonas.locator("#field-incident_types-insult_verbal_abuse").is_checked()
    assert jonas.locator("#field-life_area").input_value() == "goods_services"
    check("coding, saved values")
    goto(jonas, incident_path)
    assert jonas.locator("dl.facts dd").first.inner_text() == coded

    # An answer to the reporter.
    submit(jonas, "form[action$='/antwort']", {"#field-message": ANSWER})
    assert path_of(jonas) == incident_path
    bodies = [text.strip() for text in jonas.locator("ol.thread li.from-centre .body").all_inner_texts()]
    assert bodies == [ANSWER], f"the conversation shows {bodies!r}"
    check("answer sent")

    # A case: the AGG claim period is there from the start, as the report gives a day.
    with jonas.expect_navigation():
        jonas.locator("form[action$='/fall'] button[type=submit]").click()
    jonas.wait_for_load_state()
    case_path = path_of(jonas)
    assert re.fullmatch(r"/beratung/faelle/\d+", case_path), f"opening a case led to {jonas.url}"
    check("new case")
    deadline = format_date_for(agg_claim_deadline(INCIDENT_DAY), "de")
    entries = _timeline(jonas)
    assert any("AGG" in entry and deadline in entry for entry in entries), \
        f"no AGG deadline on {deadline} in the timeline: {entries}"

    # An intervention: without a date it is refused, with one it is added.
    add = f"form[action='{case_path}/eintrag']"
    jonas.locator(add).locator("#field-kind").select_option("intervention")
    jonas.locator(add).locator("#field-code").select_option("complaint_letter")
    submit(jonas, add, {"#field-text": INTERVENTION_NOTE}, status=422)
    assert jonas.locator("#error-summary a[href='#field-on_date']").count() == 1
    assert jonas.locator("#field-text").input_value().strip() == INTERVENTION_NOTE, "the failed form lost the text"
    check("intervention refused: no date")
    on_date = date.today() - timedelta(days=1)
    submit(jonas, add, {"#field-on_date": on_date.isoformat()})
    assert path_of(jonas) == case_path
    check("intervention added")
    entries = _timeline(jonas)
    assert any(INTERVENTION_NOTE in entry and format_date_for(on_date, "de") in entry for entry in entries), \
        f"the intervention is not in the timeline with its date: {entries}"

    # A consent, with the version of the wording it was given to.
    jonas.locator(add).locator("#field-kind").select_option("consent")
    jonas.locator(add).locator("#field-code").select_option("anonymised_statistics")
    submit(jonas, add)
    check("consent recorded")
    assert len(_timeline(jonas)) == len(entries) + 1, "the consent is not in the timeline"

    # Co-counselling: nobody is refused; then Jonas and Leila.
    team = f"form[action='{case_path}/zuweisung']"
    for box in jonas.locator(team).locator("input[name=members]").all():
        box.uncheck()
    submit(jonas, team, status=422)
    assert jonas.locator("#error-summary a[href='#field-members']").count() == 1
    assert jonas.locator("#field-members .field-error").count() == 1, "no error at the counsellors' field"
    check("assignment refused: nobody chosen")
    jonas.locator(team).get_by_label(COUNSELLOR.name, exact=True).check()
    jonas.locator(team).get_by_label(CENTRE_LEAD.name, exact=True).check()
    submit(jonas, team)
    assert path_of(jonas) == case_path
    assert jonas.locator(team).locator("input[name=members]:checked").count() == 2
    check("counsellors assigned")

    # Sharing and handing over need the client's consent to sharing, which is not given yet.
    hand_over = f"form[action='{case_path}/uebergabe']"
    jonas.locator(hand_over).locator("#field-target").select_option(index=1)
    submit(jonas, hand_over, status=422)
    assert jonas.locator(f"section:has({hand_over}) #error-summary a[href='#field-target']").count() == 1
    assert jonas.locator(hand_over).locator("#error-target").count() == 1
    check("hand-over refused: no consent to sharing")
    share = f"form[action='{case_path}/teilen']"
    jonas.locator(share).locator("#field-partner").select_option(index=1)
    submit(jonas, share, status=422)
    assert jonas.locator(f"section:has({share}) #error-summary a[href='#field-partner']").count() == 1
    check("sharing refused: no consent to sharing")
    jonas.locator(add).locator("#field-kind").select_option("consent")
    jonas.locator(add).locator("#field-code").select_option("share_with_partner")
    submit(jonas, add)
    jonas.locator(share).locator("#field-partner").select_option(index=1)
    submit(jonas, share)
    assert path_of(jonas) == case_path
    end_share = f"form[action^='{case_path}/teilen-beenden/']"
    assert jonas.locator(end_share).count() == 1, "the partner centre is not listed as sharing the case"
    check("case shared with the partner centre")
    submit(jonas, end_share)
    assert jonas.locator(end_share).count() == 0, "sharing did not end"
    check("sharing ended")

    # Closing needs an outcome.
    status = f"form[action='{case_path}/status']"
    jonas.locator("#field-status-closed").check()
    submit(jonas, status, status=422)
    assert jonas.locator("#error-summary a[href='#field-outcome']").count() == 1
    assert jonas.locator("#field-status-closed").is_checked(), "the failed form lost the status"
    check("closing refused: no outcome")
    jonas.locator("#field-outcome").select_option("apology")
    submit(jonas, status)
    assert path_of(jonas) == case_path
    assert jonas.locator("#field-status-closed").is_checked()
    assert jonas.locator("#field-outcome").input_value() == "apology"
    check("case closed")
    goto(jonas, "/beratung")
    assert f"{case_path}" not in _hrefs(jonas, CASE_LINKS), "the closed case is still listed as open"
    check("inbox after closing the case")

    # The reporter reads the answer with the receipt code.
    goto(reporter, "/status")
    reporter_check = Checks(reporter, "de")
    reporter_check("status: enter the code")
    submit(reporter, "form[action='/status']", {"#field-receipt": receipt})
    from_centre = [text.strip() for text in reporter.locator("ol.thread li.from-centre .body").all_inner_texts()]
    assert from_centre == [ANSWER], f"the reporter sees {from_centre!r}"
    reporter_check("status: the centre's answer")

    check.assert_none()
    reporter_check.assert_none()


# --- 2. every workspace page, per role and language ---------------------------------------------

def _walk_workspace(page: Page, lang: str, *, lead: bool) -> None:
    check = Checks(_patient(page), lang)
    goto(page, "/")
    switch_language(page, lang)

    # The inbox with a filter applied.
    goto(page, "/beratung")
    check("inbox")
    # Both filters here; "Any time" (an empty age) has its own test below.
    page.locator("#filter-verification").select_option("verified")
    page.locator("#filter-age").select_option("30")
    submit(page, "form.filters")
    assert "verification=verified" in page.url and "older_than=30" in page.url, f"no filter applied: {page.url}"
    assert page.locator("#filter-verification").input_value() == "verified"
    assert page.locator("#filter-age").input_value() == "30"
    check("inbox, filtered")

    # A report, its coding, a case.
    assert page.locator(INCIDENT_LINKS).count() > 0, "no verified report in the demo inbox"
    _follow(page, INCIDENT_LINKS)
    incident_path = path_of(page)
    check("report")
    _follow(page, f"main a[href='{incident_path}/kodierung']")
    check("coding")
    for box in page.locator("input[name=incident_types]").all():
        box.uncheck()
    submit(page, f"form[action='{incident_path}/kodierung']", status=422)
    check("coding, no type chosen")
    goto(page, "/beratung")
    assert page.locator(CASE_LINKS).count() > 0, "no open case in the demo"
    with page.expect_navigation():  # the oldest: the demo's case, whatever other tests opened since
        page.locator(CASE_LINKS).last.click()
    assert re.fullmatch(r"/beratung/faelle/\d+", path_of(page)), page.url
    check("case")

    # Recording an incident by hand; sent empty.
    goto(page, "/beratung/neu")
    check("record an incident")
    submit(page, "form[action='/beratung/neu']", status=422)
    check("record an incident, nothing entered")
    # Recorded with a receipt code for the person; a case for it.
    page.locator("#field-incident_types-discrimination").check()
    page.locator("#field-with_receipt-yes").check()
    submit(page, "form[action='/beratung/neu']", {"#field-description": f"Am Telefon berichtet ({lang})."})
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", page.locator(".receipt-code").inner_text().strip())
    check("recorded, receipt code for the person")
    _follow(page, "main a[href^='/beratung/meldungen/']")
    recorded_path = path_of(page)
    check("recorded report")
    with page.expect_navigation():
        page.locator("form[action$='/fall'] button[type=submit]").click()
    recorded_case = path_of(page)
    assert re.fullmatch(r"/beratung/faelle/\d+", recorded_case), f"opening a case led to {page.url}"
    purge = f"form[action='{recorded_case}/inhalt-loeschen']"
    assert page.locator(purge).count() == (1 if lead else 0), "only the lead may delete content"
    if lead:  # the client asks for the content to be deleted
        submit(page, purge)
        assert path_of(page) == recorded_case
        check("case, content deleted")
        goto(page, recorded_path)
        assert page.locator("main p.notice").count() == 1, "the report does not say its content is deleted"
        check("report, content deleted")

    goto(page, "/beratung/statistik")
    check("figures and export")

    # Import: the preview of a file with a bad row.
    goto(page, "/beratung/import")
    check("import")
    page.locator("#field-file").set_input_files(
        files=[{"name": "alte-faelle.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV}])
    with page.expect_navigation() as navigation:
        page.locator("form[action='/beratung/import'] button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 422, \
        f"a file with a bad row should give 422, got {response.status if response else None}"
    page.wait_for_load_state()
    assert page.locator("main table tbody tr.has-error").count() == 1, "the bad row is not marked"
    assert page.locator("form[action='/beratung/import/bestaetigen'] button[value=import]").count() == 0, \
        "a file with errors can be imported"
    check("import preview with a bad row")

    # The lead's pages; hidden from a counsellor.
    for path, label in (("/beratung/team", "team and access"), ("/beratung/protokoll", "audit log")):
        goto(page, path, status=200 if lead else 404)
        check(label if lead else f"{label}, not for a counsellor")
    if lead:
        goto(page, "/beratung/team")
        submit(page, "form[action='/beratung/team/wiederherstellung']", {"#field-recovery_key": "falsch"}, status=422)
        check("team and access, wrong recovery key")
    check.assert_none()


@pytest.fixture
def patient_persona_page(persona_page: Callable[[str], Page]) -> Callable[[str], Page]:
    return lambda email: _patient(persona_page(email))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ["counsellor", "centre lead"])
def test_workspace_pages_of_role(patient_persona_page: Callable[[str], Page], role: str, lang: str) -> None:
    login = CENTRE_LEAD if role == "centre lead" else COUNSELLOR
    _walk_workspace(patient_persona_page(login.email), lang, lead=role == "centre lead")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_administration_with_scheduled_jobs(patient_persona_page: Callable[[str], Page], lang: str) -> None:
    page = patient_persona_page(ADMIN.email)
    check = Checks(page, lang)
    goto(page, "/")
    switch_language(page, lang)
    goto(page, "/admin")
    jobs = page.locator("section[aria-labelledby=jobs-heading]")
    assert jobs.count() == 1, "no section with the scheduled jobs"
    assert jobs.locator("table thead th").count() == 3
    assert jobs.locator("table tbody tr").count() >= 1
    heading = page.locator("h1").inner_text().strip()
    assert page.title().startswith(f"{heading} · "), f"the title {page.title()[:120]!r} does not name the page"
    check("administration")
    check.assert_none()


# --- once bugs, now regression tests ------------------------------------------------------------

def test_inbox_filter_with_any_time(patient_persona_page: Callable[[str], Page]) -> None:
    page = patient_persona_page(COUNSELLOR.email)
    goto(page, "/beratung")
    page.locator("#filter-verification").select_option("verified")
    submit(page, "form.filters")


@pytest.mark.parametrize(("links", "notice"), [(INCIDENT_LINKS, "triaged"), (CASE_LINKS, "saved")],
                         ids=["report", "case"])
def test_confirmation_after_saving(patient_persona_page: Callable[[str], Page], links: str, notice: str) -> None:
    page = patient_persona_page(COUNSELLOR.email)
    goto(page, "/beratung")
    _follow(page, links)
    goto(page, f"{path_of(page)}?notice={notice}")
    assert page.locator("main .notice[role=status]").count() == 1, f"no confirmation at {page.url}"
