"""The coordinator's annual report and municipality comparison in a real browser: axe finds nothing, the PDF
downloads, and the demo neighbour Beispielstadt stands next to Musterstadt."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

from tests.browser.support import audit, goto, switch_language

pytestmark = pytest.mark.browser

COORDINATOR = "petra@musterstadt.example"


def _no_problems(page: Page, label: str, lang: str = "de") -> None:
    problems = audit(page, label, lang=lang)
    assert not problems, "\n".join(problems)


def test_coordinator_reads_the_situation_report_and_downloads_its_pdf(persona_page: Callable[[str], Page]) -> None:
    page = persona_page(COORDINATOR)
    goto(page, "/statistik/lagebild")
    _no_problems(page, "report index")
    page.locator('main a[href^="/statistik/lagebild/"]:not([href$=".pdf"])').first.click()
    page.wait_for_load_state()
    year = urlparse(page.url).path.rsplit("/", 1)[1]
    assert year.isdigit()
    _no_problems(page, "situation report")
    assert page.locator("main h2").count() >= 6 and page.locator("main svg.chart").count() >= 5
    pdf = page.request.get(page.locator(f'main a[href="/statistik/lagebild/{year}.pdf"]').get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    switch_language(page, "ar")
    _no_problems(page, "situation report", lang="ar")
    switch_language(page, "de")


def test_comparison_shows_the_demo_neighbour_next_to_our_figures(persona_page: Callable[[str], Page]) -> None:
    page = persona_page(COORDINATOR)
    goto(page, "/statistik/vergleich?ansicht=by-district")
    _no_problems(page, "comparison")
    headers = page.locator("main table").first.locator("thead th").all_inner_texts()
    assert any("Musterstadt" in h for h in headers) and any("Beispielstadt" in h for h in headers)
    # Choosing another table keeps the comparison (a plain GET form, no JavaScript needed).
    page.select_option("#field-ansicht", "by-motive")
    page.locator('main form[method="get"] button[type="submit"]').click()
    page.wait_for_load_state()
    assert "ansicht=by-motive" in page.url
    _no_problems(page, "comparison by motive")
