"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when VORORT_TEST_DATABASE_URL is set),
the app, a client, and the personas of the design notes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import core.models  # noqa: F401  (registers the tables)
import strategy.eccar
import strategy.indicators
import strategy.meetings
import strategy.models  # noqa: F401
from core.db import make_engine
from core.migrate import upgrade
from tests.personas import PersonaFactory
from web.settings import Settings

PG_URL = os.environ.get("VORORT_TEST_DATABASE_URL", "")


def _worker() -> str:
    """The xdist worker, prefixed by the checkout, so two checkouts on one machine never share a database."""
    checkout = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
    return f"{checkout}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _fresh_postgres_url(base: str) -> str:
    """A database of our own per test worker, recreated empty."""
    import psycopg
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"vorort_test_{_worker()}"
    try:
        admin = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                                autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # In CI a missing server fails the run; never skip.
        pytest.exit(f"PostgreSQL at {base} is required for this run but not reachable: {exc}", returncode=3)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        return _fresh_postgres_url(PG_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


# The sequences of the tables' own id columns (serial or identity), to start them at 1 again.
_OWNED_SEQUENCES = text("""
    SELECT setval(seq.oid, 1, false)
    FROM pg_class seq
    JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass
        AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    JOIN pg_class tab ON tab.oid = dep.refobjid
    WHERE seq.relkind = 'S' AND tab.relname = ANY(:tables)
""")


def _empty_all_tables(engine: Engine) -> None:
    """Delete every row, children first. On PostgreSQL DELETE, not TRUNCATE: TRUNCATE of all tables
    swaps every table's and index's files and syncs them (a second or more per test on a busy machine),
    DELETE on the few rows a test writes takes milliseconds. Ids then start at 1 again, as after
    TRUNCATE … RESTART IDENTITY (SQLite does that by itself for tables without AUTOINCREMENT)."""
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            conn.execute(_OWNED_SEQUENCES, {"tables": [table.name for table in tables]})


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on an empty database; every table is emptied again after the test."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
    _empty_all_tables(engine)


@pytest.fixture(scope="session")
def secret_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys") / "secret.key"


@pytest.fixture(scope="session")
def settings(database_url: str, secret_key_file: Path) -> Settings:
    # Argon2 cheap in tests only; production keeps RFC 9106 costs (see docs/settings.md).
    return Settings(database_url=database_url, secret_key_file=secret_key_file,
                    argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1, lookup_floor_ms=0)


@pytest.fixture(scope="session")
def crypto(settings: Settings):
    from core.crypto import Argon2Params, Crypto, load_or_create_secret_key
    return Crypto(load_or_create_secret_key(settings.secret_key_file),
                  Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism))


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine):
    from web.app import create_app
    return create_app(settings, engine=engine)


@pytest.fixture(autouse=True)
def fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Rate limits live in the (session-wide) app; each test starts with empty buckets."""
    if "app" in request.fixturenames or "client" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.state.intake_limiter.reset()
        app.state.lookup_limiter.reset()
        app.state.settings_source.reload(app.state)  # the previous test's stored settings are gone


@pytest.fixture
def client(app, db: Session):
    from tests.web_client import WebClient
    with WebClient(app) as test_client:
        yield test_client


@pytest.fixture
def english_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test client of the test asks for English pages, for tests that read the wording of the
    msgids (German is the default language)."""
    from tests.web_client import WebClient
    original = WebClient.__init__

    def english_init(self, app, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, app, **kwargs)
        self.cookies.set("lang", "en")
    monkeypatch.setattr(WebClient, "__init__", english_init)


@pytest.fixture
def personas(db: Session, crypto) -> PersonaFactory:
    return PersonaFactory(db, crypto)
