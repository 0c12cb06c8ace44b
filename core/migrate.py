"""Run and check Alembic migrations from code (CLI, tests, start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
            # that drop would cascade and delete every dependent row (messages of incidents...).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end SQLAlchemy's implicit transaction; the pragma itself ran outside one
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows with broken references")


def pending(engine: Engine) -> list[str]:
    """Revisions not yet applied to the database, oldest first."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(config)
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    revisions = []
    for rev in script.walk_revisions():
        if rev.revision in current:
            break
        revisions.append(rev.revision)
    return list(reversed(revisions))
