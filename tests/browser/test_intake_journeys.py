"""The anonymous intake (issue 3) as a resident meets it, in a real browser.

* Full reports, every step answered and a photo attached, in German and in Arabic, each with and
  without JavaScript: receipt code, status page, a counsellor's answer (written through the domain
  layer into the live server's database), the resident's reply in the conversation.
* axe (WCAG 2.1 A/AA), console errors, reflow at 640 CSS px and page direction on every page of the
  flow and of /status, in every language offered.
* A report completed with the keyboard alone; focus moves to the new step or the error summary.

Without JavaScript the proof of work cannot run, so the server accepts a challenge that is at least
20 s old instead. The two reports without JavaScript are opened with the first test of this module
(`no_script_drafts`) and completed by its last tests, so those 20 s pass while the others run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Response

from reporting.challenges import NO_SCRIPT_MIN_AGE
from tests.browser.support import (
    DESKTOP,
    LiveServer,
    assert_no_console_errors,
    audit,
    goto,
    horizontal_overflow,
    path_of,
    reply_as_counsellor,
    submit,
    switch_language,
    watch,
)
from web.demo import LOGINS, ORGANISATIONS
from web.i18n import is_rtl
from web.settings import SUPPORTED_LANGUAGES

pytestmark = pytest.mark.browser

ALL_LANGUAGES = list(SUPPORTED_LANGUAGES)  # de, ls, en, tr, ar, uk, ru
POW_SECONDS = 30
# The server counts whole seconds from the challenge's issue; one more second for safety.
NO_SCRIPT_WAIT = NO_SCRIPT_MIN_AGE.total_seconds() + 1
RECEIPT = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
MAX_TABS = 80

# The report goes to the centre that is not the default, so the choice is seen to count.
CARITAS = ORGANISATIONS[1][0]
CARITAS_COUNSELLOR = next(login.email for login in LOGINS if login.organisation == CARITAS)
AWO = ORGANISATIONS[0][0]
AWO_COUNSELLOR = next(login.email for login in LOGINS if login.organisation == AWO)
DISTRICT = "Hafen"
PICTURE_NAME = "beweisfoto.png"
PICTURE_SIZE = (64, 48)

DESCRIPTIONS = {
    "de": "An der Kasse im Supermarkt wurde ich beleidigt und ausgelacht.\nEine Kundin hat es gesehen.",
    "ar": "تعرضت للإهانة والسخرية عند الصندوق في السوبرماركت.\nرأت ذلك إحدى الزبونات.",
}
ANSWERS = {
    "de": "Danke für Ihre Antwort. Ja, bitte sprechen Sie mit dem Supermarkt.",
    "ar": "شكرا على ردكم. نعم، من فضلكم تحدثوا مع السوبرماركت.",
}
COUNSELLOR_REPLY = "Guten Tag, danke für Ihre Meldung. Möchten Sie, dass wir mit dem Supermarkt sprechen?"


# --- driving the reporting form --------------------------------------------------------------

def _is_step_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/melden")


def _wait_for_htmx(page: Page) -> None:
    # Functions, not expressions: the page's CSP forbids evaluating strings.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _wait_for_focus_on(page: Page, selector: str) -> None:
    page.wait_for_function("s => document.activeElement && document.activeElement.matches(s)", arg=selector,
                           timeout=5000)


@dataclass
class Reporter:
    """A person going through /melden: with JavaScript htmx swaps each step in, without it each
    step is a new page."""

    page: Page
    script: bool

    def press(self, go: str = "next", *, status: int = 200) -> None:
        """Press a button of the reporting form (Continue, Back, Change, Send) with the mouse."""
        button = self.page.locator(f"form.report-form button[name=go][value='{go}']")
        self.await_answer(button.click, sending=go == "send", status=status)

    def await_answer(self, action: Callable[[], object], *, sending: bool = False, status: int = 200) -> None:
        """Do `action` (which submits the form) and wait until the answer is shown and focused."""
        page = self.page
        if self.script:
            with page.expect_response(_is_step_post) as answer:
                action()
            response = answer.value
            _wait_for_htmx(page)
        else:
            with page.expect_navigation() as navigation:
                action()
            response = navigation.value
            assert response is not None, "the form gave no response"
            page.wait_for_load_state()
        assert response.status == status, f"expected status {status}, got {response.status} at step " \
                                           f"{self.step()!r}; errors: {self.errors()}"
        if not self.script:
            return
        # report.js moves focus to the error summary, or else to the new step's heading (the
        # receipt page has no step heading: its h1).
        receipt = sending and status == 200
        expected = "#error-summary" if status >= 400 else ("h1" if receipt else "#step-heading")
        _wait_for_focus_on(page, expected)
        # htmx takes the new page title over, so the title names the step shown.
        heading = page.locator("#receipt-heading" if receipt else "#step-heading").inner_text().strip()
        assert page.title().startswith(heading), f"title {page.title()!r} does not name the step {heading!r}"

    def step(self) -> str:
        field = self.page.locator("form.report-form input[name=step]")
        return str(field.input_value()) if field.count() else "(no step)"

    def errors(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".field-error").all_inner_texts()]

    def expect_step(self, key: str) -> None:
        assert self.step() == key, f"expected the step {key!r}, at {self.step()!r}; errors: {self.errors()}"


def _wait_for_proof_of_work(page: Page) -> None:
    page.wait_for_function("() => document.querySelector('[data-pow-number]').value !== ''",
                           timeout=POW_SECONDS * 1000)


def _assert_layout(page: Page, lang: str, label: str) -> None:
    """Direction of the page, and no sideways scrolling at 640 CSS px (200 % zoom)."""
    direction = page.locator("html").get_attribute("dir")
    assert direction == ("rtl" if is_rtl(lang) else "ltr"), f"{label} ({lang}): <html dir={direction!r}>"
    overflow = horizontal_overflow(page)
    assert overflow is None, f"{label} ({lang}) scrolls sideways at 640 px: {overflow}"


def _assert_buttons_in_reading_order(page: Page, lang: str) -> None:
    """Continue and Back appear in the order they get focus: from the start of the line (the
    right in Arabic) to its end."""
    boxes = [box for box in (button.bounding_box() for button in page.locator(".flow-buttons button").all()) if box]
    assert len(boxes) == 2, f"expected Continue and Back, found {len(boxes)} buttons"
    first, second = boxes
    if abs(first["y"] - second["y"]) < 1:  # on one line
        in_order = second["x"] < first["x"] if is_rtl(lang) else second["x"] > first["x"]
        assert in_order, f"({lang}) Back comes before Continue on screen but after it in the focus order"


def _answer_every_step(reporter: Reporter, lang: str) -> str:
    """Answer every question of every step up to the review; returns the date as the review shows it."""
    page = reporter.page
    reporter.expect_step("what")
    _assert_layout(page, lang, "what happened")
    for index in (0, 6):
        page.locator("input[name=incident_types]").nth(index).check()
    for index in (0, 1):
        page.locator("input[name=motives]").nth(index).check()
    page.locator("details.more > summary").click()
    page.locator("#field-racism_subcodes-anti_black").check()
    page.locator("#field-antisemitism_forms-modern").check()
    reporter.press()

    reporter.expect_step("where")
    _assert_layout(page, lang, "where and when")
    _assert_buttons_in_reading_order(page, lang)
    page.locator("#field-district").select_option(label=DISTRICT)
    page.locator("#field-place_type").select_option("shop_gastro_service")
    page.locator("#field-online-no").check()
    year = date.today().year - 1
    page.locator("#field-day").fill("14")
    page.locator("#field-month").select_option("3")
    page.locator("#field-year").fill(str(year))
    page.locator("#field-recurrence-single").check()
    reporter.press()

    reporter.expect_step("who")
    _assert_layout(page, lang, "who was affected")
    page.locator("#field-reporter_role-affected").check()
    page.locator("#field-target_type-individual").check()
    page.locator("#field-affected_count").fill("2")
    page.locator("#field-affected_age_band").select_option("adult")
    page.locator("#field-consequences-psychological").check()
    page.locator("#field-consequences-fear_avoidance").check()
    page.locator("#field-police_report-no").check()
    reporter.press()

    reporter.expect_step("story")
    _assert_layout(page, lang, "description")
    page.locator("#field-description").fill(DESCRIPTIONS[lang])
    reporter.press()

    reporter.expect_step("contact")
    _assert_layout(page, lang, "who reads it")
    page.get_by_label(CARITAS, exact=True).check()
    page.locator("#field-wants_contact-yes").check()
    page.locator("#field-contact").fill("Telefon 0176 0000000")
    reporter.press()

    reporter.expect_step("review")
    _assert_layout(page, lang, "check and send")
    return f"14.3.{year}"


def _open_status(page: Page, receipt: str) -> None:
    goto(page, "/status")
    submit(page, "form[action='/status']", {"#field-receipt": receipt})
    assert page.locator("ol.thread, dl.facts").count() >= 1, "the receipt code did not open the report"


def _state(page: Page) -> str:
    return page.locator("dl.facts dd strong").inner_text().strip()


# --- fixtures ---------------------------------------------------------------------------------

@dataclass
class Draft:
    context: BrowserContext
    reporter: Reporter
    started: float  # time.monotonic() when the page with the challenge was loaded


@pytest.fixture(scope="module")
def no_script_drafts(browser: Browser, live_server: str) -> Iterator[dict[str, Draft]]:
    """/melden opened without JavaScript in German and Arabic, language chosen with the switcher,
    as early as possible, so that the challenge is old enough by the time those reports are sent."""
    drafts: dict[str, Draft] = {}
    try:
        for lang in DESCRIPTIONS:
            context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="de-DE",
                                          java_script_enabled=False)
            page = watch(context.new_page())
            goto(page, "/melden")
            switch_language(page, lang)  # back at /melden, with a new challenge
            drafts[lang] = Draft(context, Reporter(page, script=False), time.monotonic())
        yield drafts
    finally:
        for draft in drafts.values():
            draft.context.close()


@pytest.fixture(scope="module")
def picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / PICTURE_NAME
    Image.new("RGB", PICTURE_SIZE, (200, 40, 40)).save(path, format="PNG")
    return path


# --- 1. full reports ---------------------------------------------------------------------------

JOURNEY_LANGUAGES = list(DESCRIPTIONS)  # de, ar


@pytest.mark.parametrize("lang", JOURNEY_LANGUAGES)
def test_full_report_with_javascript(page: Page, lang: str, picture: Path, live_instance: LiveServer,
                                     no_script_drafts: dict[str, Draft]) -> None:
    """Also starts the reports without JavaScript (`no_script_drafts`): their 20 s pass meanwhile."""
    goto(page, "/melden")
    switch_language(page, lang)
    _full_report(Reporter(page, script=True), lang, picture, live_instance, started=None)


def _full_report(reporter: Reporter, lang: str, picture: Path, live_instance: LiveServer, *,
                 started: float | None) -> None:
    """Every question answered, a photo attached, sent; the receipt noted; the state and the photo on
    the status page; the centre's answer read and answered."""
    page, script = reporter.page, reporter.script

    shown_date = _answer_every_step(reporter, lang)
    review = page.locator("dl.review").inner_text()
    for expected in (DISTRICT, shown_date, CARITAS):
        assert expected in review, f"the review does not show {expected!r}:\n{review}"
    shown_description = page.locator(".description-preview").inner_text().strip()
    assert shown_description == DESCRIPTIONS[lang], f"the review shows the description as {shown_description!r}"
    # Going back to a step and forward again keeps every answer.
    reporter.press("edit:who")
    reporter.expect_step("who")
    assert page.locator("#field-affected_count").input_value() == "2"
    assert page.locator("#field-consequences-fear_avoidance").is_checked()
    reporter.press()
    reporter.press()
    reporter.press()
    reporter.expect_step("review")

    page.locator("#field-files").set_input_files(picture)
    if script:
        _wait_for_proof_of_work(page)
    else:
        assert page.locator("[data-pow-number]").input_value() == "", "the proof of work ran without JavaScript"
        assert started is not None
        remaining = started + NO_SCRIPT_WAIT - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
    reporter.press("send")

    # The receipt: 16 digits in groups of four, printed once.
    assert page.locator("form.report-form").count() == 0, f"still in the form; errors: {reporter.errors()}"
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.fullmatch(receipt), f"unexpected receipt code {receipt!r}"
    assert page.locator(".receipt-code").get_attribute("dir") == "ltr"
    assert page.locator("[data-print]").is_visible() == script, "the print button needs JavaScript, and only that"
    assert CARITAS in page.locator("main").inner_text(), "the receipt page does not name the chosen centre"
    _assert_layout(page, lang, "receipt")
    page.locator("#noted").check()
    with page.expect_navigation():
        page.locator("form[action='/melden/danke'] button[type=submit]").click()
    assert path_of(page) == "/melden/danke"
    _assert_layout(page, lang, "what happens next")

    # The status page: the state, and the photo sent with the report, without its metadata.
    with page.expect_navigation():
        page.locator("main a[href='/status']").click()
    assert path_of(page) == "/status"
    submit(page, "form[action='/status']", {"#field-receipt": receipt})
    state_before = _state(page)
    assert state_before, "the status page shows no state"
    assert page.locator("ol.thread").count() == 0, "a new report already has messages"
    _assert_layout(page, lang, "status")
    with page.expect_download() as download:
        page.locator("form.inline-form button", has_text=PICTURE_NAME).click()
    saved = download.value.path()
    with Image.open(saved) as image:
        assert image.size == PICTURE_SIZE, f"the photo came back as {image.size}"

    # A counsellor of the chosen centre answers; the resident reads it and replies.
    reply_as_counsellor(live_instance, receipt, COUNSELLOR_REPLY, email=CARITAS_COUNSELLOR)
    _open_status(page, receipt)
    assert _state(page) != state_before, "the state did not change when the centre answered"
    from_centre = page.locator("ol.thread li.from-centre .body").all_inner_texts()
    assert from_centre == [COUNSELLOR_REPLY], f"the conversation shows {from_centre!r}"
    submit(page, "form[action='/status'][enctype='multipart/form-data']", {"#field-message": ANSWERS[lang]})
    assert page.locator(".notice[role=status]").count() == 1, "no confirmation that the message was sent"
    bodies = [text.strip() for text in page.locator("ol.thread li .body").all_inner_texts()]
    assert bodies == [COUNSELLOR_REPLY, ANSWERS[lang]], f"the conversation shows {bodies!r}"
    assert page.locator("ol.thread li").last.get_attribute("class") == "from-reporter"
    _assert_layout(page, lang, "conversation")
    assert_no_console_errors(page)


# --- 2. every page of the flow in every language ----------------------------------------------

@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_intake_and_status_pages_pass_axe(page: Page, lang: str, live_instance: LiveServer) -> None:
    problems: list[str] = []

    def check(label: str) -> None:
        problems.extend(audit(page, label, lang=lang))

    goto(page, "/melden")
    switch_language(page, lang)
    reporter = Reporter(page, script=True)
    check("report: what happened")
    reporter.press(status=422)
    check("report: what happened, nothing chosen")
    page.locator("input[name=incident_types]").first.check()
    reporter.press()
    reporter.expect_step("where")
    check("report: where and when")
    reporter.press()
    reporter.expect_step("who")
    check("report: who was affected")
    reporter.press()
    reporter.expect_step("story")
    check("report: description")
    page.locator("#field-description").fill("Test")
    reporter.press()
    reporter.expect_step("contact")
    check("report: who reads it")
    reporter.press()
    reporter.expect_step("review")
    check("report: check and send")
    _wait_for_proof_of_work(page)
    reporter.press("send")
    receipt = page.locator(".receipt-code").inner_text().strip()
    check("report: receipt code")
    page.locator("#noted").check()
    with page.expect_navigation():
        page.locator("form[action='/melden/danke'] button[type=submit]").click()
    check("report: what happens next")

    with page.expect_navigation():
        page.locator("main a[href='/status']").click()
    check("status: enter the code")
    submit(page, "form[action='/status']", {"#field-receipt": "0000 0000 0000 0000"}, status=422)
    check("status: unknown code")
    reply_as_counsellor(live_instance, receipt, COUNSELLOR_REPLY, email=AWO_COUNSELLOR)
    submit(page, "form[action='/status']", {"#field-receipt": receipt})
    check("status: conversation")
    submit(page, "form[action='/status'][enctype='multipart/form-data']", {"#field-message": "Danke."})
    assert page.locator("ol.thread li").count() == 2
    check("status: message sent")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


# --- 3. keyboard only ---------------------------------------------------------------------------

def _focused(page: Page) -> str:
    return str(page.evaluate(
        "(() => { const e = document.activeElement; if (!e || e === document.body) return 'body';"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        " + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '')"
        " + (e.getAttribute('value') ? '[value=' + e.getAttribute('value') + ']' : ''); })()"))


def _has_focus(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector))


def _tab_to(page: Page, selector: str, *, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until an element matching the selector has focus."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if _has_focus(page, selector):
            return
        seen.append(_focused(page))
    raise AssertionError(f"{selector} never got focus with {key}; focus went {' -> '.join(seen)}")


def test_keyboard_only_report(page: Page) -> None:
    reporter = Reporter(page, script=True)
    goto(page, "/melden")
    continue_button = "form.report-form button[name=go][value=next]"

    # Continue without an answer: the error summary gets focus, and its link leads to the question.
    _tab_to(page, continue_button)
    reporter.await_answer(lambda: page.keyboard.press("Enter"), status=422)
    _tab_to(page, "#error-summary a[href='#field-incident_types']")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#field-incident_types", "the error summary's link led nowhere"
    _tab_to(page, "input[name=incident_types]")
    page.keyboard.press("Space")
    assert page.locator("input[name=incident_types]").first.is_checked(), "Space did not tick the checkbox"
    _tab_to(page, continue_button)
    reporter.await_answer(lambda: page.keyboard.press("Enter"))
    reporter.expect_step("where")

    # Where and when: a choice from a list, a radio button, a date typed in backwards order.
    _tab_to(page, "#field-district")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "input[name=online]")
    page.keyboard.press("Space")
    _tab_to(page, "#field-year")
    page.keyboard.type(str(date.today().year - 1))
    _tab_to(page, "#field-month", key="Shift+Tab")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "#field-day", key="Shift+Tab")
    page.keyboard.type("5")
    assert page.locator("#field-online-yes").is_checked(), "Space did not choose the radio button"
    assert page.locator("#field-month").input_value() == "1", "the arrow key did not choose a month"
    assert page.locator("#field-district").input_value() != "", "the arrow key did not choose a district"
    reporter.await_answer(lambda: page.keyboard.press("Enter"))  # Enter in a text field sends the form
    reporter.expect_step("who")

    _tab_to(page, "input[name=target_type]")
    page.keyboard.press("Space")
    _tab_to(page, "#field-affected_count")
    page.keyboard.type("1")
    reporter.await_answer(lambda: page.keyboard.press("Enter"))
    reporter.expect_step("story")

    _tab_to(page, "#field-description")
    page.keyboard.type("Im Bus wurde ich beschimpft.")
    _tab_to(page, continue_button)
    reporter.await_answer(lambda: page.keyboard.press("Enter"))
    reporter.expect_step("contact")

    _tab_to(page, "input[name=wants_contact]")
    page.keyboard.press("Space")
    _tab_to(page, continue_button)
    reporter.await_answer(lambda: page.keyboard.press("Enter"))
    reporter.expect_step("review")
    assert "Im Bus wurde ich beschimpft." in page.locator(".description-preview").inner_text()

    _wait_for_proof_of_work(page)
    _tab_to(page, "form.report-form button[name=go][value=send]")
    reporter.await_answer(lambda: page.keyboard.press("Enter"), sending=True)
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.fullmatch(receipt), f"unexpected receipt code {receipt!r}"

    _tab_to(page, "#noted")
    page.keyboard.press("Space")
    assert page.locator("#noted").is_checked()
    _tab_to(page, "form[action='/melden/danke'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/melden/danke"
    assert_no_console_errors(page)


# --- 1b. full reports without JavaScript: last, so their challenges are old enough by now -------

@pytest.mark.parametrize("lang", JOURNEY_LANGUAGES)
def test_full_report_without_javascript(lang: str, picture: Path, live_instance: LiveServer,
                                        no_script_drafts: dict[str, Draft]) -> None:
    draft = no_script_drafts[lang]
    assert path_of(draft.reporter.page) == "/melden"
    _full_report(draft.reporter, lang, picture, live_instance, started=draft.started)
