"""Shared helpers for tests that need a second database or a solved proof of work."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine


def scratch_database_url(engine: Engine, tmp_path: Path, name: str) -> str:
    """An empty database beside the test database: a SQLite file, or a recreated PostgreSQL database."""
    if engine.dialect.name == "sqlite":
        return f"sqlite:///{tmp_path}/{name}.sqlite3"
    import psycopg
    url = engine.url
    database = f"{url.database}_{name}"
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return url.set(database=database).render_as_string(hide_password=False)


def solve(challenge: dict[str, Any]) -> dict[str, Any]:
    """The proof-of-work answer a browser would compute for a challenge of /api/v1/challenge."""
    for n in range(challenge["maxnumber"] + 1):
        if hashlib.sha256(f"{challenge['salt']}{n}".encode()).hexdigest() == challenge["challenge"]:
            return {"salt": challenge["salt"], "challenge": challenge["challenge"],
                    "signature": challenge["signature"], "number": n}
    raise AssertionError("unsolvable challenge")
