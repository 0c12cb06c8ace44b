"""A real `vorort serve` process on loopback, with its own SQLite file and captured logs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TEST_ENV = {"VORORT_ARGON2_TIME_COST": "1", "VORORT_ARGON2_MEMORY_KIB": "8", "VORORT_ARGON2_PARALLELISM": "1",
            "VORORT_LOOKUP_FLOOR_MS": "0"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    directory: Path
    log: Path
    env: dict[str, str]

    def vorort(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "web.cli", *args], env=self.env, capture_output=True,
                              text=True, check=True, timeout=120)
        return done.stdout


@contextmanager
def live_server(directory: Path, *, seed: bool = True, extra_env: dict[str, str] | None = None,
                startup_seconds: float = 30) -> Iterator[LiveServer]:
    env = {**os.environ, **TEST_ENV, "VORORT_DATABASE_URL": f"sqlite:///{directory}/vorort.sqlite3",
           "VORORT_SECRET_KEY_FILE": str(directory / "secret.key"), **(extra_env or {})}
    env.pop("VORORT_TEST_DATABASE_URL", None)
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", directory, directory / "server.log", env)
    server.vorort("migrate")
    if seed:
        server.vorort("seed-demo")
    with server.log.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                try:
                    if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start: " + server.log.read_text())
                time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=15)
