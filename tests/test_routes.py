"""Sweeps over every route: guarded or public, security headers, no third-party hosts, role matrix."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.permissions import POLICY
from tests.routes import concrete, http_routes
from web.guards import PUBLIC_PATHS
from web.security import BASE_HEADERS

# The authorisation matrix, written out by hand so that it checks the policy rather than restating it.
# path template -> personas that pass the guard; "anonymous" only for public paths.
EVERYONE_LOGGED_IN = {"counsellor_a", "lead_a", "counsellor_b", "coordinator", "strategy_member", "admin"}
ALLOWED = {
    ("GET", "/start"): EVERYONE_LOGGED_IN,
    ("GET", "/konto"): EVERYONE_LOGGED_IN,
    ("GET", "/konto/passwort"): EVERYONE_LOGGED_IN,
    ("POST", "/konto/passwort"): EVERYONE_LOGGED_IN,
    ("GET", "/konto/benachrichtigungen"): EVERYONE_LOGGED_IN,
    ("POST", "/konto/benachrichtigungen"): EVERYONE_LOGGED_IN,
    ("POST", "/abmelden"): EVERYONE_LOGGED_IN,
    ("GET", "/anmelden/zweiter-faktor/einrichten"): EVERYONE_LOGGED_IN,
    ("POST", "/anmelden/zweiter-faktor/einrichten"): EVERYONE_LOGGED_IN,
    ("GET", "/anmelden/zweiter-faktor"): EVERYONE_LOGGED_IN,
    ("POST", "/anmelden/zweiter-faktor"): EVERYONE_LOGGED_IN,
    ("GET", "/admin"): {"admin"},
    ("GET", "/admin/post"): {"admin"},
    ("POST", "/admin/organisationen"): {"admin"},
    ("POST", "/admin/einladungen"): {"admin"},
    ("POST", "/admin/konten/{user_id}/deaktivieren"): {"admin"},
    ("GET", "/admin/rechtliches/{slug}/{lang}"): {"admin"},
    ("POST", "/admin/rechtliches/{slug}/{lang}"): {"admin"},
    ("GET", "/einrichtung"): {"admin"},
    ("GET", "/einrichtung/{step}"): {"admin"},
    ("POST", "/einrichtung/{step}"): {"admin"},
    ("POST", "/einrichtung/e-mail/test"): {"admin"},
    ("POST", "/einrichtung/stadtteile/karte"): {"admin"},
    ("POST", "/einrichtung/stadtteile/karte/bestaetigen"): {"admin"},
    ("GET", "/admin/einstellungen"): {"admin"},
    ("GET", "/admin/einstellungen/{step}"): {"admin"},
    ("POST", "/admin/einstellungen/{step}"): {"admin"},
    ("GET", "/admin/codelisten"): {"admin"},
    ("GET", "/admin/codelisten/{list_name}"): {"admin"},
    ("POST", "/admin/codelisten/{list_name}"): {"admin"},
    ("POST", "/admin/codelisten/{list_name}/{code}"): {"admin"},
    ("GET", "/beratung"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("GET", "/beratung/neu"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("GET", "/beratung/statistik"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("GET", "/beratung/import"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("POST", "/beratung/import"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("POST", "/beratung/import/bestaetigen"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("POST", "/beratung/export"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("POST", "/beratung/neu"): {"counsellor_a", "lead_a", "counsellor_b"},
    ("POST", "/beratung/faelle/{case_id}/inhalt-loeschen"): {"lead_a"},
    ("GET", "/beratung/team"): {"lead_a"},
    ("POST", "/beratung/team/{user_id}/zugang"): {"lead_a"},
    ("POST", "/beratung/team/{user_id}/entzug"): {"lead_a"},
    ("POST", "/beratung/team/wiederherstellung"): {"lead_a"},
    ("GET", "/beratung/protokoll"): {"lead_a"},
    ("GET", "/statistik/offene-daten/{file}"): {"coordinator", "strategy_member"},
    ("GET", "/statistik/vergleich"): {"coordinator", "strategy_member"},
    ("POST", "/statistik/vergleich"): {"coordinator"},
    ("POST", "/statistik/vergleich/{ags}/{year}/entfernen"): {"coordinator"},
    ("GET", "/statistik/lagebild"): {"coordinator", "strategy_member"},
    ("GET", "/statistik/lagebild/{report}"): {"coordinator", "strategy_member"},
    ("GET", "/beratung/chronik"): {"counsellor_a", "lead_a", "counsellor_b"},
}
# Aggregated figures of all centres: the strategy group and the counselling centres, not the administrator.
STATISTICS = {"counsellor_a", "lead_a", "counsellor_b", "coordinator", "strategy_member"}
for _path in ("/statistik", "/statistik/karte", "/statistik/daten.csv", "/statistik/diagramm.svg",
              "/statistik/diagramm.png"):
    ALLOWED[("GET", _path)] = STATISTICS
# Routes on one object of centre A: only centre A's members may know it exists.
CENTRE_A = {"counsellor_a", "lead_a"}
for _method, _path in [("GET", "/beratung/meldungen/{incident_id}"),
                       ("POST", "/beratung/meldungen/{incident_id}/sichtung"),
                       ("POST", "/beratung/meldungen/{incident_id}/antwort"),
                       ("GET", "/beratung/meldungen/{incident_id}/kodierung"),
                       ("POST", "/beratung/meldungen/{incident_id}/kodierung"),
                       ("POST", "/beratung/meldungen/{incident_id}/fall"),
                       ("GET", "/beratung/faelle/{case_id}"),
                       ("POST", "/beratung/faelle/{case_id}/eintrag"),
                       ("POST", "/beratung/faelle/{case_id}/status"),
                       ("POST", "/beratung/faelle/{case_id}/zuweisung"),
                       ("POST", "/beratung/faelle/{case_id}/uebergabe"),
                       ("POST", "/beratung/faelle/{case_id}/teilen"),
                       ("POST", "/beratung/faelle/{case_id}/frist/{event_id}/erledigt"),
                       ("POST", "/beratung/faelle/{case_id}/teilen-beenden/{partner_id}"),
                       ("GET", "/beratung/meldungen/{incident_id}/chronik"),
                       ("POST", "/beratung/meldungen/{incident_id}/chronik"),
                       ("GET", "/beratung/chronik/{entry_id}"),
                       ("POST", "/beratung/chronik/{entry_id}/freigeben"),
                       ("POST", "/beratung/chronik/{entry_id}/zurueckgeben"),
                       ("POST", "/beratung/chronik/{entry_id}/zurueckziehen")]:
    ALLOWED[(_method, _path)] = CENTRE_A
PERSONA_KEYS = ["anonymous", *sorted(EVERYONE_LOGGED_IN)]
# Areas with a matrix of their own (route × role × organisation, with their own sample objects).
COVERED_ELSEWHERE = ("/plan",)  # tests/test_plan_routes.py
SAMPLE_PATH_VALUES = {"slug": "datenschutz", "lang": "de", "event_id": "999999", "partner_id": "999999",
                      "user_id": "999999", "token": "no-such-token", "file_path": "css/site.css", "path": "x",
                      "step": "gemeinde", "list_name": "motive", "code": "racism",
                      "file": "2025.json", "report": "2025", "ags": "09999998", "year": "2025"}


def test_every_route_is_public_or_guarded(app):
    unguarded = []
    for method, path, handler in http_routes(app):
        if path in PUBLIC_PATHS:
            continue
        permission = handler.opt.get("permission")
        if permission not in POLICY.rules and (method, path) not in ALLOWED:
            unguarded.append(f"{method} {path}")
    assert unguarded == []


def test_public_list_names_only_existing_routes(app):
    paths = {path for _m, path, _h in http_routes(app)}
    assert set(PUBLIC_PATHS) - paths == set()


def test_matrix_covers_every_guarded_route(app):
    guarded = {(m, p) for m, p, _h in http_routes(app)
               if p not in PUBLIC_PATHS and not p.startswith(COVERED_ELSEWHERE)}
    assert guarded == set(ALLOWED)


def test_unknown_permission_is_denied_by_default():
    from core.actors import SYSTEM, Actor, Role
    admin = Actor(user_id=1, organisation_id=1, roles=frozenset(Role))
    assert not POLICY.can(admin, "no.such.permission")
    assert POLICY.can(SYSTEM, "account.self")


def _objects_of_centre_a(db, crypto, personas) -> dict[str, str]:
    """A report and a case of centre A, and the ids the object routes need."""
    from core import accounts
    from core.clock import utcnow
    from reporting.cases import open_case
    from reporting.intake import intake_context, parse_report, submit_report
    from reporting.models import Incident
    from tests.intake_flow import FULL_REPORT
    from tests.personas import add_districts, establish_centres
    add_districts(db)
    establish_centres(db, crypto, personas)
    values = {k: v if isinstance(v, list) else [v] for k, v in FULL_REPORT.items()}
    report = parse_report(values, intake_context(db, today=utcnow().date()))
    submitted = submit_report(db, report, [], tag_key=b"k" * 32, params=crypto.argon2, today=utcnow().date())
    incident = db.get(Incident, submitted.incident_id)
    case = open_case(db, personas["counsellor_a"].actor, incident, now=utcnow())
    victim = accounts.create_user(db, crypto, organisation_id=personas["admin"].organisation_id,
                                  email="victim@example.org", display_name="Victim", password="a long password",
                                  roles=frozenset({accounts.Role.STRATEGY_MEMBER}), now=utcnow())
    db.commit()
    from sqlmodel import select

    from reporting.chronicle import propose_entry
    from reporting.models import CaseEvent
    deadline = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "deadline")).one()
    # A chronicle entry of centre A waiting for review, proposed by a third member (so both may review it).
    incident.verification = "verified"
    colleague = accounts.create_user(db, crypto, organisation_id=personas["counsellor_a"].organisation_id,
                                     email="colleague@example.org", display_name="Colleague",
                                     password="a long password", roles=frozenset({accounts.Role.COUNSELLOR}),
                                     now=utcnow())
    entry = propose_entry(db, accounts.actor_for(db, colleague), submitted.incident_id,
                          summary="Ein frisch geschriebener Eintrag für die Chronik.", date_shown="day",
                          place_shown="district", now=utcnow())
    db.commit()
    return {"incident_id": submitted.incident_id, "case_id": str(case.id), "event_id": str(deadline.id),
            "member": str(personas["counsellor_a"].user_id), "victim": str(victim.id), "entry_id": entry.id}


def _published_year(db, personas) -> None:
    """Counted incidents in 2025, so the routes of a published year (report, open data) have one to show."""
    from datetime import date

    from reporting.statistics import rebuild_rollup
    from tests.statistics_data import add_incident
    for day in range(1, 13):
        add_incident(db, personas["counsellor_a"].organisation_id, on=date(2025, day, 1), district="altstadt",
                     types=("insult_verbal_abuse",), motives=("racism",), affected_count=1)
    rebuild_rollup(db)
    db.commit()


@pytest.mark.parametrize("persona_key", PERSONA_KEYS)
def test_authorisation_matrix(persona_key, app, client, personas, db, crypto):
    for key in EVERYONE_LOGGED_IN:
        personas[key]  # everyone exists, so centre keys are granted to both members of centre A
    ids = _objects_of_centre_a(db, crypto, personas)
    _published_year(db, personas)
    if persona_key != "anonymous":
        client.login(personas[persona_key])
    wrong = []
    for method, path, _handler in http_routes(app):
        if path in PUBLIC_PATHS or path in {"/abmelden"} or path.startswith(COVERED_ELSEWHERE):
            continue  # public paths are open by design; logging out would end this sweep's session
        values = {**SAMPLE_PATH_VALUES, "incident_id": ids["incident_id"], "case_id": ids["case_id"],
                  "event_id": ids["event_id"], "entry_id": ids["entry_id"],
                  "user_id": ids["victim"] if path.startswith("/admin") else ids["member"]}
        url = concrete(path, values)
        response = client.get(url) if method == "GET" else client.submit(url, {})
        allowed = persona_key in ALLOWED[(method, path)]
        if persona_key == "anonymous":
            passed_guard = not (response.status_code == 303 and "/anmelden" in response.headers["location"]
                                and "next=" in response.headers["location"])
        else:
            passed_guard = response.status_code not in {401, 403, 404}
        if passed_guard != allowed:
            wrong.append(f"{method} {path}: {response.status_code} (allowed={allowed})")
    assert wrong == []


@pytest.mark.parametrize("persona_key", ["counsellor_b", "coordinator", "strategy_member", "admin"])
def test_other_centres_and_roles_get_404_like_a_missing_id(persona_key, app, client, personas, db, crypto):
    for key in EVERYONE_LOGGED_IN:
        personas[key]
    ids = _objects_of_centre_a(db, crypto, personas)
    client.login(personas[persona_key])
    for path in (f"/beratung/meldungen/{ids['incident_id']}", f"/beratung/faelle/{ids['case_id']}",
                 f"/beratung/meldungen/{ids['incident_id']}/kodierung"):
        real, missing = client.get(path), client.get(path.replace(ids["incident_id"], "0" * 32)
                                                     .replace(f"faelle/{ids['case_id']}", "faelle/999999"))
        assert real.status_code == missing.status_code == 404
        assert real.text.replace(path, "") .count("<h1>") == 1


def test_security_headers_on_every_page(app, client, personas):
    responses = []
    for login in (None, "admin"):
        if login:
            client.login(personas[login])
        for method, path, _handler in http_routes(app):
            if method == "GET":
                responses.append((path, client.get(concrete(path, SAMPLE_PATH_VALUES))))
        responses.append(("missing", client.get("/does-not-exist")))
        responses.append(("csrf", client.post("/anmelden", data={})))
    for path, response in responses:
        for name, value in BASE_HEADERS.items():
            assert response.headers.get(name) == value, f"{path} lacks {name}"


def test_hsts_only_over_https(settings, engine):
    from dataclasses import replace

    from litestar.testing import TestClient

    from web.app import create_app
    https_app = create_app(replace(settings, base_url="https://vorort.example"), engine=engine)
    with TestClient(https_app, base_url="https://vorort.example") as https_client:
        response = https_client.get("/")
        assert "max-age=" in response.headers["strict-transport-security"]
        assert response.headers["set-cookie"].startswith("__Host-csrftoken=")
        assert "secure" in response.headers["set-cookie"].lower()


class _References(HTMLParser):
    ATTRIBUTES = frozenset({"src", "href", "action", "srcset", "poster", "data", "formaction", "data-hx-get",
                  "data-hx-post", "data-hx-put", "data-hx-delete", "data-hx-patch", "xlink:href"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.urls.append(value)
            if name == "style" and value:
                self.urls.extend(re.findall(r"url\(([^)]+)\)", value))


def _foreign(url: str) -> bool:
    url = url.strip().strip("'\"")
    if url.startswith(("mailto:", "tel:", "#")):
        return False
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE)) and not url.startswith(
        ("http://testserver.local/", "https://testserver.local/"))


def test_no_page_references_another_host(app, client, personas):
    seen = []
    for login in (None, "admin"):
        if login:
            client.login(personas[login])
        for method, path, _handler in http_routes(app):
            if method != "GET" or path.startswith("/schema"):
                continue
            response = client.get(concrete(path, SAMPLE_PATH_VALUES))
            if "text/html" in response.headers.get("content-type", ""):
                parser = _References()
                parser.feed(response.text)
                seen.extend(f"{path}: {u}" for u in parser.urls if _foreign(u))
    css = client.get("/static/css/site.css").text
    seen.extend(f"site.css: {u}" for u in re.findall(r"url\(([^)]+)\)", css) if _foreign(u))
    assert seen == []


def test_two_apps_in_one_process_both_serve(settings, engine):
    from litestar.testing import TestClient

    from web.app import create_app
    for _ in range(2):
        with TestClient(create_app(settings, engine=engine)) as fresh:
            assert fresh.get("/anmelden").status_code == 200
            assert fresh.post("/anmelden", data={"_csrf_token": "x"}).status_code == 403


def test_poster_shows_the_address_and_a_local_qr_code_in_every_language(client, settings):
    page = client.get("/aushang")
    assert page.status_code == 200
    assert f"{settings.base_url}/melden" in page.text and "<svg" in page.text
    assert page.text.count('<li lang="') == len(settings.languages)
    assert 'lang="ar" dir="rtl"' in page.text
