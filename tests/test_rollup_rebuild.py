"""The rollup rebuilt in one read of the members equals the rollup kept incident by incident (sync_incidents,
which counts Member.cells() one by one), for random incidents with every dimension, several codes of the
multiple-answer fields, none of them, unstated fields, old taxonomy versions and uncounted verifications."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from reporting import rollup
from reporting import taxonomy as tx
from reporting.models import IncidentCode
from reporting.rollup import DIMS, MULTI, StatisticsMember, StatisticsRollup, sync_incidents
from reporting.statistics import rebuild_rollup
from tests.personas import add_districts
from tests.statistics_data import add_incident

RANDOM_EXAMPLES = int(os.environ.get("VORORT_TEST_HYPOTHESIS_EXAMPLES", "15"))
VERIFICATIONS = ("verified", "plausible", "unverified", "spam", "duplicate")


def _optional(codes: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(codes))


INCIDENTS = st.lists(st.fixed_dictionaries({
    "on": st.dates(date(2023, 11, 1), date(2025, 2, 28)),
    "received_later": st.booleans(),  # no incident date: counts on the day it was received
    "verification": st.sampled_from(VERIFICATIONS),
    "old_version": st.booleans(),
    "types": st.lists(st.sampled_from(tx.INCIDENT_TYPE.codes[:5]), max_size=3, unique=True).map(tuple),
    "motives": st.lists(st.sampled_from(tx.MOTIVE.codes[:4]), max_size=2, unique=True).map(tuple),
    "fields": st.fixed_dictionaries({
        "district": _optional(("altstadt", "nordviertel", "hafen")),
        "life_area": _optional(tx.LIFE_AREA.codes[:3]),
        "place_type": _optional(tx.PLACE_TYPE.codes[:3]),
        "perpetrator_type": _optional(tx.PERPETRATOR_TYPE.codes[:2]),
        "police_report": _optional(tx.POLICE_REPORT.codes[:2]),
        "channel": st.sampled_from(tx.CHANNEL.codes[:3]),
        "reporter_role": st.sampled_from(tx.REPORTER_ROLE.codes[:2]),
        "online": st.booleans(),
        "affected_count": st.one_of(st.none(), st.integers(0, 4)),
    }),
}), min_size=1, max_size=40)


@pytest.fixture
def centre(db, personas) -> int:
    add_districts(db)
    return personas["counsellor_a"].organisation_id


def _rollup(db) -> dict[tuple[int, int, str, str, str, str], tuple[int, int]]:
    return {(r.year, r.month, r.dim_a, r.code_a, r.dim_b, r.code_b): (r.count, r.persons)
            for r in db.exec(select(StatisticsRollup)).all() if r.count or r.persons}


def _members(db) -> dict[str, tuple[object, ...]]:
    return {m.incident_id: (m.year, m.month, m.persons, m.taxonomy_version, *(getattr(m, d) for d in DIMS),
                            *(frozenset(getattr(m, f).split(" ")) for f in MULTI.values()))
            for m in db.exec(select(StatisticsMember)).all()}


def _add(db, centre, spec) -> tuple[str, date | None, int]:
    """The incident's id, and the day and persons it counts with (None when it does not count)."""
    incident = add_incident(db, centre, on=spec["on"], verification=spec["verification"], types=spec["types"],
                            motives=spec["motives"], **spec["fields"])
    if spec["received_later"]:
        incident.incident_date = None
        incident.received_on = date(spec["on"].year + 1, 1, 2)
    if spec["old_version"]:
        incident.taxonomy_version = "2025.1"
    db.add(incident)
    db.flush()
    counted = spec["verification"] in tx.COUNTED_VERIFICATIONS
    return incident.id, (incident.incident_date or incident.received_on) if counted else None, \
        spec["fields"]["affected_count"] or 0


def _clear(db) -> None:
    for table in ("statistics_rollup", "statistics_member", "statistics_stale", "incident_code", "incident"):
        db.execute(text(f"DELETE FROM {table}"))
    db.flush()


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=INCIDENTS, chunk=st.sampled_from([1, 3, 50_000]))
def test_rebuild_equals_the_rollup_kept_incident_by_incident(db, centre, monkeypatch, specs, chunk):
    _clear(db)
    added = [_add(db, centre, spec) for spec in specs]
    # Small chunks read the members in several parts: codes and multiple answers must line up across them.
    monkeypatch.setattr(rollup, "_CHUNK", chunk)
    written = rebuild_rollup(db)
    rebuilt, members = _rollup(db), _members(db)
    assert written == len(rebuilt)

    # An independent count of the totals, straight from what was added.
    per_month: dict[tuple[int, int], tuple[int, int]] = {}
    for _id, day, persons in added:
        if day is not None:
            count, total = per_month.get((day.year, day.month), (0, 0))
            per_month[(day.year, day.month)] = (count + 1, total + persons)
    assert {(y, m): v for (y, m, a, _, b, _), v in rebuilt.items() if a == b == ""} == per_month
    assert set(members) == {incident_id for incident_id, day, _ in added if day is not None}

    db.execute(text("DELETE FROM statistics_rollup"))
    db.execute(text("DELETE FROM statistics_member"))
    sync_incidents(db, [incident_id for incident_id, _, _ in added])
    assert _rollup(db) == rebuilt
    assert _members(db) == members
    _clear(db)


def test_rebuild_counts_every_multiple_answer_with_every_other_dimension(db, centre):
    """Two types and no motive: each type counts once with each other dimension, never with its own, and
    the missing motives count under "" (not stated)."""
    add_incident(db, centre, on=date(2025, 3, 5), types=("threat_coercion", "insult_verbal_abuse"), motives=(),
                 district="hafen", affected_count=2)
    add_incident(db, centre, on=date(2025, 3, 9), types=("insult_verbal_abuse",), motives=("racism",),
                 district="hafen", affected_count=1)
    rebuild_rollup(db)
    cells = _rollup(db)
    assert cells[(2025, 3, "incident_type*", "insult_verbal_abuse", "district", "hafen")] == (2, 3)
    assert cells[(2025, 3, "incident_type*", "threat_coercion", "motive", "")] == (1, 2)
    assert cells[(2025, 3, "motive*", "", "incident_type", "threat_coercion")] == (1, 2)
    assert cells[(2025, 3, "motive*", "racism", "", "")] == (1, 1)
    assert cells[(2025, 3, "incident_type", "insult_verbal_abuse", "district", "hafen")] == (1, 1)
    assert not any(a == "incident_type*" and b == "incident_type" for (_, _, a, _, b, _) in cells)
    assert not any(a == "incident_type*" and b == "motive*" for (_, _, a, _, b, _) in cells)
    assert sum(n for (_, _, a, _, b, _), (n, _) in cells.items() if a == "" and b == "") == 2
    assert db.exec(select(IncidentCode)).all()  # the codes themselves stay
