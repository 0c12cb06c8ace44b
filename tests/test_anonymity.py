"""Nothing that identifies a reporter is stored or logged: canaries through a real server and file."""

from __future__ import annotations

import io
import re
import sqlite3
import uuid

import httpx
import pytest
from PIL import Image

from tests.intake_flow import form_fields, receipt_from, solve_pow
from tests.live_server import live_server

STEPS = [
    {"incident_types": ["insult_verbal_abuse"], "motives": ["racism"]},
    {"district": "hafen", "place_type": "street_square", "year": "2026", "month": "5"},
    {"reporter_role": "affected"},
    {"description": None},
    {"wants_contact": "no"},
]


def _post(client: httpx.Client, html: str, answers: dict, go: str = "next", files=None) -> httpx.Response:
    data: dict[str, list[str]] = {}
    for name, value in form_fields(html):
        if name not in answers:
            data.setdefault(name, []).append(value)
    for name, value in answers.items():
        data[name] = value if isinstance(value, list) else [value]
    data["go"] = [go]
    return client.post("/melden", data=data, files=files or [("files", ("", b"", "application/octet-stream"))])


def _jpeg_with_exif(marker: str) -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = f"CanaryCam-{marker}"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory):
    marker = uuid.uuid4().hex
    canaries = {
        "user agent": f"CanaryAgent/{marker}",
        "forwarded address": "198.51.100.173",
        "referrer": f"https://referrer-{marker}.example/page",
        "client address": "127.0.0.73",
    }
    description = f"Zeuge sah Vorfall Kanarienvogel{marker[:8]} beim Bäcker Zwiebelturm{marker[8:16]}."
    directory = tmp_path_factory.mktemp("canary")
    with live_server(directory) as server:
        headers = {"user-agent": canaries["user agent"], "x-forwarded-for": canaries["forwarded address"],
                   "x-real-ip": canaries["forwarded address"], "referer": canaries["referrer"],
                   "forwarded": f"for={canaries['forwarded address']}"}
        transport = httpx.HTTPTransport(local_address=canaries["client address"])
        with httpx.Client(base_url=server.url, headers=headers, transport=transport) as client:
            html = client.get("/melden").text
            for answers in STEPS:
                answers = {k: (description if v is None else v) for k, v in answers.items()}
                response = _post(client, html, answers)
                assert response.status_code == 200, response.text
                html = response.text
            done = _post(client, html, {"pow_number": solve_pow(html)}, go="send",
                         files=[("files", ("foto.jpg", _jpeg_with_exif(marker), "image/jpeg"))])
            assert done.status_code == 200, done.text
            receipt = receipt_from(done.text)
            view = client.post("/status", data={"receipt": receipt, "action": "reply",
                                                "message": f"Nachtrag {marker}",
                                                "_csrf_token": client.cookies["csrftoken"]})
            assert view.status_code == 200
            download = re.search(r'name="attachment" value="(\d+)"', view.text)
            attachment = None
            if download:
                attachment = client.post("/status", data={"receipt": receipt, "action": "download",
                                                          "attachment": download.group(1),
                                                          "_csrf_token": client.cookies["csrftoken"]}).content
        # Also look at what the status page of the demo report gives, then stop the server.
    db_file = directory / "vorort.sqlite3"
    return {"canaries": canaries, "receipt": receipt, "description": description, "directory": directory,
            "db_file": db_file, "log": (directory / "server.log").read_bytes(), "marker": marker,
            "attachment": attachment}


def _raw_database(run) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm"):
        path = run["db_file"].with_name(run["db_file"].name + suffix)
        if path.exists():
            data += path.read_bytes()
    return data


def _all_rows_as_text(run) -> str:
    connection = sqlite3.connect(run["db_file"])
    chunks = []
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in connection.execute(f'SELECT * FROM "{table}"'):
            chunks.append(repr(row))
    connection.close()
    return "\n".join(chunks)


def _forms(value: str) -> list[bytes]:
    return [value.encode(), value.encode("utf-16-le"), value.replace(" ", "").encode()]


def test_no_identifying_request_data_anywhere(canary_run):
    rows, raw, log = _all_rows_as_text(canary_run), _raw_database(canary_run), canary_run["log"]
    for what, canary in canary_run["canaries"].items():
        assert canary not in rows, f"{what} in a table"
        for form in _forms(canary):
            assert form not in raw, f"{what} in the database file"
            assert form not in log, f"{what} in the server log"


def test_receipt_code_is_nowhere_in_clear(canary_run):
    receipt = canary_run["receipt"]
    rows, raw, log = _all_rows_as_text(canary_run), _raw_database(canary_run), canary_run["log"]
    for form in [*_forms(receipt), receipt.replace(" ", "-").encode()]:
        assert form not in raw and form not in log
    assert receipt.replace(" ", "") not in rows


def test_raw_database_holds_no_word_of_the_description(canary_run):
    raw = _raw_database(canary_run)
    words = [w.strip(".") for w in canary_run["description"].split() if len(w) > 4]
    leaked = [w for w in words if w.encode() in raw]
    assert leaked == []
    assert f"Nachtrag {canary_run['marker']}".encode() not in raw


def test_anonymous_report_keeps_only_the_day(canary_run):
    connection = sqlite3.connect(canary_run["db_file"])
    received = connection.execute("SELECT received_on FROM incident ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    sent = connection.execute("SELECT sent_on FROM message ORDER BY id DESC LIMIT 1").fetchone()[0]
    connection.close()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", received) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", sent)


def test_uploaded_photo_loses_its_exif_but_still_opens(canary_run):
    data = canary_run["attachment"]
    assert data, "the attachment could not be downloaded with the receipt"
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48)
    assert dict(image.getexif()) == {}
    assert b"CanaryCam" not in data and b"GPS" not in data
    assert b"CanaryCam" not in _raw_database(canary_run)
