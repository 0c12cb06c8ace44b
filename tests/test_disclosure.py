"""Disclosure control against random incident sets (hypothesis).

(a) No figure of any offered view (counts and persons) is between 1 and k-1.
(b) An attacker holding every offered table of a year (all views, all filter codes, totals, the year, its
quarters and months) cannot determine any hidden cell: the unknowns are the full contingency table of the
varying attributes (month x district x type x motive, non-negative integers), constrained by every published
number; every hidden cell has at least two feasible whole values (integer minimum < integer maximum).
The attacker is told that the other attributes are constant (which only makes it stronger). Cross tables
always involve the district (a star family), and the engine's audit solves for month x district x dimension
as well, so it proves for every dimension what this attacker checks for three. Tables of
multiple answers are not linear in these unknowns; they are checked by (a) here and share the hidden pattern
of their primary twins (reporting.disclosure._mirror).
"""

from __future__ import annotations

import os
from datetime import date
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import text

from reporting.snapshot import build_family
from reporting.statistics import (
    DIMENSIONS,
    Audience,
    Disclosure,
    Figure,
    Granularity,
    Period,
    breakdown,
    dimension_codes,
    offered_views,
    rebuild_rollup,
    series,
)
from tests.personas import add_districts
from tests.statistics_data import add_incident

RANDOM_EXAMPLES = int(os.environ.get("VORORT_TEST_HYPOTHESIS_EXAMPLES", "12"))
LATER = date(2030, 1, 1)
DISCLOSE = Disclosure(k=3, public_k=4, delay_days=14)
VARYING = ("district", "incident_type", "motive")
# Views over the varying attributes and one constant one (a table by a constant repeats its margin).
SHOWN = (*VARYING, "channel")
INCIDENTS = st.lists(st.tuples(st.sampled_from([1, 2, 3, 5, 11]),
                               st.sampled_from(["altstadt", "hafen", "nordviertel"]),
                               st.sampled_from(["insult_verbal_abuse", "threat_coercion"]),
                               st.sampled_from(["racism", "antisemitism", "religion_other"]),
                               st.sampled_from([None, 1, 2])),
                     min_size=1, max_size=28)


@pytest.fixture
def centre(db, personas) -> int:
    add_districts(db)
    return personas["counsellor_a"].organisation_id


def _load(db, centre, incidents) -> None:
    for table in ("statistics_snapshot_cell", "statistics_snapshot", "statistics_rollup", "statistics_member",
                  "incident_code", "incident"):
        db.execute(text(f"DELETE FROM {table}"))
    for month, district, kind, motive, persons in incidents:
        add_incident(db, centre, on=date(2025, month, 10), district=district, types=(kind,), motives=(motive,),
                     affected_count=persons)
    rebuild_rollup(db)


def _periods() -> list[Period]:
    return [Period(Granularity.YEAR, 2025, 1), *(Period(Granularity.QUARTER, 2025, q) for q in range(1, 5)),
            *(Period(Granularity.MONTH, 2025, m) for m in range(1, 13))]


def offered_figures(db, audience: Audience) -> list[Figure]:
    """Every table the UI offers for 2025 over the shown dimensions, with every filter code."""
    figures = []
    for period in _periods():
        for view in offered_views(audience, period.granularity):
            if any(d is not None and d not in SHOWN for d in (view.rows, view.columns, view.filter_by)):
                continue
            filters = [[(view.filter_by, code)] for code in dimension_codes(db, view.filter_by)] \
                if view.filter_by else [[]]
            for chosen in filters:
                figures.append(breakdown(db, DISCLOSE, audience, period, view.rows, view.columns, chosen,
                                         multiple=view.multiple, today=LATER))
    for granularity in (Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR):
        if audience is Audience.STAFF or granularity is Granularity.YEAR:
            for by in (None, *VARYING):
                figures.append(series(db, DISCLOSE, audience, granularity, [2025], by, today=LATER))
    return figures


def published_numbers(figure: Figure):
    """(months, {dimension: code}, count) for every number of a figure, totals included."""
    months = tuple(figure.period.months)
    base = dict(figure.filters)
    series_rows = figure.rows is None and figure.row_codes
    rows = figure.rows if not series_rows else None
    yield months, base, figure.total.count
    for code, cell in figure.row_totals.items():
        if series_rows:
            yield tuple(Period.parse(code).months), base, cell.count
        else:
            yield months, {**base, rows: code}, cell.count
    for code, cell in figure.column_totals.items():
        yield months, {**base, figure.columns: code}, cell.count
    for (row, column), cell in figure.cells.items():
        where = dict(base)
        row_months = months
        if series_rows:
            row_months = tuple(Period.parse(row).months)
        else:
            where[rows] = row
        if figure.columns is not None:
            where[figure.columns] = column
        yield row_months, where, cell.count


def _all_cells(figure: Figure):
    yield figure.total
    yield from figure.row_totals.values()
    yield from figure.column_totals.values()
    yield from figure.cells.values()


def attacker_finds(db, figures: list[Figure], targets: list[Figure] | None = None) -> list[tuple]:
    """Hidden numbers (of `targets`, default all figures) the attacker pins to one whole value."""
    figures = [f for f in figures if not f.multiple]
    numbers = [(m, w, n) for f in figures for m, w, n in published_numbers(f)]
    hidden = [(m, w, n) for f in (targets or figures) if not f.multiple for m, w, n in published_numbers(f)]
    known_zero = [(m, w) for m, w, n in numbers if n == 0]
    universe = {"district": dimension_codes(db, "district"), "incident_type": dimension_codes(db, "incident_type"),
                "motive": dimension_codes(db, "motive")}

    def matches(month: int, cell: tuple[str, ...], months, where) -> bool:
        if month not in months:
            return False
        for dimension, code in where.items():
            if dimension == "channel":
                if code != "web_form":
                    return False
            elif cell[VARYING.index(dimension)] != code:
                return False
        return True
    # A combination inside any published zero is zero: leave it out (exact, and keeps the program small).
    variables = [(month, cell) for month in range(1, 13)
                 for cell in product(*(universe[d] for d in VARYING))
                 if not any(matches(month, cell, m, w) for m, w in known_zero if len(w) <= 1)]
    index = {v: n for n, v in enumerate(variables)}

    def row(months, where) -> np.ndarray:
        vector = np.zeros(len(variables))
        for (month, cell), n in index.items():
            if matches(month, cell, months, where):
                vector[n] = 1.0
        return vector
    published = [(row(m, w), n) for m, w, n in numbers if n is not None]
    matrix = np.array([r for r, _ in published])
    target = np.array([float(n) for _, n in published])
    constraints = [LinearConstraint(matrix, target, target)]
    bounds = Bounds(np.zeros(len(variables)), np.full(len(variables), 100.0))
    pinned, seen = [], set()
    for months, where, n in hidden:
        if n is not None:
            continue
        objective = row(months, where)
        key = objective.tobytes()
        if key in seen:
            continue
        seen.add(key)
        low = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(variables)))
        high = milp(-objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(variables)))
        assert low.status == 0 and high.status == 0  # the real data is feasible
        if round(-high.fun) - round(low.fun) < 1:
            pinned.append((months, where, round(low.fun)))
    return pinned


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(incidents=INCIDENTS)
def test_no_figure_of_any_offered_view_is_between_one_and_k(db, centre, incidents):
    _load(db, centre, incidents)
    for audience in (Audience.STAFF, Audience.PUBLIC):
        k = DISCLOSE.k_for(audience)
        for figure in offered_figures(db, audience):
            for cell in _all_cells(figure):
                assert cell.count is None or cell.count == 0 or cell.count >= k, (figure, cell)
                assert cell.persons is None or cell.persons == 0 or cell.persons >= k, (figure, cell)
                assert cell.count is not None or cell.persons is None


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(incidents=INCIDENTS)
def test_an_attacker_with_every_offered_table_pins_no_hidden_cell(db, centre, incidents):
    _load(db, centre, incidents)
    for audience in (Audience.STAFF, Audience.PUBLIC):
        assert attacker_finds(db, offered_figures(db, audience)) == []
    # Staff see the public figures too: both together give away nothing hidden from staff.
    staff = offered_figures(db, Audience.STAFF)
    assert attacker_finds(db, staff + offered_figures(db, Audience.PUBLIC), targets=staff) == []


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(incidents=INCIDENTS)
def test_the_audit_solves_for_the_month_by_district_tables_behind_every_offered_table(db, centre, incidents):
    """The never-published month x district x dimension cells add up, with their true values, to the
    month's district table, the month's table of the dimension and the year's district x dimension table."""
    _load(db, centre, incidents)
    family = build_family(db, 2025, "staff", 12)
    values = {**{key: count for key, (count, _) in family.values.items()}, **family.unknowns}
    assert family.unknowns and family.linking
    for total, parts in family.linking:
        assert values.get(total, 0) == sum(values[part] for part in parts), (total, parts)
    for district in {district for _, district, *_ in incidents}:
        for month in {month for month, *_ in incidents}:
            # Every dimension's parts of a month's district cell are solved for (no dimension left out).
            sums = [parts for total, parts in family.linking if total == (f"2025-{month:02d}", "district",
                                                                              district, "", "")]
            assert len(sums) in (0, len(DIMENSIONS) - 1)


def test_an_attacker_recovers_a_cell_when_only_small_cells_are_hidden(db, centre, monkeypatch):
    """The attacker of the property above is not toothless: without complementary suppression it wins."""
    import reporting.audit_lp as audit_lp
    import reporting.disclosure as disclosure
    monkeypatch.setattr(disclosure, "complete", lambda values, relations, hidden: set(hidden))
    monkeypatch.setattr(audit_lp, "audit_family", lambda family, counts, hidden, complete: hidden)
    _load(db, centre, [(1, "altstadt", "insult_verbal_abuse", "racism", 1)] * 5 +
          [(1, "hafen", "insult_verbal_abuse", "racism", 1)])
    assert attacker_finds(db, offered_figures(db, Audience.STAFF)) != []
