"""The strategy member's statistics in a real browser: filter by district and year, download the CSV,
open the map; the tables equal the charts; axe finds nothing, with and without JavaScript."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import ROOT, _free_port, _wait_until_healthy
from tests.browser.support import DESKTOP, LiveServer, audit, demo_login, goto, log_in, watch

pytestmark = pytest.mark.browser

STRATEGY_MEMBER = "murat@bruecke.example"
NO_SCRIPT_MEMBER = "anna@jugendamt.example"

# For every chart of the page: the numbers its SVG draws and the numbers of its table, in order.
CHART_AND_TABLE = """() => Array.from(document.querySelectorAll('section.chart-block')).map(section => ({
  id: section.id,
  chart: Array.from(section.querySelectorAll('svg text.chart-value')).map(t => t.textContent.trim()),
  table: Array.from(section.querySelectorAll('table tbody tr')).flatMap(
    row => Array.from(row.querySelectorAll('td')).map(td => td.textContent.trim())),
}))"""
TABLE_ROWS = """id => Array.from(document.querySelectorAll('#' + id + ' table tbody tr')).map(
  row => Array.from(row.children).map(cell => cell.textContent.trim()))"""


def _charts_equal_tables(page: Page) -> list[str]:
    charts = page.evaluate(CHART_AND_TABLE)
    assert charts, f"no charts on {page.url}"
    for chart in charts:
        assert chart["chart"], f"{chart['id']}: the chart shows no numbers"
        assert chart["chart"] == chart["table"], f"{chart['id']}: chart and table differ"
    return [chart["id"] for chart in charts]


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _no_problems(page: Page, label: str) -> None:
    problems = audit(page, label, lang="de")
    assert not problems, "\n".join(problems)


def test_strategy_member_filters_by_district_and_year_downloads_csv_and_opens_the_map(
        persona_page: Callable[[str], Page]) -> None:
    page = persona_page(STRATEGY_MEMBER)
    goto(page, "/start")
    # Selectors by address, not wording: the texts get translated.
    page.locator('nav.main-nav a[href="/statistik"]').click()
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/statistik"
    _no_problems(page, "dashboard")
    assert _charts_equal_tables(page) == ["series", "breakdown"]
    years = page.locator("#field-year option").evaluate_all("options => options.map(o => o.value)")
    assert len(years) >= 2, years

    # Filters apply through htmx as soon as they change, and land in the URL.
    page.select_option("#field-district", "hafen")
    page.wait_for_url(lambda url: "district=hafen" in url)
    page.select_option("#field-year", years[1])
    page.wait_for_url(lambda url: f"year={years[1]}" in url)
    page.wait_for_function("year => document.querySelector('#breakdown h2').textContent.includes(year)",
                           arg=years[1])
    assert _query(page)["district"] == ["hafen"]
    assert "Hafen" in page.locator("#breakdown h2").inner_text()
    _charts_equal_tables(page)
    _no_problems(page, "dashboard filtered")

    # The CSV holds exactly the table that is shown.
    table = page.evaluate(TABLE_ROWS, "breakdown")
    with page.expect_download() as download_info:
        page.locator('#breakdown a[href^="/statistik/daten.csv"]').click()
    download = download_info.value
    assert download.suggested_filename == f"vorort-statistik-breakdown-{years[1]}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1:1 + len(table)] == table

    # The back button returns to the view before the year changed: the page renders from its URL.
    page.go_back()
    page.wait_for_url(lambda url: f"year={years[1]}" not in url)
    assert _query(page)["district"] == ["hafen"]
    page.wait_for_function("year => document.querySelector('#breakdown h2').textContent.includes(year)",
                           arg=years[0])
    page.go_forward()
    page.wait_for_url(lambda url: f"year={years[1]}" in url)

    # The map of the chosen year, with all districts, its table equal to the map.
    page.reload()
    page.locator('#results a[href^="/statistik/karte"]').click()
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/statistik/karte"
    assert _query(page)["year"] == [years[1]]
    assert _charts_equal_tables(page) == ["map"]
    assert page.locator("#map svg[role=img] path[fill-rule=evenodd]").count() == 8
    _no_problems(page, "district map")


def _charts_equal_tables_by_locators(page: Page) -> None:
    """The same comparison without running script in the page (JavaScript is off)."""
    sections = page.locator("section.chart-block")
    assert sections.count() >= 1
    for index in range(sections.count()):
        section = sections.nth(index)
        chart = [t.strip() for t in section.locator("svg text.chart-value").all_text_contents()]
        table = [t.strip() for t in section.locator("table tbody td").all_text_contents()]
        assert chart and chart == table


def test_filters_work_without_javascript(browser: Browser, live_server: str,
                                         persona_page: Callable[[str], Page]) -> None:
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, demo_login(email=NO_SCRIPT_MEMBER))
        goto(page, "/statistik")
        page.select_option("#field-district", "altstadt")
        page.select_option("#field-rows", "motive")
        with page.expect_navigation():
            page.locator("form.statistics-filters button[type=submit]").click()
        assert _query(page)["district"] == ["altstadt"] and _query(page)["rows"] == ["motive"]
        assert "Altstadt" in page.locator("#breakdown h2").inner_text()
        _charts_equal_tables_by_locators(page)
        filtered = page.url
        # A combination that is not offered says why, at the field.
        page.select_option("#field-motive", "racism")
        with page.expect_navigation():
            page.locator("form.statistics-filters button[type=submit]").click()
        assert page.locator(".error-summary").count() == 1 and page.locator(".field-error").count() >= 1
        refused = page.url
        goto(page, "/statistik/karte")
        _charts_equal_tables_by_locators(page)
    finally:
        context.close()
    # axe runs as script, so the pages the script-less browser got are audited in a scripted one.
    audited = persona_page(STRATEGY_MEMBER)
    for label, url in (("dashboard without JavaScript", filtered), ("refused filter", refused)):
        goto(audited, urlparse(url).path + "?" + urlparse(url).query, status=200 if url == filtered else 422)
        _no_problems(audited, label)


@pytest.fixture(scope="module")
def public_server(live_instance: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second `vorort serve` on the same demo database, with the public statistics page switched on."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**live_instance.env, "VORORT_PUBLIC_STATISTICS": "true", "VORORT_BASE_URL": base_url}
    log = tmp_path_factory.mktemp("public") / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_public_figures_page_is_accessible_and_strict(browser: Browser, public_server: str, page: Page) -> None:
    goto(page, "/zahlen")  # the demo switches the public page on (a fresh deployment has it off: tested over HTTP)
    context = browser.new_context(base_url=public_server, viewport=DESKTOP, locale="de-DE")
    try:
        public = watch(context.new_page())
        goto(public, "/zahlen")
        assert _charts_equal_tables(public) == ["years", "incident_type", "motive", "map"]
        numbers = [int(n) for n in public.locator("table tbody td").all_inner_texts() if n.isdigit()]
        assert all(n == 0 or n >= 10 for n in numbers), numbers
        assert public.locator("form.statistics-filters").count() == 0
        _no_problems(public, "public figures")
    finally:
        context.close()
