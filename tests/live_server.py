"""A real `vorort serve` process on loopback, with its own SQLite file and captured logs; and
`server_forks`, which starts many of them quickly, for tests that kill and restart the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]

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


# --- many restarts ------------------------------------------------------------------------------
# Importing the application takes a new interpreter two to three seconds of CPU; a test that kills
# the server twenty times would spend most of its time there. A parent process imports it once, before
# any thread, connection or file of the app exists, and forks one `vorort serve` (web.cli.main) per
# start: each server is still a process of its own that opens the database afresh and dies by the
# signal the test sends, as a restarted server does.

class ForkedServer:
    """One forked `vorort serve`, with the parts of subprocess.Popen the tests use."""

    def __init__(self, forks: ServerForks, pid: int) -> None:
        self._forks = forks
        self.pid = pid
        self.returncode: int | None = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._forks.ask("poll", self.pid)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = self._forks.ask("wait", self.pid)
        assert self.returncode is not None
        return self.returncode


class ServerForks:
    """The parent process: `start` forks a server on a port; poll and wait go through it (its children)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    def _send(self, line: str) -> str:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(line + "\n")
        stdin.flush()
        answer = stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the server fork parent exited ({self._process.poll()})")
        return answer

    def ask(self, command: str, pid: int) -> int | None:
        answer = self._send(f"{command} {pid}")
        return None if answer == "running" else int(answer)

    def start(self, *serve_args: str) -> ForkedServer:
        return ForkedServer(self, int(self._send(" ".join(["serve", *serve_args]))))


@contextmanager
def server_forks(env: dict[str, str]) -> Iterator[ServerForks]:
    """Servers forked from one interpreter with this environment; any still running are stopped at the end."""
    process = subprocess.Popen([sys.executable, "-m", "tests.live_server"], cwd=ROOT, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        yield ServerForks(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the parent stops its remaining servers and exits
        process.wait(timeout=30)


def _fork_parent(commands: IO[str], answers: IO[str]) -> None:
    # Imported here once instead of in every server: uvicorn, the application, the CLI and its logging.
    import uvicorn  # noqa: F401

    import web.app
    import web.cli
    import web.logs
    running: set[int] = set()
    for line in commands:
        command, *args = line.split()
        if command == "serve":
            pid = os.fork()
            if pid == 0:  # the server: no pipe of the parent, output discarded
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                code = 1
                try:
                    code = web.cli.main(["serve", *args])
                finally:
                    os._exit(code)
            running.add(pid)
            answer = str(pid)
        else:
            pid = int(args[0])
            done, status = os.waitpid(pid, os.WNOHANG if command == "poll" else 0)
            if done:
                running.discard(pid)
            answer = str(os.waitstatus_to_exitcode(status)) if done else "running"
        answers.write(answer + "\n")
        answers.flush()
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    for pid in running:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    _fork_parent(sys.stdin, sys.stdout)
