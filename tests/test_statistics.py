"""The statistics engine: counts by period and dimension from the rollup, against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.statistics import Audience, Cell, Disclosure, Granularity, Period, breakdown, rebuild_rollup
from tests.personas import add_districts
from tests.statistics_data import add_incident

LATER = date(2030, 1, 1)
DISCLOSE = Disclosure(k=3, public_k=5, delay_days=14)


@pytest.fixture
def centre(db, personas) -> int:
    add_districts(db)
    return personas["counsellor_a"].organisation_id


def test_breakdown_by_district_counts_only_verified_and_plausible_incidents(db, centre):
    for _ in range(4):
        add_incident(db, centre, on=date(2025, 3, 5), district="altstadt", affected_count=2,
                     types=("insult_verbal_abuse",), motives=("racism",))
    for _ in range(3):
        add_incident(db, centre, on=date(2025, 5, 5), district="hafen", verification="plausible",
                     types=("threat_coercion",), motives=("racism",))
    for verification in ("unverified", "spam", "duplicate", "out_of_scope", "not_verifiable"):
        add_incident(db, centre, on=date(2025, 5, 5), district="hafen", verification=verification)
    rebuild_rollup(db)
    figure = breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025"), "district", today=LATER)
    assert figure.total == Cell(7, 8)
    assert figure.row_totals["altstadt"] == Cell(4, 8)
    assert figure.row_totals["hafen"] == Cell(3, 0)
    assert figure.row_totals["nordviertel"] == Cell(0, 0)
    assert figure.row_codes == ("altstadt", "nordviertel", "hafen", "")
    assert Period.parse("2025-Q2").granularity is Granularity.QUARTER
