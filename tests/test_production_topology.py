"""The production topology on loopback: PostgreSQL, two workers, one scheduler, Redis-backed limits,
and the smoke steps of the journeys over real HTTP. Everything started here is stopped here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pyotp
import pytest

from tests.live_server import TEST_ENV, free_port
from tests.scratch import solve
from web.demo import DEMO_PASSWORD, LOGINS

PG = os.environ.get("VORORT_TEST_DATABASE_URL", "")
REDIS = "redis://127.0.0.1:6379/14"


def _required(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _database(url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    from tests.conftest import _worker
    name = f"vorort_topology_{_worker()}"
    with psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(drivername="postgresql", database=name).render_as_string(hide_password=False)


def _login(client: httpx.Client, email: str) -> None:
    client.get("/anmelden")
    token = client.cookies["csrftoken"]
    response = client.post("/anmelden", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token})
    assert response.status_code == 303
    login = next(entry for entry in LOGINS if entry.email == email)
    if "zweiter-faktor" in response.headers["location"]:
        code = pyotp.TOTP(login.totp_secret).now()
        response = client.post("/anmelden/zweiter-faktor", data={"code": code, "next": "/start",
                                                                  "_csrf_token": token})
        assert response.status_code == 303, response.text


def test_production_topology_serves_the_journeys(tmp_path):
    if not PG:
        # Not a gap: `make test` always has a PostgreSQL pass in CI, and this test runs there.
        pytest.skip("runs in the PostgreSQL pass of make test")
    import redis
    try:
        store = redis.Redis.from_url(REDIS)
        store.ping()
    except redis.ConnectionError:
        _required("needs Redis on 127.0.0.1:6379")
    store.flushdb()
    env = {**os.environ, **TEST_ENV, "VORORT_DATABASE_URL": _database(PG), "VORORT_REDIS_URL": REDIS,
           "VORORT_SECRET_KEY_FILE": str(tmp_path / "secret.key"), "VORORT_LOG_JSON": "true"}
    env.pop("VORORT_TEST_DATABASE_URL", None)
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "web.cli", *command], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("wb")
    processes = [
        subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers", "2"],
                         env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "web.cli", "scheduler"], env=env, stdout=log,
                         stderr=subprocess.STDOUT),
    ]
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).json().get("status") == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        # Resident: report through the API, come back with the receipt.
        with httpx.Client(base_url=base, timeout=20) as resident:
            proof = solve(resident.get("/api/v1/challenge").json())
            created = resident.post("/api/v1/reports", json={
                "incident_types": ["insult_verbal_abuse"], "motives": ["racism"], "reporter_role": "affected",
                "description": "Rauchtest der Produktionsumgebung", "proof": proof})
            assert created.status_code == 201, created.text
            receipt = created.json()["receipt"]
            assert resident.post("/api/v1/status", json={"receipt": receipt}).json()["state"] == "received"
        assert list(store.scan_iter("vorort:rl:intake:*")), "rate limits are not kept in Redis"
        # Counsellor: log in with the second factor, find the report, answer it.
        with httpx.Client(base_url=base, timeout=20) as counsellor:
            _login(counsellor, "jonas@awo.example")
            inbox = counsellor.get("/beratung")
            assert inbox.status_code == 200
            # The demo has other reports of today; the new one is among the newest.
            for incident_id in re.findall(r'href="/beratung/meldungen/([0-9a-f]{32})"', inbox.text)[:40]:
                page = counsellor.get(f"/beratung/meldungen/{incident_id}")
                if "Rauchtest der Produktionsumgebung" in page.text:
                    break
            else:
                raise AssertionError("the new report is not in the counsellor's inbox")
            answered = counsellor.post(f"/beratung/meldungen/{incident_id}/antwort",
                                       data={"message": "Wir melden uns.",
                                             "_csrf_token": counsellor.cookies["csrftoken"]})
            assert answered.status_code == 303
        with httpx.Client(base_url=base, timeout=20) as resident:
            messages = resident.post("/api/v1/status", json={"receipt": receipt}).json()["messages"]
            assert [m["body"] for m in messages] == ["Wir melden uns."]
        # Administrator: sees the scheduler's first run.
        with httpx.Client(base_url=base, timeout=20) as admin:
            _login(admin, "admin@musterstadt.example")
            for _ in range(50):
                if "housekeeping" in admin.get("/admin").text:
                    break
                time.sleep(0.2)
            assert "housekeeping" in admin.get("/admin").text
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()
        store.flushdb()
    assert all(p.poll() is not None for p in processes)
