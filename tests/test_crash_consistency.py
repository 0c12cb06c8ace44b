"""SIGKILL the server again and again while reports arrive: every acknowledged report survives."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import httpx

from tests.live_server import TEST_ENV, ForkedServer, ServerForks, free_port, server_forks
from tests.scratch import scratch_database_url, solve

ROUNDS = int(os.environ.get("VORORT_TEST_CRASH_ROUNDS", "20"))
BODY = {"incident_types": ["insult_verbal_abuse"], "motives": ["racism"], "description": "Absturztest",
        "reporter_role": "witness"}


def _start(forks: ServerForks, port: int) -> ForkedServer:
    """`vorort serve` forked from a process that imported the app once (see tests/live_server.py)."""
    process = forks.start("--port", str(port))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise AssertionError("the server did not start cleanly after a kill")
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")


def test_killed_server_loses_no_acknowledged_report(engine, tmp_path):
    url = scratch_database_url(engine, tmp_path, "crash")
    env = {**os.environ, **TEST_ENV, "VORORT_DATABASE_URL": url, "VORORT_SECRET_KEY_FILE": str(tmp_path / "key"),
           "VORORT_INTAKE_LIMIT_PER_HOUR": "100000"}
    env.pop("VORORT_TEST_DATABASE_URL", None)
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "web.cli", *command], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    rng = random.Random(7)
    with server_forks(env) as forks:
        for _round in range(ROUNDS):
            process = _start(forks, port)
            stop = threading.Event()

            def submit_until_stopped(stop: threading.Event = stop) -> None:
                with httpx.Client(base_url=base, timeout=5) as client:
                    while not stop.is_set():
                        try:
                            proof = solve(client.get("/api/v1/challenge").json())
                            response = client.post("/api/v1/reports", json={**BODY, "proof": proof})
                        except httpx.HTTPError:
                            return  # the server died mid-request: that report was never acknowledged
                        if response.status_code == 201:
                            acknowledged.append(response.json()["receipt"])

            senders = [threading.Thread(target=submit_until_stopped) for _ in range(3)]
            for sender in senders:
                sender.start()
            time.sleep(rng.uniform(0.2, 0.8))
            process.send_signal(signal.SIGKILL)
            process.wait()
            stop.set()
            for sender in senders:
                sender.join()
        assert len(acknowledged) >= ROUNDS, "too few reports got through to make the test meaningful"
        process = _start(forks, port)
        try:
            with httpx.Client(base_url=base, timeout=10) as client:
                missing = [r for r in acknowledged
                           if client.post("/api/v1/status", json={"receipt": r}).status_code != 200]
        finally:
            process.terminate()
            process.wait()
        assert missing == []
