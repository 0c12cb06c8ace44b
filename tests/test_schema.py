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


def test_create_admin_makes_an_administrator_who_must_set_up_the_second_factor(tmp_path, capsys, monkeypatch):
    from sqlmodel import Session, select

    from core import accounts
    from core.actors import Role
    from core.db import make_engine
    from web.cli import main
    url = f"sqlite:///{tmp_path}/admin.sqlite3"
    monkeypatch.setenv("VORORT_DATABASE_URL", url)
    monkeypatch.setenv("VORORT_SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("VORORT_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("VORORT_ARGON2_PARALLELISM", "1")
    monkeypatch.setenv("VORORT_ARGON2_TIME_COST", "1")
    assert main(["migrate"]) == 0
    assert main(["create-admin", "--email", "it@stadt.example", "--password", "short"]) == 2
    assert "password_too_short" in capsys.readouterr().err
    assert main(["create-admin", "--email", "it@stadt.example", "--password", "a long admin password"]) == 0
    with Session(make_engine(url)) as db:
        user = db.exec(select(accounts.User)).one()
        assert accounts.roles_of(db, user.id) == {Role.ADMIN}
        assert user.totp_secret_sealed is None and accounts.needs_totp(accounts.roles_of(db, user.id))
