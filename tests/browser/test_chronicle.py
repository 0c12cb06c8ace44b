"""The public chronicle in a real browser: Jonas proposes an entry, Leila (centre lead) approves it after the
re-identification check, and an anonymous visitor reads it on /chronik and in the Atom feed. axe (WCAG 2.1
A/AA), console errors and reflow at 640 CSS px on the proposal form, the review queue, the review page and
the public pages. The live server runs with VORORT_PUBLIC_CHRONICLE=true."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from xml.etree import ElementTree as ET

import pytest
from playwright.sync_api import Page

from tests.browser.support import audit, goto, path_of, submit

pytestmark = pytest.mark.browser

JONAS, LEILA = "jonas@awo.example", "leila@awo.example"
SUMMARY = ("In einem Bus wurde eine ältere Frau von einem Mitfahrenden wegen ihres Kopftuchs beschimpft. "
           "Der Busfahrer hielt an und forderte den Mann auf auszusteigen.")
TIMEOUT_MS = 90_000


def _patient(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


def _proposable_incident(page: Page) -> str:
    """A verified report of the AWO centre that has no chronicle entry yet."""
    goto(page, "/beratung?verification=verified")
    for href in page.locator("main table a[href^='/beratung/meldungen/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")[:20]:
        goto(page, f"{href}/chronik")
        if page.locator("form[action$='/chronik'] textarea").count():
            return str(href)
    raise AssertionError("no verified report without a chronicle entry in the demo")


def test_proposed_entry_is_public_after_the_lead_approves(persona_page: Callable[[str], Page], page: Page,
                                                          live_server: str) -> None:
    jonas, leila, visitor = _patient(persona_page(JONAS)), _patient(persona_page(LEILA)), _patient(page)
    problems: list[str] = []

    incident = _proposable_incident(jonas)
    form = f"form[action='{incident}/chronik']"
    problems += audit(jonas, "chronicle proposal", lang="de")
    submit(jonas, form, {"textarea[name=public_summary]": "Zu kurz."}, status=422)
    assert jonas.locator("textarea[name=public_summary]").input_value().strip() == "Zu kurz."
    problems += audit(jonas, "chronicle proposal refused", lang="de")
    jonas.locator("#field-date_shown-month").check()
    submit(jonas, form, {"textarea[name=public_summary]": SUMMARY})
    assert jonas.locator(".notice").count() == 1
    goto(visitor, "/chronik")
    assert SUMMARY not in visitor.locator("main").inner_text(), "public before a second person approved it"
    demo_entries = visitor.locator("article.chronicle-entry").count()
    assert demo_entries >= 4, f"the demo chronicle shows {demo_entries} entries"

    # The lead's review queue lists the proposal; approval needs every point of the check.
    goto(leila, "/beratung/chronik")
    problems += audit(leila, "chronicle review queue", lang="de")
    review = str(leila.locator("main li", has_text=SUMMARY[:40]).locator("a").get_attribute("href"))
    goto(leila, review)
    problems += audit(leila, "chronicle review", lang="de")
    approve = "form[action$='/freigeben']"
    leila.locator("#field-checks-no_names").check()
    submit(leila, approve, status=422)
    assert leila.locator("#field-checks-no_names").is_checked()
    problems += audit(leila, "chronicle review refused", lang="de")
    for box in leila.locator(f"{approve} input[type=checkbox]").all():
        box.check()
    submit(leila, approve)
    assert path_of(leila) == "/beratung/chronik"

    goto(visitor, "/chronik")
    assert SUMMARY in visitor.locator("main").inner_text()
    problems += audit(visitor, "public chronicle", lang="de")
    entry_id = review.rsplit("/", 1)[-1]
    goto(visitor, f"/chronik/{entry_id}")
    problems += audit(visitor, "public chronicle entry", lang="de")
    with urllib.request.urlopen(f"{live_server}/chronik/feed.atom", timeout=60) as response:
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.read())
    ids = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}id")]
    assert any(re.search(f"/chronik/{entry_id}$", i) for i in ids), ids
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)

