"""The reads of the rollup that every dashboard page makes use an index, not a scan of the whole history:
the periods with counts (dim_a "") and the taxonomy versions of a period (dim_a "~version"). Without the
index by dimension the first was a scan of ten years of rollup (about a million rows), twice per page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, text

from reporting.statistics import Audience, Disclosure, Granularity, Period, available_periods, breakdown, rebuild_rollup
from tests.personas import add_districts
from tests.statistics_data import add_incident

DISCLOSE = Disclosure(k=2, public_k=2, delay_days=14)
LATER = date(2030, 1, 1)


@pytest.fixture
def seeded(db, personas):
    add_districts(db)
    centre = personas["counsellor_a"].organisation_id
    for month in range(1, 13):
        for _ in range(3):
            add_incident(db, centre, on=date(2025, month, 2), district="hafen", types=("insult_verbal_abuse",),
                         motives=("racism",))
    rebuild_rollup(db)
    db.commit()
    return db


def _statements(engine, read) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "statistics_rollup" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        read()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return seen


def _plan(db, statement: str, parameters: object) -> str:
    conn = db.connection()
    if conn.dialect.name == "postgresql":
        # The test tables are tiny, so the planner would rightly scan them: ask which index it would use.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    else:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return " ".join(str(row[-1]) for row in rows)


def test_periods_and_versions_are_read_through_the_dimension_index(seeded, engine):
    db = seeded
    breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025-03"), "district", today=LATER)  # decides 2025
    reads = _statements(engine, lambda: (
        available_periods(db, DISCLOSE, Granularity.MONTH, today=LATER),
        breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025-04"), "district", today=LATER)))
    # The periods, then the versions of April (its tables come from the stored snapshot).
    assert len(reads) == 2, [s for s, _ in reads]
    for statement, parameters in reads:
        assert "ix_statistics_rollup_dimension" in _plan(db, statement, parameters), statement
    db.rollback()
