"""Claim by key: insert a row unless one with the same unique key exists, in one statement.

`INSERT ... ON CONFLICT DO NOTHING` (SQLite and PostgreSQL) instead of a savepoint per row: a job claims
thousands of reminders, and savepoints with ORM flushes grow with the session. Under PostgreSQL a
concurrent claim of the same key waits for the other transaction and then inserts nothing."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session


@cache
def _statement(dialect: str, table: Table, key: str) -> Any:
    # Built once per table: the values come as parameters, so the compiled statement is reused.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])


def insert_once(session: Session, table: Table, values: dict[str, Any], *, key: str) -> bool:
    """True when this call inserted the row; False when a row with the same `key` column exists."""
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    return session.execute(_statement(session.get_bind().dialect.name, table, key), values).first() is not None


def existing_keys(session: Session, column: Any, keys: list[str]) -> set[str]:
    """Which of `keys` are claimed already (one query per thousand keys)."""
    from sqlmodel import select
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        found.update(session.exec(select(column).where(column.in_(keys[start:start + 1000]))).all())
    return found
