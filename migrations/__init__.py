"""Alembic migrations of Vor Ort (one set for SQLite and PostgreSQL)."""
