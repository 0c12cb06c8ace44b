"""Demo: build the statistics rollup from the seeded incidents, so the figures show at once."""

from __future__ import annotations

from sqlmodel import Session

from reporting.statistics import rebuild_rollup


def seed_statistics(session: Session) -> int:
    return rebuild_rollup(session)
