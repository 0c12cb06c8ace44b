"""Consistent, encrypted backups while the application keeps writing, and their restore.

The backup is encrypted with a key derived from the server's secret key file, which is backed up
separately (deploy/RUNBOOK.md). Case content inside is encrypted anyway: the database holds only
keys wrapped for centre members, so neither the backup nor the secret file alone reveals it."""

from __future__ import annotations

import os
import sqlite3

# Only pg_dump and pg_restore run, with fixed arguments.
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from core.crypto import derive_key, seal, unseal

MAGIC = b"VORORT-BACKUP-1\n"
PURPOSE = "backup"


class BackupError(Exception):
    """The backup could not be written or read; the message says why."""


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
            "-d", parsed.database or "postgres"]
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return args, env


def dump(database_url: str) -> tuple[str, bytes]:
    """A consistent snapshot of the database: SQLite's online backup, or pg_dump's snapshot."""
    if database_url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(database_url))
        with tempfile.TemporaryDirectory() as tmp:
            target_path = Path(tmp) / "backup.sqlite3"
            target = sqlite3.connect(target_path)
            source.backup(target)  # copies page by page; concurrent writers continue
            target.execute("PRAGMA journal_mode=DELETE")
            target.close()
            source.close()
            return "sqlite", target_path.read_bytes()
    args, env = _pg_args(database_url)
    # A fixed argument list; pg_dump and pg_restore come from PATH as in any administrator shell.
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", *args], env=env, capture_output=True,  # noqa: S603, S607 # nosec B603 B607
                          check=False)
    if done.returncode != 0:
        raise BackupError("pg_dump failed: " + done.stderr.decode(errors="replace")[-500:])
    return "postgresql", done.stdout


def write_backup(database_url: str, secret: bytes, target: Path) -> int:
    kind, data = dump(database_url)
    sealed = MAGIC + kind.encode() + b"\n" + seal(derive_key(secret, PURPOSE), data, MAGIC + kind.encode())
    tmp = target.with_name(target.name + ".partial")
    tmp.write_bytes(sealed)
    os.chmod(tmp, 0o600)
    tmp.replace(target)  # a half-written backup never carries the final name
    return len(data)


def read_backup(source: Path, secret: bytes) -> tuple[str, bytes]:
    blob = source.read_bytes()
    if not blob.startswith(MAGIC):
        raise BackupError(f"{source} is not a Vor Ort backup")
    kind, _, sealed = blob[len(MAGIC):].partition(b"\n")
    try:
        return kind.decode(), unseal(derive_key(secret, PURPOSE), sealed, MAGIC + kind)
    except Exception as exc:  # authentication failure: wrong secret key file or a damaged file
        raise BackupError("the backup cannot be opened with this secret key file (or it is damaged)") from exc


def restore(source: Path, secret: bytes, database_url: str) -> None:
    """Replace the database with the backup's content (stop the application first)."""
    kind, data = read_backup(source, secret)
    if kind == "sqlite":
        if not database_url.startswith("sqlite"):
            raise BackupError("this is a SQLite backup; VORORT_DATABASE_URL points elsewhere")
        path = _sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        tmp = path.with_name(path.name + ".restoring")
        tmp.write_bytes(data)
        check = sqlite3.connect(tmp)
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.close()
        if result != "ok":
            raise BackupError(f"the restored database fails its integrity check: {result}")
        tmp.replace(path)
        return
    if database_url.startswith("sqlite"):
        raise BackupError("this is a PostgreSQL backup; VORORT_DATABASE_URL points to SQLite")
    args, env = _pg_args(database_url)
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args],  # noqa: S603, S607 # nosec B603 B607
                          input=data, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise BackupError("pg_restore failed: " + done.stderr.decode(errors="replace")[-500:])
