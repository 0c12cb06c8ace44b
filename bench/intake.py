"""Intake over HTTP (HTML form and JSON API) against the work a report must do.

The reference, measured in the same run: one Argon2id derivation at the production parameters plus a
raw driver insert of the same rows (one incident row and its code rows) in one durable transaction.
Reported: server time per report at one client as a ratio to that work, and p50/p99 at 1, 10 and
50 concurrent clients, with one and two worker processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from core.crypto import Argon2Params, derive_from_secret
from tests.live_server import free_port
from tests.scratch import solve

PG_URL = os.environ.get("VORORT_TEST_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
REPORT = {"incident_types": ["insult_verbal_abuse", "physical_attack"], "motives": ["racism"],
          "district": "hafen", "place_type": "street_square", "year": 2026, "month": 5, "reporter_role": "affected",
          "consequences": ["psychological"], "description": "Benchmark: beleidigt an der Haltestelle."}


def reference_work(database: str, rounds: int = 20) -> float:
    """Median seconds of Argon2id at production cost plus a raw durable insert of one report's rows."""
    params = Argon2Params()
    timings = []
    if database == "sqlite":
        path = Path(tempfile.mkdtemp()) / "ref.sqlite3"
        conn: Any = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        placeholder = "?"
    else:
        import psycopg
        conn = psycopg.connect(PG_URL, autocommit=True)
        placeholder = "%s"
    conn.execute("DROP TABLE IF EXISTS ref_incident_code")
    conn.execute("DROP TABLE IF EXISTS ref_incident")
    conn.execute("CREATE TABLE ref_incident (id TEXT PRIMARY KEY, received_on TEXT, codes TEXT, "
                 "description BYTEA, key_for_centre BYTEA, key_for_receipt BYTEA, receipt_tag TEXT, "
                 "receipt_salt BYTEA, receipt_verifier BYTEA)".replace("BYTEA", "BLOB" if database == "sqlite"
                                                                          else "BYTEA"))
    conn.execute("CREATE TABLE ref_incident_code (incident_id TEXT, field TEXT, code TEXT)")
    p = placeholder
    for _ in range(rounds):
        started = time.perf_counter()
        verifier, _wrap = derive_from_secret(f"{secrets.randbelow(10**16):016d}", secrets.token_bytes(16), params)
        incident = secrets.token_hex(16)
        blob = secrets.token_bytes(120)
        if database == "sqlite":
            conn.execute("BEGIN")
        else:
            conn.execute("BEGIN")
        conn.execute(f"INSERT INTO ref_incident VALUES ({','.join([p] * 9)})",
                     (incident, "2026-11-24", "x", blob, blob, blob, "abcde", blob[:16], verifier))
        for field, code in (("incident_types", "insult_verbal_abuse"), ("incident_types", "physical_attack"),
                            ("motives", "racism"), ("consequences", "psychological")):
            conn.execute(f"INSERT INTO ref_incident_code VALUES ({p},{p},{p})", (incident, field, code))
        conn.execute("COMMIT")
        timings.append(time.perf_counter() - started)
    conn.execute("DROP TABLE ref_incident_code")
    conn.execute("DROP TABLE ref_incident")
    conn.close()
    return statistics.median(timings)


def start_server(database: str, workers: int, directory: Path,
                 ) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """Our server with the demo data on a fresh SQLite file or PostgreSQL database, limits lifted."""
    env = {**os.environ, "VORORT_SECRET_KEY_FILE": str(directory / "secret.key"), "VORORT_LOOKUP_FLOOR_MS": "0",
           "VORORT_INTAKE_LIMIT_PER_HOUR": "1000000", "VORORT_LOOKUP_FAILURES_PER_15_MINUTES": "1000000"}
    if database == "sqlite":
        env["VORORT_DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    else:
        import psycopg
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS vorort_bench WITH (FORCE)")
            admin.execute("CREATE DATABASE vorort_bench")
        env["VORORT_DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/vorort_bench"
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "web.cli", *command], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers",
                                str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return process, url, env


def _html_body(client: httpx.Client, proof: dict[str, Any]) -> dict[str, Any]:
    token = client.cookies.get("csrftoken") or (client.get("/status") and client.cookies.get("csrftoken"))
    body: dict[str, Any] = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in REPORT.items()}
    body.update({"step": "review", "go": "send", "_csrf_token": token, "wants_contact": "no",
                 "pow_salt": proof["salt"], "pow_challenge": proof["challenge"], "pow_signature": proof["signature"],
                 "pow_number": str(proof["number"])})
    return body


def _load(url: str, kind: str, clients: int, per_client: int) -> list[float]:
    """Latencies of `clients` concurrent clients sending `per_client` reports each (proofs solved beforehand)."""
    def one_client(_index: int) -> list[float]:
        latencies = []
        with httpx.Client(base_url=url, timeout=120) as client:
            proofs = [solve(client.get("/api/v1/challenge").json()) for _ in range(per_client)]
            for proof in proofs:
                if kind == "api":
                    started = time.perf_counter()
                    response = client.post("/api/v1/reports", json={**REPORT, "proof": proof})
                else:
                    body = _html_body(client, proof)
                    started = time.perf_counter()
                    response = client.post("/melden", data=body)
                elapsed = time.perf_counter() - started
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"{kind} intake answered {response.status_code}: {response.text[:300]}")
                latencies.append(elapsed)
        return latencies

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [lat for chunk in pool.map(one_client, range(clients)) for lat in chunk]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(*, quick: bool = False) -> str:
    lines = ["Intake benchmark (make bench); times in ms", ""]
    databases = ["sqlite"]
    try:
        import psycopg
        psycopg.connect(PG_URL, connect_timeout=2).close()
        databases.append("postgresql")
    except Exception:  # PostgreSQL is optional for a local benchmark
        lines.append(f"(PostgreSQL at {PG_URL} not reachable: measured SQLite only)")
    lines.append("| db | workers | kind | clients | reports | p50 | p99 | p99/p50 | reference "
                 "| p50 at 1 client / reference |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for database in databases:
        reference = reference_work(database)
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                process, url, _env = start_server(database, workers, Path(tmp))
                try:
                    for kind in ("html", "api"):
                        _load(url, kind, 1, 3)  # warm up connections and caches
                        for clients, per_client in ((1, 10 if quick else 30), (10, 2 if quick else 5),
                                                    (50, 1 if quick else 2)):
                            latencies = _load(url, kind, clients, per_client)
                            p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
                            ratio = f"{p50 / reference:.2f}" if clients == 1 else ""
                            lines.append(f"| {database} | {workers} | {kind} | {clients} | {len(latencies)} | "
                                         f"{p50 * 1000:.0f} | {p99 * 1000:.0f} | {p99 / p50:.2f} | "
                                         f"{reference * 1000:.0f} | {ratio} |")
                finally:
                    process.terminate()
                    process.wait(timeout=30)
    return "\n".join(lines)
