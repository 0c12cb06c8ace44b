"""The first-run setup walked over HTTP like a browser without JavaScript."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlmodel import select

from core import accounts
from core.actors import OrganisationKind
from core.deployment import setup_completed
from reporting.models import District, Incident, ReceivingCentre
from tests.intake_flow import FULL_REPORT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server():
    """A local SMTP server that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    port = _free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def _org_id(db, name: str) -> int:
    org = db.exec(select(accounts.Organisation).where(accounts.Organisation.name == name)).one()
    return int(org.id)


def test_admin_walks_the_first_run_setup(client, db, personas, smtp_server):
    port, received = smtp_server
    client.login(personas["admin"])
    assert client.get("/admin").headers["location"] == "/einrichtung"
    assert client.get("/einrichtung").headers["location"] == "/einrichtung/gemeinde"
    first = client.get("/einrichtung/gemeinde", headers={"accept-language": "en"})
    assert "Step 1 of 9" in first.text and 'aria-current="step"' in first.text

    bad = client.submit("/einrichtung/gemeinde", {"municipality_name": "Neustadt", "ags": "1234"})
    assert bad.status_code == 422 and 'id="error-ags"' in bad.text and 'value="Neustadt"' in bad.text
    done = client.submit("/einrichtung/gemeinde", {"municipality_name": "Neustadt", "ags": "05315000"})
    assert done.headers["location"] == "/einrichtung/stadtteile"
    # Back to the first step: what was saved is there.
    assert 'value="05315000"' in client.get("/einrichtung/gemeinde").text

    bad = client.submit("/einrichtung/stadtteile", {"names": "Nord\nnord\n"})
    assert bad.status_code == 422 and "Nord\nnord" in bad.text
    assert client.submit("/einrichtung/stadtteile", {"names": "Altstadt\nNord-Süd\nHafen"}).status_code == 303
    assert [(d.code, d.name) for d in db.exec(select(District).order_by(District.position)).all()] == [
        ("altstadt", "Altstadt"), ("nord-sued", "Nord-Süd"), ("hafen", "Hafen")]

    bad = client.submit("/einrichtung/organisationen", {"name": "Amt", "kind": "nonsense"})
    assert bad.status_code == 422 and 'value="Amt"' in bad.text
    for name, kind in (("Beratung Ost", "counselling_centre"), ("Beratung West", "counselling_centre"),
                       ("Integrationsamt", "municipal_department")):
        assert client.submit("/einrichtung/organisationen", {"name": name, "kind": kind}).status_code == 303
    ost, west = _org_id(db, "Beratung Ost"), _org_id(db, "Beratung West")

    bad = client.submit("/einrichtung/beratungsstellen", {"centres": [str(ost)], "default_centre": str(west)})
    assert bad.status_code == 422 and 'id="error-default_centre"' in bad.text
    assert re.search(rf'value="{ost}" checked', bad.text)
    assert client.submit("/einrichtung/beratungsstellen", {"centres": [str(ost), str(west)],
                                                          "default_centre": str(west)}).status_code == 303

    assert client.submit("/einrichtung/sprachen", {"default_language": "de"}).status_code == 422
    assert client.submit("/einrichtung/sprachen", {"languages": ["de", "en", "ar"],
                                                  "default_language": "de"}).status_code == 303
    assert client.submit("/einrichtung/schwellen", {
        "suppression_k": "5", "public_suppression_k": "10", "publication_delay_days": "7",
        "retention_unverified_days": "60", "retention_closed_case_days": "730"}).status_code == 303

    mail = {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_user": "", "smtp_password": "",
            "mail_from": "vorort@neustadt.example"}
    assert client.submit("/einrichtung/e-mail", mail).headers["location"] == "/einrichtung/oeffentlich"
    assert client.submit("/einrichtung/e-mail/test", {"to": "kein-adresse"}).status_code == 422
    sent = client.submit("/einrichtung/e-mail/test", {"to": "admin@neustadt.example"})
    assert sent.status_code == 200 and 'class="notice"' in sent.text
    assert [m["To"] for m in received] == ["admin@neustadt.example"]

    assert client.submit("/einrichtung/oeffentlich", {"public_statistics": "on"}).status_code == 303
    summary = client.get("/einrichtung/fertig")
    assert "Neustadt" in summary.text and "05315000" in summary.text
    assert not setup_completed(db)
    assert client.submit("/einrichtung/fertig").headers["location"] == "/admin?notice=setup_completed"
    assert setup_completed(db)
    assert client.get("/admin").status_code == 200
    effective = client.app.state.settings
    assert (effective.municipality_name, effective.languages, effective.public_statistics,
            effective.public_chronicle, effective.retention_unverified_days) == (
        "Neustadt", ("de", "en", "ar"), True, False, 60)
    # The same settings are on the admin page afterwards.
    assert 'value="05315000"' in client.get("/admin/einstellungen/gemeinde").text


def test_a_designated_centre_is_established_by_its_first_counsellor_and_receives_reports(client, db, personas):
    from core.clock import utcnow
    from reporting.centre_designation import designate_centres
    from reporting.intake import intake_context, parse_report, submit_report
    admin = personas["admin"]
    centre = accounts.create_organisation(db, admin.actor, name="Beratung Ost",
                                          kind=OrganisationKind.COUNSELLING_CENTRE, now=utcnow())
    designate_centres(db, admin.actor, [int(centre.id)], int(centre.id), now=utcnow())
    db.add(District(code="altstadt", name="Altstadt"))
    db.commit()
    assert intake_context(db, today=utcnow().date()).centres == frozenset()
    client.login(admin)
    created = client.submit("/admin/einladungen", {"email": "erste@ost.example", "organisation_id": str(centre.id),
                                                   "roles": ["counsellor", "centre_lead"]})
    path = created.text.split('class="invite-link">')[1].split("<")[0].split("127.0.0.1:8000")[1]
    client.submit("/abmelden")
    accepted = client.submit(path, {"display_name": "Erste", "password": "long password one",
                                    "confirm": "long password one"}, headers={"accept-language": "en"})
    assert accepted.status_code == 200 and "Recovery key" in accepted.text
    established = db.get(ReceivingCentre, centre.id)
    assert established is not None and established.is_default
    ctx = intake_context(db, today=utcnow().date())
    values = {k: v if isinstance(v, list) else [v] for k, v in FULL_REPORT.items()}
    submitted = submit_report(db, parse_report(values, ctx), [], tag_key=b"k" * 32,
                              params=client.app.state.crypto.argon2,
                              today=utcnow().date())
    assert db.get(Incident, submitted.incident_id).centre_id == centre.id


def test_setup_and_settings_are_for_administrators_only(client, personas):
    client.login(personas["coordinator"])
    assert client.get("/einrichtung/gemeinde").status_code == 403
    assert client.get("/admin/einstellungen").status_code == 403
    assert client.submit("/einrichtung/gemeinde", {"municipality_name": "X", "ags": "05315000"}).status_code == 403


def test_unknown_steps_do_not_exist(client, personas):
    client.login(personas["admin"])
    assert client.get("/einrichtung/unbekannt").status_code == 404
    assert client.get("/admin/einstellungen/fertig").status_code == 404


SAMPLE_GEOJSON = (Path(__file__).parent / "data" / "two_districts.geojson").read_text(encoding="utf-8")


def test_districts_come_from_an_uploaded_geojson_after_a_preview_map(client, db, personas):
    from reporting.district_map import current_geojson
    client.login(personas["admin"])
    token = client.csrf()
    broken = client.post("/einrichtung/stadtteile/karte", data={"_csrf_token": token},
                         files={"geojson_file": ("bezirke.geojson", b'{"type": "Point"}', "application/geo+json")})
    assert broken.status_code == 422 and 'id="error-geojson"' in broken.text
    preview = client.post("/einrichtung/stadtteile/karte", data={"_csrf_token": token},
                          files={"geojson_file": ("bezirke.geojson", SAMPLE_GEOJSON.encode(), "application/geo+json")})
    assert preview.status_code == 200
    assert '<svg id="district-preview"' in preview.text and "Südstadt" in preview.text
    assert db.exec(select(District)).all() == [] and current_geojson(db) is None  # nothing saved yet
    saved = client.submit("/einrichtung/stadtteile/karte/bestaetigen", {"geojson": SAMPLE_GEOJSON})
    assert saved.headers["location"] == "/einrichtung/organisationen"
    assert [(d.code, d.name) for d in db.exec(select(District).order_by(District.position)).all()] == [
        ("nord", "Nordstadt"), ("sued", "Südstadt")]
    assert [f["properties"]["code"] for f in current_geojson(db)["features"]] == ["nord", "sued"]
