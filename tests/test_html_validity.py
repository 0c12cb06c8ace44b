"""Every page the tests can reach is valid HTML for the current Nu HTML checker (vnu-jar, run with Java)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.intake_flow import FULL_REPORT, post_step, send, walk_to_review
from tests.personas import add_districts, establish_centres
from tests.routes import concrete, http_routes

VNU = Path(os.environ.get("VORORT_TEST_VNU_JAR", Path(__file__).resolve().parent.parent / ".tools" /
                          "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))


def _checker() -> list[str]:
    if not VNU.exists() or shutil.which("java") is None:
        reason = f"the Nu HTML checker is not installed ({VNU}); `make test` installs it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return ["java", "-jar", str(VNU)]


def _collect(client, app, personas, db, crypto, out: Path) -> int:
    add_districts(db)
    establish_centres(db, crypto, personas)
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
        if persona:
            client.submit("/abmelden")
    for index, (name, text) in enumerate(sorted(pages.items())):
        (out / f"{index:03d}.html").write_text(f"<!-- {name} -->\n" + text, encoding="utf-8")
    return len(pages)


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
