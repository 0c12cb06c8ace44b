"""The JSON API: same validation, same anonymity, proof of work required."""

from __future__ import annotations

import base64
import io

import pytest
from sqlmodel import select

from reporting.models import Incident, Message
from tests.personas import add_districts, establish_centres
from tests.scratch import solve


@pytest.fixture
def centres(db, crypto, personas):
    add_districts(db)
    return establish_centres(db, crypto, personas)


def solved(client) -> dict:
    return solve(client.get("/api/v1/challenge").json())


def report(client, **overrides) -> dict:
    body = {"incident_types": ["discrimination"], "motives": ["racism"], "description": "Wohnung verweigert.",
            "district": "hafen", "year": 2026, "month": 9, "reporter_role": "witness", "proof": solved(client)}
    body.update(overrides)
    return body


def test_partner_portal_submits_and_follows_up(client, db, centres):
    created = client.post("/api/v1/reports", json=report(client))
    assert created.status_code == 201, created.text
    receipt = created.json()["receipt"]
    incident = db.exec(select(Incident)).one()
    assert (incident.channel, incident.reporter_role, incident.date_precision) == ("web_form", "witness", "month")
    status = client.post("/api/v1/status", json={"receipt": receipt})
    assert status.status_code == 200
    assert status.json()["state"] == "received" and status.json()["messages"] == []
    written = client.post("/api/v1/messages", json={"receipt": receipt, "message": "Noch eine Info."})
    assert written.status_code == 201
    assert written.json()["messages"][0]["body"] == "Noch eine Info."
    assert db.exec(select(Message)).one().author == "reporter"


def test_invalid_fields_get_translated_messages(client, db, centres):
    response = client.post("/api/v1/reports", json=report(client, incident_types=["not_a_code"], year=2026,
                                                          month=2, day=30),
                           headers={"accept-language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"incident_types": "choose_option", "day": "date_invalid"}
    assert "does not exist" in body["messages"]["day"]
    assert db.exec(select(Incident)).all() == []


def test_missing_or_replayed_proof_is_refused(client, db, centres):
    body = report(client)
    body["proof"] = {**body["proof"], "number": body["proof"]["number"] + 1}
    assert client.post("/api/v1/reports", json=body).json()["errors"] == {"proof": "proof_wrong"}
    body = report(client)
    assert client.post("/api/v1/reports", json=body).status_code == 201
    replay = client.post("/api/v1/reports", json=body)
    assert replay.status_code == 422 and replay.json()["errors"] == {"proof": "proof_replayed"}
    forged = report(client)
    forged["proof"] = {**forged["proof"], "signature": "0" * 64}
    assert client.post("/api/v1/reports", json=forged).json()["errors"] == {"proof": "proof_missing"}
    no_proof = report(client)
    del no_proof["proof"]
    assert client.post("/api/v1/reports", json=no_proof).status_code == 400
    assert len(db.exec(select(Incident)).all()) == 1


def test_unknown_receipt_answers_like_any_other_unknown(client, centres):
    first = client.post("/api/v1/status", json={"receipt": "0000 0000 0000 0000"})
    second = client.post("/api/v1/status", json={"receipt": "9999-9999-9999-9999"})
    assert first.status_code == second.status_code == 404
    assert first.json() == second.json()
    assert client.post("/api/v1/status", json={"receipt": "12"}).status_code == 422


def test_attachments_through_the_api_are_cleaned(client, db, centres):
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    body = report(client, attachments=[{"filename": "a.jpg", "content": base64.b64encode(buffer.getvalue()).decode()}])
    assert client.post("/api/v1/reports", json=body).status_code == 201
    bad = report(client, attachments=[{"filename": "x.exe", "content": base64.b64encode(b"MZ\x90\x00").decode()}])
    response = client.post("/api/v1/reports", json=bad)
    assert response.status_code == 422 and response.json()["errors"] == {"attachments": "file_type_refused"}


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/schema/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/status", "/api/v1/messages", "/api/v1/challenge"} <= set(schema["paths"])
    assert not any(path.startswith(("/melden", "/admin", "/anmelden")) for path in schema["paths"])
