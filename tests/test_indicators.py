"""Indicators: manual values per period, and indicators bound to a dashboard figure (the engine's numbers,
suppression included)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.errors import PermissionDenied, ValidationFailed
from reporting.statistics import Audience, Disclosure, Period, breakdown, rebuild_rollup
from strategy.indicators import (
    SUPPRESSED,
    IndicatorInput,
    changes_since,
    create_indicator,
    enter_value,
    indicator_trend,
    update_indicator,
)
from tests.personas import add_districts
from tests.plan_data import make_plan
from tests.statistics_data import add_incident

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
DISCLOSE = Disclosure(k=5, public_k=10, delay_days=14)


@pytest.fixture
def plan(db, personas):
    return make_plan(db, lead_organisation_id=personas["strategy_member"].organisation_id)


def _manual(db, personas, plan, **overrides):
    data = IndicatorInput(title="Schulungen durchgeführt", unit="Schulungen", baseline="0", target="12",
                          direction="up", kind="manual", granularity="quarter", **overrides)
    return create_indicator(db, personas["coordinator"].actor, plan_id=plan.plan_id, measure_id=plan.measure.id,
                            data=data, now=NOW)


def test_manual_values_form_a_trend_with_gaps_and_a_new_entry_replaces_the_old(db, personas, plan):
    indicator = _manual(db, personas, plan)
    member = personas["strategy_member"].actor
    enter_value(db, member, indicator, period_key="2026-Q1", value_text="2", now=NOW)
    enter_value(db, member, indicator, period_key="2026-Q3", value_text="4,5", now=NOW)
    enter_value(db, member, indicator, period_key="2026-Q1", value_text="3", now=NOW)
    trend = indicator_trend(db, indicator, DISCLOSE, today=TODAY)
    assert [(p.key, v) for p, v in trend] == [("2026-Q1", 3.0), ("2026-Q2", None), ("2026-Q3", 4.5)]


def test_only_the_measures_organisations_and_coordinators_enter_values(db, personas, plan):
    indicator = _manual(db, personas, plan)
    enter_value(db, personas["coordinator"].actor, indicator, period_key="2026-Q2", value_text="1", now=NOW)
    plan_other = _manual(db, personas, plan)
    plan_other.measure_id = plan.other.id  # a measure the member's organisation holds no role on
    with pytest.raises(PermissionDenied):
        enter_value(db, personas["strategy_member"].actor, plan_other, period_key="2026-Q2", value_text="1",
                    now=NOW)
    with pytest.raises(PermissionDenied):
        enter_value(db, personas["counsellor_a"].actor, indicator, period_key="2026-Q2", value_text="1", now=NOW)
    with pytest.raises(PermissionDenied):
        _manual(db, {"coordinator": personas["strategy_member"]}, plan)


def test_bad_periods_and_numbers_are_refused_with_a_message_per_field(db, personas, plan):
    indicator = _manual(db, personas, plan)
    member = personas["strategy_member"].actor
    with pytest.raises(ValidationFailed) as refused:
        enter_value(db, member, indicator, period_key="2026", value_text="viele", now=NOW)
    assert refused.value.errors == {"period": "period_invalid", "value": "number_invalid"}
    with pytest.raises(ValidationFailed) as future:
        enter_value(db, member, indicator, period_key="2027-Q1", value_text="1", now=NOW)
    assert future.value.errors == {"period": "period_in_future"}
    with pytest.raises(ValidationFailed) as bad_definition:
        create_indicator(db, personas["coordinator"].actor, plan_id=plan.plan_id, goal_id=plan.goal.id,
                         data=IndicatorInput(title=" ", baseline="x", direction="sideways", kind="figure",
                                             filters=(("life_area", "no_such_code"),)), now=NOW)
    assert bad_definition.value.errors == {"title": "required", "baseline": "number_invalid",
                                           "direction": "choose_option", "filters": "figure_invalid"}
    add_districts(db)
    with pytest.raises(ValidationFailed) as quarterly_pair:
        _bound(db, personas, plan, (("district", "hafen"), ("place_type", "housing_market")))
    assert quarterly_pair.value.errors == {"filters": "figure_two_conditions_yearly"}
    with pytest.raises(ValidationFailed) as pair_without_district:
        _bound(db, personas, plan, (("life_area", "housing"), ("place_type", "housing_market")))
    assert pair_without_district.value.errors == {"filters": "figure_two_conditions_district"}


def _housing_incidents(db, centre_id: int) -> None:
    # 2026-Q1: 6 housing incidents in Hafen (shown); 2026-Q2: 2 (fewer than k = 5: suppressed);
    # 2026-Q3: 11 housing incidents, 5 of them in Hafen; other areas elsewhere.
    for _ in range(6):
        add_incident(db, centre_id, on=date(2026, 2, 10), district="hafen", life_area="housing")
    for _ in range(2):
        add_incident(db, centre_id, on=date(2026, 5, 10), district="hafen", life_area="housing")
    for _ in range(5):
        add_incident(db, centre_id, on=date(2026, 8, 10), district="hafen", life_area="housing")
    for _ in range(6):
        add_incident(db, centre_id, on=date(2026, 8, 11), district="altstadt", life_area="housing")
    for _ in range(9):
        add_incident(db, centre_id, on=date(2026, 5, 12), district="altstadt", life_area="employment")
    add_incident(db, centre_id, on=date(2026, 5, 12), district="hafen", life_area="housing", verification="spam")
    db.commit()
    rebuild_rollup(db)
    db.commit()


def _bound(db, personas, plan, filters):
    return create_indicator(db, personas["coordinator"].actor, plan_id=plan.plan_id, goal_id=plan.goal.id,
                            data=IndicatorInput(title="Gemeldete Vorfälle Wohnen", direction="down", kind="figure",
                                                granularity="quarter", filters=filters), now=NOW)


def test_a_bound_indicator_shows_the_dashboards_figure_and_suppressed_where_the_dashboard_suppresses(
        db, personas, plan):
    add_districts(db)
    _housing_incidents(db, personas["counsellor_a"].organisation_id)
    in_hafen = _bound(db, personas, plan, (("district", "hafen"),))
    housing = _bound(db, personas, plan, (("life_area", "housing"),))
    for indicator in (in_hafen, housing):
        trend = indicator_trend(db, indicator, DISCLOSE, today=TODAY)
        assert [p.key for p, _ in trend] == ["2026-Q1", "2026-Q2", "2026-Q3"]
        for period, value in trend:
            condition = [("life_area", "housing")] if indicator is housing else [("district", "hafen")]
            # the dashboard's total for the quarter under the same condition
            cell = breakdown(db, DISCLOSE, Audience.STAFF, period, None, None, condition, today=TODAY).total
            assert value == (SUPPRESSED if cell.suppressed else float(cell.count or 0))
    values = dict((p.key, v) for p, v in indicator_trend(db, in_hafen, DISCLOSE, today=TODAY))
    assert values["2026-Q1"] == 6.0
    assert values["2026-Q2"] is SUPPRESSED  # two reports: never shown as a number
    assert values["2026-Q3"] == 5.0
    # Spam never counts, and a period is shown only once it is published.
    early = indicator_trend(db, in_hafen, DISCLOSE, today=date(2026, 10, 10))
    assert [p.key for p, _ in early] == ["2026-Q1", "2026-Q2"]


def test_a_bound_indicator_takes_no_values_and_keeps_its_source_once_values_exist(db, personas, plan):
    add_districts(db)
    bound = _bound(db, personas, plan, (("life_area", "housing"),))
    with pytest.raises(ValidationFailed) as refused:
        enter_value(db, personas["coordinator"].actor, bound, period_key="2026-Q1", value_text="3", now=NOW)
    assert refused.value.errors == {"value": "indicator_is_bound"}
    manual = _manual(db, personas, plan)
    enter_value(db, personas["coordinator"].actor, manual, period_key="2026-Q1", value_text="3", now=NOW)
    with pytest.raises(ValidationFailed) as kept:
        update_indicator(db, personas["coordinator"].actor, manual, data=IndicatorInput(
            title="Schulungen", kind="figure", granularity="quarter"), now=NOW)
    assert kept.value.errors == {"kind": "indicator_has_values"}
    update_indicator(db, personas["coordinator"].actor, manual, data=IndicatorInput(
        title="Schulungen (neu)", target="20", kind="manual", granularity="quarter"), now=NOW)
    assert (manual.title, manual.target) == ("Schulungen (neu)", 20.0)


def test_changes_since_list_new_manual_values_and_newly_published_figures(db, personas, plan):
    add_districts(db)
    _housing_incidents(db, personas["counsellor_a"].organisation_id)
    manual = _manual(db, personas, plan)
    enter_value(db, personas["coordinator"].actor, manual, period_key="2026-Q1", value_text="2",
                now=datetime(2026, 4, 2, tzinfo=UTC))
    enter_value(db, personas["coordinator"].actor, manual, period_key="2026-Q2", value_text="5", now=NOW)
    bound = _bound(db, personas, plan, (("district", "hafen"),))
    changes = changes_since(db, [manual, bound], DISCLOSE, since=date(2026, 9, 1), today=TODAY)
    by_title = {c.indicator.id: c for c in changes}
    assert (by_title[manual.id].period.key, by_title[manual.id].value, by_title[manual.id].previous) == \
        ("2026-Q2", 5.0, 2.0)
    # 2026-Q3 was published on 15 October: new since September; the quarter before was suppressed.
    assert (by_title[bound.id].period, by_title[bound.id].value, by_title[bound.id].previous) == \
        (Period.parse("2026-Q3"), 5.0, SUPPRESSED)
    assert changes_since(db, [manual, bound], DISCLOSE, since=date(2026, 11, 21), today=TODAY) == []


# The pages: define, enter, and read the trend as the dashboard's numbers.

def test_coordinator_defines_an_indicator_and_the_lead_enters_values_through_the_pages(client, db, personas, plan):
    add_districts(db)
    client.login(personas["coordinator"])
    form = client.get(f"/plan/massnahmen/{plan.measure.id}/indikatoren/neu")
    assert form.status_code == 200 and 'value="life_area=housing"' in form.text
    refused = client.submit(f"/plan/massnahmen/{plan.measure.id}/indikatoren", {
        "title": "Schulungen", "baseline": "viele", "direction": "up", "kind": "manual", "granularity": "quarter"})
    assert refused.status_code == 422 and 'value="viele"' in refused.text and 'id="error-baseline"' in refused.text
    created = client.submit(f"/plan/massnahmen/{plan.measure.id}/indikatoren", {
        "title": "Schulungen", "baseline": "0", "target": "12", "direction": "up", "kind": "manual",
        "granularity": "quarter"})
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    client.submit("/abmelden")
    client.login(personas["strategy_member"])
    bad = client.submit(f"{path}/werte", {"period": "Q3", "value": "4"})
    assert bad.status_code == 422 and 'value="Q3"' in bad.text
    assert client.submit(f"{path}/werte", {"period": "2026-Q1", "value": "4"}).status_code == 303
    page = client.get(path).text
    assert "<polyline" not in page and page.count('class="trend-dot"') == 1  # one value: a dot, not a line
    assert "<td>2026-Q1</td><td>4</td>" in page
    assert client.submit(path, {"title": "x", "direction": "up", "kind": "manual",
                                "granularity": "quarter"}).status_code == 403


def test_the_measure_trend_of_a_bound_indicator_shows_suppressed_never_the_number(client, db, personas, plan):
    add_districts(db)
    _housing_incidents(db, personas["counsellor_a"].organisation_id)
    indicator = _bound(db, personas, plan, (("district", "hafen"),))
    db.commit()
    client.login(personas["strategy_member"])
    page = client.get(f"/plan/indikatoren/{indicator.id}").text
    assert "<td>2026-Q1</td><td>6</td>" in page
    assert '<td>2026-Q2</td><td class="suppressed">' in page
    assert "<td>2026-Q2</td><td>2</td>" not in page
    # The suppressed quarter breaks the line: two lone dots and a hollow mark where Q2 would be.
    assert page.count('class="trend-dot"') == 2 and page.count('class="trend-gap"') == 1 and "<polyline" not in page
    assert f'action="/plan/indikatoren/{indicator.id}/werte"' not in page  # values come from the dashboard only


def test_the_plan_overview_lists_each_goals_indicators_with_the_newest_value(client, db, personas, plan):
    add_districts(db)
    _housing_incidents(db, personas["counsellor_a"].organisation_id)
    indicator = _bound(db, personas, plan, (("life_area", "housing"),))
    db.commit()
    client.login(personas["strategy_member"])
    page = client.get(f"/plan/{plan.plan_id}").text
    assert f'href="/plan/indikatoren/{indicator.id}"' in page and "2026-Q3 11" in page
    assert f'href="/plan/ziele/{plan.goal.id}/indikatoren/neu"' not in page  # coordinators add indicators
