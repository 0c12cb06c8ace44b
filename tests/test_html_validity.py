"""Every page the tests can reach is valid HTML for the current Nu HTML checker (vnu-jar, run with Java)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from reporting.chronicle import CHECKLIST
from tests.dashboard_data import add_known_figures
from tests.intake_flow import FULL_REPORT, post_step, send, walk_to_review
from tests.personas import add_districts, establish_centres
from tests.routes import concrete, http_routes
from tests.web_client import WebClient

VNU = Path(os.environ.get("VORORT_TEST_VNU_JAR", Path(__file__).resolve().parent.parent / ".tools" /
                          "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))


def _checker() -> list[str]:
    if not VNU.exists() or shutil.which("java") is None:
        reason = f"the Nu HTML checker is not installed ({VNU}); `make test` installs it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return ["java", "-jar", str(VNU)]


def _eccar_plan(db, personas) -> int:
    from datetime import date

    from core.clock import utcnow
    from strategy.plans import create_plan
    plan = create_plan(db, personas["coordinator"].actor, template="eccar", title="ECCAR",
                       period_start=date(2026, 1, 1),
                       period_end=date(2027, 12, 31), now=utcnow())
    db.commit()
    assert plan.id is not None
    return plan.id


def _mails() -> dict[str, str]:
    """The HTML parts of a reminder and a digest mail (German and Arabic, right to left)."""
    from web.reminder_mail import MailLine, render
    pages = {}
    for lang in ("de", "ar"):
        common = {"name": "Petra", "subject": "Erinnerung", "site_name": "Vor Ort",
                  "settings_url": "https://vorort.example/konto/benachrichtigungen"}
        line = MailLine("Der Meilenstein ist fällig.", "https://vorort.example/plan/massnahmen/1")
        pages[f"mail-reminder-{lang}"] = render("reminder", lang, line=line, **common)[1]
        pages[f"mail-digest-{lang}"] = render("digest", lang, lines=[line], updates=[line], more=3,
                                                 plan_url="https://vorort.example/plan/meine-massnahmen", **common)[1]
    return pages


def _collect(client, app, personas, db, crypto, out: Path) -> int:
    add_districts(db)
    centres = establish_centres(db, crypto, personas)
    add_known_figures(db, centres["A"])  # the statistics pages with charts, tables and a map
    pages: dict[str, str] = {}

    def keep(name: str, response) -> None:
        if "text/html" in response.headers.get("content-type", ""):
            pages[name] = response.text

    # The public side, including every step of the report, a failed step, the receipt and the status pages.
    html = client.get("/melden").text
    keep("melden-1", client.get("/melden"))
    keep("melden-error", post_step(client, html, {"incident_types": []}))
    review = walk_to_review(client, FULL_REPORT)
    keep("melden-review", type("R", (), {"headers": {"content-type": "text/html"}, "text": review})())
    done = send(client, review)
    keep("receipt", done)
    keep("status-unknown", client.post("/status", data={"receipt": "1111 2222 3333 4444",
                                                        "_csrf_token": client.csrf()}))
    from tests.plan_flow import filled_plan, refused_forms
    plan_ids = filled_plan(db, personas)
    from tests.plan_data import filled_meetings, refused_meeting_forms
    plan_ids = filled_meetings(db, personas, plan_ids)
    for persona in (None, "counsellor_a", "lead_a", "admin", "coordinator", "strategy_member"):
        if persona:
            client.login(personas[persona])
        for method, path, _handler in http_routes(app):
            if method != "GET" or path.startswith(("/schema", "/static", "/api", "/metrics")):
                continue
            response = client.get(concrete(path, {"token": "x", "incident_id": "0", "case_id": "0", **plan_ids}))
            keep(f"{persona}-{path}", response)
        if persona == "coordinator":
            for name, response in refused_forms(client, plan_ids):
                keep(name, response)
            for name, response in refused_meeting_forms(client, plan_ids):
                keep(name, response)
        if persona == "counsellor_a":
            inbox = client.get("/beratung").text
            incident = inbox.split('href="/beratung/meldungen/')[1].split('"')[0]
            keep("incident", client.get(f"/beratung/meldungen/{incident}"))
            keep("coding", client.get(f"/beratung/meldungen/{incident}/kodierung"))
            case_path = client.submit(f"/beratung/meldungen/{incident}/fall").headers["location"]
            keep("case", client.get(case_path))
            keep("case-error", client.submit(f"{case_path}/status", {"status": "closed"}))
            client.submit(f"/beratung/meldungen/{incident}/sichtung", {"decision": "verified", "note": ""})
            keep("chronicle-propose", client.get(f"/beratung/meldungen/{incident}/chronik"))
            propose = f"/beratung/meldungen/{incident}/chronik"
            keep("chronicle-propose-error", client.submit(propose, {"public_summary": "x"}))
            client.submit(propose, {"public_summary": "Eine Frau wurde in einem Geschäft beleidigt. Niemand half ihr.",
                                    "date_shown": "day", "place_shown": "district"})
            keep("chronicle-proposed", client.get(f"/beratung/meldungen/{incident}/chronik"))
            keep("incident-with-entry", client.get(f"/beratung/meldungen/{incident}"))
            entry = client.get("/beratung/chronik").text.split('href="/beratung/chronik/')[1].split('"')[0]
            keep("chronicle-review-own", client.get(f"/beratung/chronik/{entry}"))
        if persona == "lead_a":
            keep("chronicle-queue", client.get("/beratung/chronik"))
            keep("chronicle-review", client.get(f"/beratung/chronik/{entry}"))
            keep("chronicle-approve-error", client.submit(f"/beratung/chronik/{entry}/freigeben", {}))
            client.submit(f"/beratung/chronik/{entry}/freigeben", {"checks": list(CHECKLIST)})
            keep("chronicle-review-approved", client.get(f"/beratung/chronik/{entry}"))
            keep("chronicle-withdraw-error", client.submit(f"/beratung/chronik/{entry}/zurueckziehen", {}))
        if persona == "admin":  # every step of the first-run setup, a failed one, settings and code lists
            from web.controllers.setup import STEPS
            for step in STEPS:
                keep(f"setup-{step.key}", client.get(f"/einrichtung/{step.key}"))
            keep("setup-error", client.submit("/einrichtung/gemeinde", {"municipality_name": "", "ags": "1"}))
            keep("settings-mail", client.get("/admin/einstellungen/e-mail"))
            keep("code-list", client.get("/admin/codelisten/motive"))
            keep("code-list-error", client.submit("/admin/codelisten/motive", {"code": "X"}))
        if persona == "coordinator":
            keep("notifications-error", client.submit("/konto/benachrichtigungen", {"frequency": "hourly"}))
            for query in ("rows=district&columns=motive", "district=hafen&granularity=quarter",
                          "rows=motive&multiple=1", "district=hafen&motive=racism"):
                keep(f"statistik-{query}", client.get(f"/statistik?{query}"))
            keep("statistik-karte-filtered", client.get("/statistik/karte?incident_type=discrimination"))
            plan_id = _eccar_plan(db, personas)
            keep("eccar", client.get(f"/plan/{plan_id}/eccar"))
            keep("import", client.get(f"/plan/{plan_id}/import"))
            keep("import-errors", client.post(f"/plan/{plan_id}/import", data={"_csrf_token": client.csrf()},
                                              files={"file": ("m.csv", b"id,title\n99999,x\n", "text/csv")}))
            _situation_report_pages(client, db, personas, keep)
        if persona:
            client.submit("/abmelden")
    _public_chronicle(app, entry, keep)
    pages.update(_mails())
    for index, (name, text) in enumerate(sorted(pages.items())):
        (out / f"{index:03d}.html").write_text(f"<!-- {name} -->\n" + text, encoding="utf-8")
    return len(pages)


def _situation_report_pages(client, db, personas, keep) -> None:
    """The annual report and the comparison with an imported file, and a refused import."""
    import json

    from tests.test_open_data import _export, _tampered, _year_of_incidents
    _year_of_incidents(db, personas["counsellor_a"].organisation_id)
    keep("lagebild-index", client.get("/statistik/lagebild"))
    keep("lagebild", client.get("/statistik/lagebild/2025"))
    other = json.dumps(_tampered(_export(db), "none")).encode()
    refused = json.dumps(_tampered(_export(db), "three-with-k-five")).encode()
    db.commit()  # the export may have stored a snapshot; the app's own session must not wait for this one
    client.post("/statistik/vergleich", data={"_csrf_token": client.csrf()},
                files={"file": ("other.json", other, "application/json")})
    keep("vergleich", client.get("/statistik/vergleich?jahr=2025&ansicht=by-district"))
    keep("vergleich-422", client.post("/statistik/vergleich", data={"_csrf_token": client.csrf()},
                                      files={"file": ("bad.json", refused, "application/json")}))


def _public_chronicle(app, entry: str, keep) -> None:
    """The public chronicle (switched off by default) with one approved entry; its Atom feed must parse."""
    from web.app import create_app
    chronicle_app = create_app(replace(app.state.settings, public_chronicle=True), engine=app.state.engine)
    with WebClient(chronicle_app) as visitor:
        keep("chronicle-public", visitor.get("/chronik"))
        keep("chronicle-public-filtered", visitor.get("/chronik?district=altstadt&year=2026"))
        keep("chronicle-entry", visitor.get(f"/chronik/{entry}"))
        keep("start-with-chronicle", visitor.get("/"))
        feed = visitor.get("/chronik/feed.atom")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert ElementTree.fromstring(feed.content).tag == "{http://www.w3.org/2005/Atom}feed"


def test_every_reached_page_is_valid_html(client, app, personas, db, crypto, tmp_path):
    command = _checker()
    count = _collect(client, app, personas, db, crypto, tmp_path)
    assert count > 20, count
    done = subprocess.run([*command, "--format", "json", "--errors-only", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages
              if m.get("type") == "error"]
    assert errors == [], "\n".join(errors)
