"""Alembic environment: the URL comes from the caller (vorort migrate) or VORORT_DATABASE_URL."""

from alembic import context
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the kernel tables)
import reporting.models
import reporting.rollup
import reporting.snapshot  # noqa: F401
import strategy.indicators
import strategy.meetings
import strategy.models  # noqa: F401
from core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from web.settings import load_settings  # only when run by the bare alembic command

    return load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), pool=False)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
