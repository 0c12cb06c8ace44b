"""The statistics engine: counts by period and dimension from the rollup, against hand-computed figures;
the rollup stays equal to a rebuild whatever triage and recoding do; uncounted reports never count."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from reporting.models import Incident, IncidentCode
from reporting.rollup import StatisticsRollup, sync_incidents
from reporting.statistics import (
    Audience,
    Cell,
    Disclosure,
    Granularity,
    Period,
    available_periods,
    breakdown,
    compare,
    dimension_codes,
    rebuild_rollup,
    series,
)
from tests.intake_flow import FULL_REPORT, send, walk_to_review
from tests.personas import add_districts, establish_centres
from tests.statistics_data import add_incident
from tests.web_client import WebClient

LATER = date(2030, 1, 1)
# k=2 keeps these hand-made figures visible; suppression itself is tested in test_disclosure.py.
DISCLOSE = Disclosure(k=2, public_k=2, delay_days=14)
RANDOM_EXAMPLES = int(os.environ.get("VORORT_TEST_HYPOTHESIS_EXAMPLES", "15"))
UNCOUNTED = ("unverified", "not_verifiable", "spam", "duplicate", "out_of_scope")


@pytest.fixture
def centre(db, personas) -> int:
    add_districts(db)
    return personas["counsellor_a"].organisation_id


def _seed(db, centre) -> None:
    """2025: 4 x altstadt/insult/racism (2 persons each) in March, 3 x hafen/threat/racism in May,
    4 x hafen/antisemitism in May (two threat + insult, two insult); 2024-05: 5 x hafen/insult."""
    for _ in range(4):
        add_incident(db, centre, on=date(2025, 3, 5), district="altstadt", affected_count=2,
                     types=("insult_verbal_abuse",), motives=("racism",))
    for _ in range(3):
        add_incident(db, centre, on=date(2025, 5, 5), district="hafen", verification="plausible",
                     types=("threat_coercion",), motives=("racism",))
    for n in range(4):
        types = ("threat_coercion", "insult_verbal_abuse") if n < 2 else ("insult_verbal_abuse",)
        add_incident(db, centre, on=date(2025, 5, 20), district="hafen", types=types, motives=("antisemitism",),
                     affected_count=1)
    for _ in range(5):
        add_incident(db, centre, on=date(2024, 5, 1), district="hafen", types=("insult_verbal_abuse",),
                     motives=("racism",))
    for verification in UNCOUNTED:
        add_incident(db, centre, on=date(2025, 5, 5), district="hafen", verification=verification,
                     types=("physical_attack",), motives=("racism",))
    rebuild_rollup(db)


def test_breakdown_by_one_dimension_counts_only_verified_and_plausible(db, centre):
    _seed(db, centre)
    figure = breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025"), "district", today=LATER)
    assert figure.total == Cell(11, 12)
    assert figure.row_totals == {"altstadt": Cell(4, 8), "nordviertel": Cell(0, 0), "hafen": Cell(7, 4),
                                 "": Cell(0, 0)}
    assert figure.row_codes == ("altstadt", "nordviertel", "hafen", "")
    assert figure.taxonomy_versions == ("2026.1",) and figure.k == 2


def test_breakdown_by_two_dimensions_and_by_a_filter(db, centre):
    _seed(db, centre)
    year = Period.parse("2025")
    cross = breakdown(db, DISCLOSE, Audience.STAFF, year, "incident_type", "district", today=LATER)
    assert cross.cells[("insult_verbal_abuse", "altstadt")] == Cell(4, 8)
    # The primary type of an incident with threat and insult is the threat (severity rule): 3 + 2.
    assert cross.cells[("threat_coercion", "hafen")] == Cell(5, 2)
    assert cross.cells[("insult_verbal_abuse", "hafen")] == Cell(2, 2)
    assert cross.cells[("physical_attack", "hafen")] == Cell(0, 0)
    assert cross.column_totals["hafen"] == Cell(7, 4)
    assert cross.row_totals["insult_verbal_abuse"] == Cell(6, 10)
    filtered = breakdown(db, DISCLOSE, Audience.STAFF, year, "motive", filters=[("district", "hafen")], today=LATER)
    assert filtered.total == Cell(7, 4)
    assert filtered.row_totals["racism"] == Cell(3, 0) and filtered.row_totals["antisemitism"] == Cell(4, 4)
    assert breakdown(db, DISCLOSE, Audience.STAFF, year, None, filters=[("motive", "racism")],
                     today=LATER).total == Cell(7, 8)


def test_two_dimensions_are_offered_only_with_the_district_as_one_of_them(db, centre):
    _seed(db, centre)
    year = Period.parse("2025")
    with pytest.raises(ValueError, match="district"):
        breakdown(db, DISCLOSE, Audience.STAFF, year, "incident_type", "motive", today=LATER)
    with pytest.raises(ValueError, match="district"):
        breakdown(db, DISCLOSE, Audience.STAFF, year, "motive", filters=[("life_area", "housing")], today=LATER)
    with pytest.raises(ValueError, match="district"):
        breakdown(db, DISCLOSE, Audience.STAFF, year, "motive", "incident_type", multiple=True, today=LATER)
    assert breakdown(db, DISCLOSE, Audience.STAFF, year, "motive", "district", multiple=True,
                     today=LATER).cells[("antisemitism", "hafen")] == Cell(4, 4)


def test_multiple_answers_count_each_chosen_type(db, centre):
    _seed(db, centre)
    figure = breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025"), "incident_type", multiple=True,
                       today=LATER)
    assert figure.multiple
    assert figure.row_totals["insult_verbal_abuse"] == Cell(8, 12)  # 4 + 4, two of them also a threat
    assert figure.row_totals["threat_coercion"] == Cell(5, 2)
    assert figure.total == Cell(11, 12)  # incidents, not answers


def test_quarters_months_series_and_comparison(db, centre):
    _seed(db, centre)
    q2 = breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025-Q2"), "motive", today=LATER)
    assert q2.total == Cell(7, 4) and q2.row_totals["racism"] == Cell(3, 0)
    months = series(db, DISCLOSE, Audience.STAFF, Granularity.MONTH, [2025], today=LATER)
    assert months.row_codes == ("2025-03", "2025-05")  # months with counted incidents
    assert months.cells[("2025-03", "")] == Cell(4, 8) and months.cells[("2025-05", "")] == Cell(7, 4)
    assert months.total == Cell(11, 12)
    comparison = compare(db, DISCLOSE, Audience.STAFF, Period.parse("2025-05"), "district", today=LATER)
    assert comparison.current.row_totals["hafen"] == Cell(7, 4)
    assert comparison.previous is not None and comparison.previous.total == Cell(0, 0)
    assert comparison.year_before is not None and comparison.year_before.row_totals["hafen"] == Cell(5, 0)


def test_periods_show_only_after_they_closed_plus_the_delay(db, centre):
    _seed(db, centre)
    may = Period.parse("2025-05")
    assert may not in available_periods(db, DISCLOSE, Granularity.MONTH, today=date(2025, 6, 14))
    with pytest.raises(ValueError):
        breakdown(db, DISCLOSE, Audience.STAFF, may, "district", today=date(2025, 6, 14))
    assert may in available_periods(db, DISCLOSE, Granularity.MONTH, today=date(2025, 6, 15))
    assert breakdown(db, DISCLOSE, Audience.STAFF, may, "district", today=date(2025, 6, 15)).total.count == 7
    assert available_periods(db, DISCLOSE, Granularity.YEAR, today=date(2026, 1, 14)) == [Period.parse("2024")]
    with pytest.raises(ValueError):  # the public sees no months and no free filters
        breakdown(db, DISCLOSE, Audience.PUBLIC, may, "district", today=LATER)
    with pytest.raises(ValueError):
        breakdown(db, DISCLOSE, Audience.PUBLIC, Period.parse("2025"), "motive", filters=[("district", "hafen")],
                  today=LATER)


def test_period_keys_parse_and_step():
    assert Period.parse("2025-Q1").previous() == Period.parse("2024-Q4")
    assert Period.parse("2025-03").year_before().key == "2024-03"
    assert Period.parse("2024").end == date(2024, 12, 31) and Period.parse("2024-02").end == date(2024, 2, 29)
    for bad in ("2025-13", "2025-Q5", "25", "2025-3", "x"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_dimension_codes_follow_the_configured_districts(db, centre):
    assert dimension_codes(db, "district") == ("altstadt", "nordviertel", "hafen", "")
    assert dimension_codes(db, "online") == ("yes", "no")
    with pytest.raises(ValueError):
        dimension_codes(db, "description")


def _rollup(db) -> dict[tuple, tuple[int, int]]:
    return {(r.year, r.month, r.dim_a, r.code_a, r.dim_b, r.code_b): (r.count, r.persons)
            for r in db.exec(select(StatisticsRollup)).all() if r.count or r.persons}


CHANGES = st.lists(st.tuples(
    st.integers(0, 5),
    st.sampled_from(["verify", "plausible", *UNCOUNTED, "district", "type", "date", "delete_codes", "persons"]),
    st.sampled_from(["altstadt", "hafen", None])), min_size=1, max_size=12)


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES)
def test_rollup_kept_by_changes_equals_a_rebuild(db, centre, changes):
    db.execute(text("DELETE FROM statistics_rollup"))
    db.execute(text("DELETE FROM statistics_member"))
    incidents = [add_incident(db, centre, on=date(2025, 1 + n, 3), district="hafen", verification="unverified",
                              types=("insult_verbal_abuse",), motives=("racism",)) for n in range(6)]
    rebuild_rollup(db)
    for number, change, value in changes:
        incident = incidents[number]
        if change == "verify":
            incident.verification = "verified"
        elif change in ("plausible", *UNCOUNTED):
            incident.verification = change
        elif change == "district":
            incident.district = value
        elif change == "type":
            incident.primary_type = "threat_coercion" if incident.primary_type != "threat_coercion" else None
            coded = db.exec(select(IncidentCode).where(IncidentCode.incident_id == incident.id,
                                                       IncidentCode.code == "threat_coercion")).first()
            if coded is None:
                db.add(IncidentCode(incident_id=incident.id, field="incident_types", code="threat_coercion"))
        elif change == "date":
            incident.incident_date = date(2024, 12, 30)
        elif change == "persons":
            incident.affected_count = (incident.affected_count or 0) + 2
        else:
            for code in db.exec(select(IncidentCode).where(IncidentCode.incident_id == incident.id)).all():
                db.delete(code)
        db.add(incident)
        db.flush()
        sync_incidents(db, [incident.id])
    kept = _rollup(db)
    rebuild_rollup(db)
    assert kept == _rollup(db)
    for incident in incidents:
        for code in db.exec(select(IncidentCode).where(IncidentCode.incident_id == incident.id)).all():
            db.delete(code)
        db.delete(incident)
    db.flush()


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.lists(st.tuples(st.sampled_from(UNCOUNTED), st.sampled_from(["altstadt", "hafen", None]),
                                st.integers(1, 12)), min_size=1, max_size=8))
def test_uncounted_reports_never_change_a_figure(db, centre, extra):
    db.execute(text("DELETE FROM statistics_snapshot_cell"))
    db.execute(text("DELETE FROM statistics_snapshot"))
    base = [add_incident(db, centre, on=date(2025, 5, 5), district="hafen", types=("insult_verbal_abuse",),
                         motives=("racism",)) for _ in range(4)]
    rebuild_rollup(db)
    year = Period.parse("2025")
    before = breakdown(db, DISCLOSE, Audience.STAFF, year, "district", "motive", today=LATER)
    added = [add_incident(db, centre, on=date(2025, month, 1), district=district, verification=verification,
                          types=("physical_attack",), motives=("antisemitism",))
             for verification, district, month in extra]
    sync_incidents(db, [i.id for i in added])
    assert breakdown(db, DISCLOSE, Audience.STAFF, year, "district", "motive", today=LATER) == before
    rebuild_rollup(db)
    assert breakdown(db, DISCLOSE, Audience.STAFF, year, "district", "motive", today=LATER) == before
    for incident in [*base, *added]:
        for code in db.exec(select(IncidentCode).where(IncidentCode.incident_id == incident.id)).all():
            db.delete(code)
        db.delete(incident)
    db.flush()


@pytest.fixture
def reported(app, db, crypto, personas):
    for key in ("counsellor_a", "lead_a", "counsellor_b"):
        personas[key]
    add_districts(db)
    establish_centres(db, crypto, personas)
    with WebClient(app) as resident:
        send(resident, walk_to_review(resident, FULL_REPORT))
    return db.exec(select(Incident)).one().id


def test_triage_and_recoding_in_the_workspace_keep_the_rollup_current(client, personas, reported, db):
    client.login(personas["counsellor_a"])
    assert client.submit(f"/beratung/meldungen/{reported}/sichtung",
                         {"decision": "verified", "note": "bestätigt"}).status_code == 303
    db.expire_all()
    counted = _rollup(db)
    assert sum(n for (y, m, a, _, b, _), (n, _) in counted.items() if a == "" and b == "") == 1
    assert client.submit(f"/beratung/meldungen/{reported}/kodierung", {
        "incident_types": ["threat_coercion"], "motives": ["antisemitism"], "reporter_role": "witness",
        "district": "hafen", "year": "2025", "month": "10", "day": "3", "channel": "web_form"}).status_code == 303
    db.expire_all()
    recoded = _rollup(db)
    assert (2025, 10, "district", "hafen", "", "") in recoded
    assert (2025, 10, "motive", "antisemitism", "", "") in recoded
    assert client.submit(f"/beratung/meldungen/{reported}/sichtung",
                         {"decision": "spam", "note": "Werbung"}).status_code == 303
    db.expire_all()
    assert _rollup(db) == {}
    rebuild_rollup(db)
    assert _rollup(db) == {}


def test_figure_reads_never_touch_the_incident_table(db, centre, engine):
    """Figures come from the rollup and the stored snapshot: no statement of a read names `incident`,
    and a warm read is at most three small queries whatever the history holds."""
    from sqlalchemy import event
    _seed(db, centre)
    seen: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", remember)
    try:
        breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025"), "district", "motive", today=LATER)  # decides
        cold = list(seen)
        seen.clear()
        breakdown(db, DISCLOSE, Audience.STAFF, Period.parse("2025"), "motive", "district", today=LATER)
        warm = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    import re
    for statement in cold + warm:
        assert not re.search(r"\bincident\b", statement), statement
    assert len(warm) <= 3
