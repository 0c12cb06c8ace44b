"""A fresh instance (`vorort migrate` and `vorort create-admin`, no demo) walks the first-run setup in
Chromium: districts from a GeoJSON file, two centres, one department; then a report filed on the public
page reaches the chosen centre and its district shows on the dashboard map. axe 0 on every step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlmodel import Session, select

from core.accounts import Organisation
from core.db import make_engine
from reporting.models import Incident
from tests.browser.support import DESKTOP, audit, goto, path_of, submit, watch
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser
GEOJSON = Path(__file__).resolve().parents[1] / "data" / "two_districts.geojson"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@neustadt.example", "ein langes Admin-Passwort"
COUNSELLOR_EMAIL, COUNSELLOR_PASSWORD = "beraterin@ost.example", "ein langes Beratungs-Passwort"
POW_SECONDS = 30


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fresh"), seed=False,
                     extra_env={"VORORT_INTAKE_LIMIT_PER_HOUR": "500"}, startup_seconds=120) as server:
        server.vorort("create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD,
                      "--organisation", "Stadtverwaltung Neustadt")
        yield server


def _context(browser: Browser, server: LiveServer) -> BrowserContext:
    return browser.new_context(base_url=server.url, viewport=DESKTOP, locale="de-DE")


def _log_in_enrolling(page: Page, email: str, password: str) -> None:
    """First log-in of an account that must have a second factor: enrol it from the key on the page."""
    goto(page, "/anmelden")
    submit(page, "form[action='/anmelden']", {"#field-email": email, "#field-password": password})
    assert path_of(page) == "/anmelden/zweiter-faktor/einrichten", page.url
    secret = page.locator("input[name=secret]").input_value()
    submit(page, "form[action^='/anmelden/zweiter-faktor/einrichten']", {"#field-code": pyotp.TOTP(secret).now()})
    with page.expect_navigation():
        page.locator("main a.button.primary").click()


def _db(server: LiveServer) -> Session:
    return Session(make_engine(server.env["VORORT_DATABASE_URL"]))


def test_a_fresh_instance_is_set_up_and_receives_a_report(browser: Browser, fresh: LiveServer) -> None:
    problems: list[str] = []
    admin_ctx = _context(browser, fresh)
    page = watch(admin_ctx.new_page())

    def check(label: str) -> None:
        problems.extend(audit(page, label, lang="de"))

    _log_in_enrolling(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    goto(page, "/admin")
    assert path_of(page) == "/einrichtung/gemeinde", "the setup is not shown instead of /admin"
    check("setup: municipality")
    submit(page, "form[action='/einrichtung/gemeinde']", {"#field-municipality_name": "Neustadt",
                                                          "#field-ags": "0531"}, status=422)
    check("setup: municipality, wrong AGS")
    assert page.locator("#field-municipality_name").input_value() == "Neustadt"
    submit(page, "form[action='/einrichtung/gemeinde']", {"#field-ags": "05315000"})
    assert path_of(page) == "/einrichtung/stadtteile"
    check("setup: districts")

    page.locator("#field-geojson").set_input_files(str(GEOJSON))
    with page.expect_navigation():
        page.locator("form[action='/einrichtung/stadtteile/karte'] button[type=submit]").click()
    assert page.locator("svg#district-preview").count() == 1, "no preview map"
    check("setup: district map preview")
    with page.expect_navigation():
        page.locator("form[action='/einrichtung/stadtteile/karte/bestaetigen'] button").click()
    assert path_of(page) == "/einrichtung/organisationen"
    check("setup: organisations")
    for name, kind in (("Beratung Ost", "counselling_centre"), ("Beratung West", "counselling_centre"),
                       ("Integrationsamt", "municipal_department")):
        page.locator("#field-kind").select_option(kind)
        submit(page, "form[action='/einrichtung/organisationen']", {"#field-name": name})
    check("setup: organisations added")
    with page.expect_navigation():
        page.get_by_role("link", name="Weiter", exact=True).or_(
            page.get_by_role("link", name="Continue", exact=True)).first.click()
    assert path_of(page) == "/einrichtung/beratungsstellen"
    check("setup: receiving centres")
    with _db(fresh) as db:
        ost = db.exec(select(Organisation).where(Organisation.name == "Beratung Ost")).one().id
        west = db.exec(select(Organisation).where(Organisation.name == "Beratung West")).one().id
    page.locator(f"#field-centres-{ost}").check()
    page.locator(f"#field-centres-{west}").check()
    page.locator(f"#field-default_centre-{west}").check()
    submit(page, "form[action='/einrichtung/beratungsstellen']")
    assert path_of(page) == "/einrichtung/sprachen"
    check("setup: languages")
    submit(page, "form[action='/einrichtung/sprachen']")
    check("setup: thresholds")
    submit(page, "form[action='/einrichtung/schwellen']", {"#field-publication_delay_days": "0"})
    check("setup: e-mail")
    submit(page, "form[action='/einrichtung/e-mail']")
    check("setup: public pages")
    page.locator("#field-public_statistics").check()
    submit(page, "form[action='/einrichtung/oeffentlich']")
    assert path_of(page) == "/einrichtung/fertig"
    check("setup: done")
    submit(page, "form[action='/einrichtung/fertig']")
    assert path_of(page) == "/admin"

    # The first counsellor of "Beratung Ost" accepts the invitation: the centre gets its key.
    page.locator("#field-organisation_id").select_option(str(ost))
    page.locator("#field-roles-counsellor").check()
    submit(page, "form[action='/admin/einladungen']", {"#field-email": COUNSELLOR_EMAIL})
    link = page.locator(".invite-link").inner_text().strip()
    invite_path = re.sub(r"^https?://[^/]+", "", link)
    counsellor_ctx = _context(browser, fresh)
    counsellor = watch(counsellor_ctx.new_page())
    goto(counsellor, invite_path)
    submit(counsellor, f"form[action='{invite_path}']", {"#field-display_name": "Ost Beraterin",
                                                          "#field-password": COUNSELLOR_PASSWORD,
                                                          "#field-confirm": COUNSELLOR_PASSWORD})
    assert counsellor.locator(".receipt-code code").count() == 1, "no recovery key shown"
    problems.extend(audit(counsellor, "centre established", lang="de"))

    # A resident reports; they choose "Beratung Ost" (the default is West) and the district "Nordstadt".
    resident_ctx = _context(browser, fresh)
    resident = watch(resident_ctx.new_page())
    goto(resident, "/melden")
    resident.locator("input[name=incident_types]").first.check()
    _next(resident)
    resident.locator("#field-district").select_option("nord")
    resident.locator("#field-year").fill("2025")
    resident.locator("#field-month").select_option("10")
    _next(resident)
    _next(resident)
    resident.locator("#field-description").fill("Test: im Bus beleidigt.")
    _next(resident)
    resident.locator(f"input[name=centre_id][value='{ost}']").check()
    _next(resident)
    resident.wait_for_function("() => document.querySelector('[data-pow-number]').value !== ''",
                               timeout=POW_SECONDS * 1000)
    with resident.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/melden")) as sent:
        resident.locator("form.report-form button[name=go][value=send]").click()
    assert sent.value.status == 200
    resident.wait_for_selector(".receipt-code")
    with _db(fresh) as db:
        incidents = db.exec(select(Incident)).all()
    assert [(i.centre_id, i.district) for i in incidents] == [(ost, "nord")]

    # The counsellor sees it in the inbox and verifies it; then the district is on the dashboard map.
    _log_in_enrolling(counsellor, COUNSELLOR_EMAIL, COUNSELLOR_PASSWORD)
    goto(counsellor, "/beratung")
    counsellor.locator(f"a[href='/beratung/meldungen/{incidents[0].id}']").first.click()
    counsellor.wait_for_load_state()
    counsellor.locator("#field-decision-verified").check()
    with counsellor.expect_navigation():
        counsellor.locator(f"form[action='/beratung/meldungen/{incidents[0].id}/sichtung'] button").click()
    goto(counsellor, "/statistik/karte?year=2025")
    district_map = counsellor.locator("main svg")
    assert district_map.count() >= 1, "no map on the dashboard"
    assert "Nordstadt" in counsellor.locator("main").inner_text()
    problems.extend(audit(counsellor, "dashboard map", lang="de"))
    for ctx in (admin_ctx, counsellor_ctx, resident_ctx):
        ctx.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def _next(page: Page) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/melden")) as answer:
        page.locator("form.report-form button[name=go][value=next]").click()
    assert answer.value.status == 200, f"step answered {answer.value.status}"
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
