"""Migrations produce exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from core.migrate import pending


def test_migrated_schema_equals_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_no_migration_is_pending_after_upgrade(engine):
    assert pending(engine) == []


def test_sqlite_runs_durable_with_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; the PostgreSQL pass checks PostgreSQL")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_migrate_check_reports_pending_migrations(tmp_path, capsys, monkeypatch):
    from web.cli import main
    monkeypatch.setenv("VORORT_DATABASE_URL", f"sqlite:///{tmp_path}/check.sqlite3")
    monkeypatch.setenv("VORORT_SECRET_KEY_FILE", str(tmp_path / "key"))
    assert main(["migrate", "--check"]) == 1
    assert "pending" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert main(["migrate", "--check"]) == 0
    assert "current" in capsys.readouterr().out
