"""Load test (make bench): 50 concurrent clients mixing intake, status look-ups and staff page views for
a fixed time, on loopback. Reports server errors (must be 0) and latency percentiles per kind."""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pyotp

from bench.intake import PG_URL, REPORT, _percentile, start_server
from tests.scratch import solve
from web.demo import DEMO_PASSWORD, LOGINS


def _staff_client(url: str) -> httpx.Client:
    login = next(entry for entry in LOGINS if entry.email.startswith("jonas"))
    client = httpx.Client(base_url=url, timeout=60)
    client.get("/anmelden")
    token = client.cookies["csrftoken"]
    client.post("/anmelden", data={"email": login.email, "password": DEMO_PASSWORD, "_csrf_token": token})
    assert login.totp_secret
    client.post("/anmelden/zweiter-faktor", data={"code": pyotp.TOTP(login.totp_secret).now(), "_csrf_token": token})
    return client


def run_load(url: str, *, seconds: float, clients: int = 50) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=60) as setup:
        proofs = [solve(setup.get("/api/v1/challenge").json()) for _ in range(int(seconds * 6))]
        receipts = [setup.post("/api/v1/reports", json={**REPORT, "proof": proofs.pop()}).json()["receipt"]
                    for _ in range(5)]
    staff = _staff_client(url)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client_loop(index: int) -> None:
        rng = random.Random(index)
        own = staff if index % 5 == 0 else httpx.Client(base_url=url, timeout=60)
        while time.monotonic() < stop_at:
            roll = rng.random()
            started = time.perf_counter()
            try:
                if roll < 0.3:
                    with lock:
                        proof = proofs.pop() if proofs else None
                    if proof is None:
                        continue
                    kind, response = "intake", own.post("/api/v1/reports", json={**REPORT, "proof": proof})
                elif roll < 0.7:
                    code = rng.choice(receipts) if rng.random() < 0.8 else "1234 5678 9012 3456"
                    kind, response = "status", own.post("/api/v1/status", json={"receipt": code})
                else:
                    path = "/beratung" if rng.random() < 0.5 else "/beratung/statistik"
                    kind, response = "staff page", staff.get(path)
            except httpx.HTTPError as exc:
                with lock:
                    errors[f"transport: {type(exc).__name__}"] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies[kind].append(elapsed)
                if response.status_code >= 500:
                    errors[kind] += 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors}


def run(*, quick: bool = False) -> str:
    seconds = 15.0 if quick else 60.0
    lines = [f"Load test: 50 clients for {seconds:.0f} s (intake 30 %, status 40 %, staff pages 30 %); ms", "",
             "| db | workers | kind | requests | server errors | p50 | p95 | p99 |",
             "|---|---|---|---|---|---|---|---|"]
    setups = [("sqlite", 1)]
    try:
        import psycopg
        psycopg.connect(PG_URL, connect_timeout=2).close()
        setups.append(("postgresql", 2))
    except Exception:  # PostgreSQL is optional for a local benchmark
        lines.insert(1, "(PostgreSQL not reachable: SQLite only)")
    for database, workers in setups:
        with tempfile.TemporaryDirectory() as tmp:
            process, url, _env = start_server(database, workers, Path(tmp))
            try:
                result = run_load(url, seconds=seconds)
            finally:
                process.terminate()
                process.wait(timeout=30)
        for kind in sorted(result["latencies"]):
            values = result["latencies"][kind]
            lines.append(f"| {database} | {workers} | {kind} | {len(values)} | {result['errors'].get(kind, 0)} | "
                         f"{_percentile(values, 0.5) * 1000:.0f} | {_percentile(values, 0.95) * 1000:.0f} | "
                         f"{_percentile(values, 0.99) * 1000:.0f} |")
        for kind, count in sorted(result["errors"].items()):
            if kind.startswith("transport"):
                lines.append(f"| {database} | {workers} | {kind} | {count} | | | | |")
    return "\n".join(lines)
