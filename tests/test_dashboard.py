"""The statistics dashboard, its map, downloads and the public figures page, over HTTP."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from html import unescape

import pytest
from PIL import Image

from tests.dashboard_data import KnownFigures, add_known_figures
from tests.web_client import WebClient, text_of

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")

ALLOWED = ("counsellor_a", "lead_a", "coordinator", "strategy_member")


@pytest.fixture
def known(db, personas) -> KnownFigures:
    from tests.personas import establish_centres
    centres = establish_centres(db, personas.crypto, personas)
    return add_known_figures(db, centres["A"])


@pytest.fixture
def client(client):
    """The test client, reading the pages in English (the msgids), so the wording is checked as written."""
    client.get("/sprache?lang=en&next=/")
    return client


def _section(html: str, chart_id: str) -> str:
    match = re.search(rf'<section class="chart-block"[^>]*id="{chart_id}">(.*?)</section>', html, re.S)
    assert match, f"no chart {chart_id}"
    return match.group(1)


def _svg_values(section: str) -> list[str]:
    return [unescape(v) for v in re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', section)]


def _table(section: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S)
    assert body
    return [[unescape(c.strip()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def _numbers_respect_k(values: list[str], k: int) -> None:
    for value in values:
        if value.isdigit():
            assert int(value) == 0 or int(value) >= k, f"{value} is below k={k}"


@pytest.mark.parametrize("persona", ALLOWED)
def test_every_view_renders_for_the_allowed_roles(client, personas, known, persona):
    client.login(personas[persona])
    start = client.get("/start").text
    assert 'href="/statistik"' in start
    for path in ("/statistik", "/statistik/karte"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text.count('role="img"') >= 1
        assert "<title id=" in response.text and "<desc id=" in response.text
        assert "<caption" in response.text


def test_the_administrator_sees_no_statistics(client, personas, known):
    client.login(personas["admin"])
    assert 'href="/statistik"' not in client.get("/start").text
    assert client.get("/statistik").status_code == 403


def test_table_numbers_equal_the_charts_numbers(client, personas, known):
    client.login(personas["strategy_member"])
    pages = [client.get(f"/statistik?year={known.year}").text,
             client.get(f"/statistik?year={known.year}&rows=district&columns=incident_type").text,
             client.get(f"/statistik?year={known.year}&rows=motive&multiple=1&granularity=quarter").text,
             client.get(f"/statistik/karte?year={known.year}").text]
    checked = 0
    for html in pages:
        for chart_id in re.findall(r'<section class="chart-block"[^>]*id="(\w+)">', html):
            section = _section(html, chart_id)
            cells = [cell for row in _table(section) for cell in row[1:]]
            assert cells and _svg_values(section) == cells, chart_id
            checked += 1
    assert checked == 7


def test_breakdown_counts_only_triaged_reports_and_hides_small_ones(client, personas, known):
    client.login(personas["coordinator"])
    html = client.get(f"/statistik?year={known.year}&rows=district").text
    rows = {row[0]: row[1] for row in _table(_section(html, "breakdown"))}
    for (district, _kind), count in known.truth.items():
        # Shown exactly, or hidden; which further cells are hidden with a small one is the engine's choice.
        assert rows[district.title()] in {str(count), "< 5"}
    assert rows["Altstadt"] == "36"
    assert rows["Hafen"] == "< 5"  # two reports; the unverified and the spam one do not count
    text = text_of(html)
    assert "Taxonomy version of the counted reports: 2026.1" in text
    assert "reports received by the counselling centres, not the prevalence" in text


def test_multiple_answers_are_labelled(client, personas, known):
    client.login(personas["coordinator"])
    html = client.get(f"/statistik?year={known.year}&rows=motive&multiple=1").text
    assert "Multiple answers" in text_of(_section(html, "breakdown"))


def test_filters_round_trip_through_the_url(client, personas, known):
    client.login(personas["strategy_member"])
    html = client.get(f"/statistik?year={known.year}&district=altstadt&rows=incident_type").text
    assert re.search(r'<option value="altstadt" selected>', html)
    assert re.search(rf'<option value="{known.year}" selected>', html)
    links = re.findall(r'href="(/statistik/[^"]+)"', html)
    csv_link = unescape(next(link for link in links if "daten.csv" in link and "chart=breakdown" in link))
    assert f"year={known.year}" in csv_link and "district=altstadt" in csv_link
    map_link = unescape(next(link for link in links if link.startswith("/statistik/karte")))
    assert f"year={known.year}" in map_link
    series = _table(_section(html, "series"))
    assert len(series) == 12 and {row[1] for row in series} == {"< 5"}  # 3 a month in Altstadt
    breakdown = {row[0]: row[1] for row in _table(_section(html, "breakdown"))}
    assert breakdown["Insult or hurtful remarks"] == "36"


def test_csv_holds_exactly_the_table(client, personas, known):
    client.login(personas["strategy_member"])
    query = f"year={known.year}&rows=district&columns=incident_type"
    html = client.get(f"/statistik?{query}").text
    table = _table(_section(html, "breakdown"))
    response = client.get(f"/statistik/daten.csv?{query}&chart=breakdown")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[1:1 + len(table)] == table
    assert any("2026.1" in " ".join(row) for row in rows)
    _numbers_respect_k([cell for row in rows for cell in row], 5)


def test_svg_and_png_downloads_show_what_the_page_shows(client, personas, known):
    client.login(personas["strategy_member"])
    query = f"year={known.year}&rows=district"
    section = _section(client.get(f"/statistik?{query}").text, "breakdown")
    svg = client.get(f"/statistik/diagramm.svg?{query}&chart=breakdown")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg.text
    assert _svg_values(svg.text) == _svg_values(section)
    # A downloaded chart states its title, the taxonomy version and what the figures are, by itself.
    assert "Reports by District" in svg.text and "2026.1" in svg.text and "prevalence" in svg.text
    png = client.get(f"/statistik/diagramm.png?{query}&chart=breakdown")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.width >= 720
    map_png = client.get(f"/statistik/diagramm.png?year={known.year}&chart=map")
    assert map_png.status_code == 200


def test_png_draws_no_suppressed_number(db, known):
    """The PNG paints the same shapes as the SVG; none of their texts is a number between 1 and k-1."""
    from core.clock import utcnow
    from reporting import statistics as st
    from web.charts import Text, layout
    from web.statistics_views import DashboardQuery, dashboard_charts, labels_for
    labels = labels_for(db, lambda m: m, "de")
    disclosure = st.Disclosure(k=5, public_k=10, delay_days=14)
    for query in (DashboardQuery(year=known.year, rows="district", columns="incident_type"),
                  DashboardQuery(year=known.year, filters=(("district", "hafen"),))):
        for only in ("series", "breakdown", "map"):
            for chart in dashboard_charts(db, disclosure, query, labels, today=utcnow().date(), only=only):
                texts = [s.text for s in layout(chart.data).shapes if isinstance(s, Text) and s.value]
                assert texts
                _numbers_respect_k(texts, 5)


def test_no_suppressed_number_in_page_or_downloads(client, personas, known):
    client.login(personas["coordinator"])
    for query in (f"year={known.year}&rows=district&columns=incident_type",
                  f"year={known.year}&district=hafen", f"year={known.year}&rows=district&granularity=quarter"):
        html = client.get(f"/statistik?{query}").text
        for chart_id in ("series", "breakdown"):
            section = _section(html, chart_id)
            _numbers_respect_k([c for row in _table(section) for c in row[1:]] + _svg_values(section), 5)
            rows = list(csv.reader(io.StringIO(client.get(f"/statistik/daten.csv?{query}&chart={chart_id}").text)))
            _numbers_respect_k([c for row in rows[1:] for c in row[1:]], 5)
            _numbers_respect_k(_svg_values(client.get(f"/statistik/diagramm.svg?{query}&chart={chart_id}").text), 5)


def test_the_map_shows_every_district_of_the_file(client, personas, known):
    client.login(personas["strategy_member"])
    html = client.get(f"/statistik/karte?year={known.year}").text
    section = _section(html, "map")
    rows = {row[0]: row[1] for row in _table(section)}
    assert list(rows) == ["Altstadt", "Nordviertel", "Hafen", "Südstadt", "Am Bahnhof", "Weststadt",
                          "Lindenhof", "Ostend"]
    assert rows["Hafen"] == "< 5" and rows["Südstadt"] == "0" and rows["Altstadt"] == "36"
    assert section.count('fill-rule="evenodd"') == 8
    assert "hatch" in section  # the suppressed district is hatched, not coloured
    filters = re.search(r'<form[^>]*statistics-filters[^>]*>(.*?)</form>', html, re.S)
    assert filters and 'id="field-district"' not in filters.group(1)  # the map shows all districts


@pytest.mark.parametrize(("query", "field", "message"), [
    ("year=1999", "year", "Please choose one of the offered years."),
    ("district=nowhere", "district", "This value is not one of the offered choices."),
    ("rows=salary", "rows", "Please choose one of the offered breakdowns."),
    ("rows=district&columns=district", "columns", "Please choose a second breakdown different"),
    ("granularity=week", "granularity", "Please choose months, quarters or years."),
    ("rows=district&multiple=1", "multiple", "Multiple answers can only be counted"),
    ("district=hafen&motive=racism", "district", "Only one filter can be used at a time."),
    ("rows=district&district=hafen", "district", "The figures are broken down by this already."),
    ("district=hafen&columns=motive", "columns", "With a filter the figures can be broken down one way only."),
    ("rows=motive&columns=life_area", "columns", "A second breakdown is offered with the district only."),
    ("rows=incident_type&motive=racism", "motive", "With this filter the figures can be broken down by district"),
])
def test_bad_filters_get_a_clear_message(client, personas, known, query, field, message):
    client.login(personas["strategy_member"])
    response = client.get(f"/statistik?{query}")
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert f'href="#field-{field}"' in response.text and f'id="field-{field}"' in response.text
    download = client.get(f"/statistik/daten.csv?{query}&chart=breakdown")
    assert download.status_code == 422 and message in download.text


def test_a_download_needs_a_known_chart(client, personas, known):
    client.login(personas["strategy_member"])
    assert client.get(f"/statistik/daten.csv?year={known.year}&chart=secret").status_code == 400
    assert client.get(f"/statistik/diagramm.svg?year={known.year}").status_code == 400


def test_htmx_gets_the_results_only_and_a_history_restore_the_page(client, personas, known):
    client.login(personas["strategy_member"])
    fragment = client.get(f"/statistik?year={known.year}&district=altstadt", headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="series"' in fragment.text
    restored = client.get(f"/statistik?year={known.year}&district=altstadt",
                          headers={"hx-request": "true", "hx-history-restore-request": "true"})
    assert "<html" in restored.text
    form = re.search(r"<form[^>]*statistics-filters[^>]*>", restored.text)
    assert form and 'method="get"' in form.group(0) and 'data-hx-push-url="true"' in form.group(0)


def test_without_figures_the_dashboard_says_so(client, personas, db):
    client.login(personas["coordinator"])
    response = client.get("/statistik")
    assert response.status_code == 200
    assert "There are no figures yet" in text_of(response.text)


def test_public_page_is_off_by_default(client, known):
    assert client.get("/zahlen").status_code == 404


def test_public_page_uses_the_stricter_k_and_offers_no_filters(settings, engine, known):
    from web.app import create_app
    app = create_app(replace(settings, public_statistics=True), engine=engine)
    with WebClient(app) as public:
        response = public.get("/zahlen")
        assert response.status_code == 200
        html = response.text
        assert "<form" not in html.split("<main")[1].split("</main>")[0]
        assert "/statistik/" not in html  # no staff downloads
        ids = re.findall(r'<section class="chart-block"[^>]*id="(\w+)">', html)
        assert ids == ["years", "incident_type", "motive", "map"]
        for chart_id in ids:
            section = _section(html, chart_id)
            cells = [c for row in _table(section) for c in row[1:]]
            assert _svg_values(section) == cells
            _numbers_respect_k(cells, 10)
        rows = {row[0]: row[1] for row in _table(_section(html, "map"))}
        assert rows["Altstadt"] == "36" and rows["Hafen"] == "< 10"
        assert "reports received by the counselling centres, not the prevalence" in text_of(html)
        filtered = public.get("/zahlen?district=hafen&year=1999").text  # parameters change nothing
        assert _table(_section(filtered, "map")) == _table(_section(html, "map"))
