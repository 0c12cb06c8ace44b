"""Progress and health roll up, weighted, from milestones and measures to goal, action field and plan."""

from __future__ import annotations

from datetime import date

import pytest

from core.clock import utcnow
from strategy.progress import (
    MeasureProgress,
    measure_progress,
    milestone_progress,
    plan_progress,
    roll_up_field,
    roll_up_goal,
    roll_up_plan,
    rolled_health,
    weighted_mean,
)


def m(measure_id: int, progress: float | None, *, status: str = "in_progress", health: str = "on_track",
      weight: int = 1) -> MeasureProgress:
    return MeasureProgress(measure_id, f"M{measure_id}", status, health, progress, weight, "internal")


def test_weighted_mean_skips_missing_values_and_zero_weights():
    assert weighted_mean([(100, 3), (0, 1)]) == 75
    assert weighted_mean([(None, 5), (40, 1), (90, 0)]) == 40
    assert weighted_mean([]) is None


def test_milestone_progress_is_the_weighted_share_of_done_milestones():
    assert milestone_progress([(1, True), (3, False)]) == 25
    assert milestone_progress([(2, True), (2, True)]) == 100
    assert milestone_progress([]) == 0


def test_measure_progress_follows_mode_and_status():
    assert measure_progress("in_progress", "milestones", 90, [(1, True), (1, False)]) == 50
    assert measure_progress("in_progress", "manual", 30, [(1, True)]) == 30
    assert measure_progress("in_progress", "manual", 130, []) == 100
    assert measure_progress("completed", "manual", 10, []) == 100
    assert measure_progress("evaluated", "milestones", 0, [(1, False)]) == 100
    assert measure_progress("cancelled", "manual", 70, []) is None


def test_goal_progress_weights_measures_and_ignores_cancelled_ones():
    goal = roll_up_goal(1, "G", 1, [m(1, 100, weight=3), m(2, 20, weight=1), m(3, None, status="cancelled")])
    assert goal.progress == pytest.approx(80)


def test_field_and_plan_progress_weight_goals_and_fields():
    heavy = roll_up_goal(1, "heavy", 3, [m(1, 100)])
    light = roll_up_goal(2, "light", 1, [m(2, 0)])
    empty = roll_up_goal(3, "no measures yet", 5, [])
    field_a = roll_up_field(10, "A", 1, [heavy, light, empty])
    assert empty.progress is None and field_a.progress == pytest.approx(75)
    field_b = roll_up_field(11, "B", 3, [roll_up_goal(4, "G", 1, [m(3, 15)])])
    plan = roll_up_plan(1, [field_a, field_b])
    assert plan.progress == pytest.approx((75 * 1 + 15 * 3) / 4)
    assert plan.status_counts == {"in_progress": 3}


def test_health_rolls_up_weighted_from_running_measures_only():
    assert rolled_health([("on_track", 1), ("off_track", 1)]) == "at_risk"
    assert rolled_health([("on_track", 3), ("off_track", 1)]) == "on_track"
    assert rolled_health([("at_risk", 1), ("off_track", 3)]) == "off_track"
    assert rolled_health([]) is None
    goal = roll_up_goal(1, "G", 1, [m(1, 0, health="off_track", status="proposed"),
                                    m(2, 0, health="off_track", status="completed"),
                                    m(3, 0, health="at_risk", status="on_hold"),
                                    m(4, 0, health="on_track", status="planned", weight=2)])
    assert goal.health_counts == {"on_track": 1, "at_risk": 1, "off_track": 0}
    assert goal.health == "on_track"  # (2*2 + 1*1) / 3 ≥ 1.5


def test_field_health_weights_measures_by_their_goal():
    risky = roll_up_goal(1, "big", 4, [m(1, 0, health="off_track")])
    fine = roll_up_goal(2, "small", 1, [m(2, 0, health="on_track")])
    assert roll_up_field(1, "F", 1, [risky, fine]).health == "off_track"  # (0*4 + 2*1) / 5 < 0.75


def test_plan_progress_reads_a_plan_from_the_database(db, personas):
    from sqlmodel import select

    from strategy.decisions import record_decision
    from strategy.measures import add_milestone, change_status, set_milestone_done
    from strategy.models import Measure
    from strategy.ownership import invite_organisation, respond_to_role
    from strategy.plans import create_plan
    coordinator, member = personas["coordinator"], personas["strategy_member"]
    now = utcnow()
    plan = create_plan(db, coordinator.actor, template="integration_vor_ort", title="", period_start=date(2026, 1, 1),
                       period_end=date(2028, 12, 31), now=now)
    measures = db.exec(select(Measure).where(Measure.plan_id == plan.id).order_by(Measure.id)).all()
    first, second = measures[0], measures[1]
    role = invite_organisation(db, coordinator.actor, first.id, organisation_id=member.organisation_id, role="lead",
                               now=now)
    respond_to_role(db, member.actor, role.id, accept=True, now=now)
    decision = record_decision(db, coordinator.actor, plan.id, text="Maßnahme beschlossen", kind="agree",
                               measure_id=None, meeting_id=None, decided_on=now.date(), now=now)
    for target in ("agreed", "planned", "in_progress"):
        change_status(db, member.actor, first.id, target=target, reason="", decision_id=decision.id, evidence="",
                      now=now)
    done = add_milestone(db, member.actor, first.id, title="Auftakt", due_on="", weight="3", now=now)
    add_milestone(db, member.actor, first.id, title="Bericht", due_on="2026-06-30", weight="1", now=now)
    set_milestone_done(db, member.actor, first.id, done.id, done=True, now=now)
    second.progress_mode, second.progress_manual = "manual", 50
    db.add(second)
    db.flush()
    result = plan_progress(db, plan.id)
    assert len(result.fields) == 6
    goal = result.fields[0].goals[0]
    by_id = {x.measure_id: x for x in goal.measures}
    assert by_id[first.id].progress == 75 and by_id[second.id].progress == 50
    assert goal.progress == pytest.approx((75 + 50 + 0) / 3)
    assert result.health_counts == {"on_track": 1, "at_risk": 0, "off_track": 0}
    assert result.status_counts["in_progress"] == 1
    assert plan_progress(db, plan.id, public_only=True).progress is None
