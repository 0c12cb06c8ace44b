"""A small plan written straight to the database (one field, one goal, two measures), for meeting and
indicator tests that should not depend on the plan pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from strategy.models import ActionField, Goal, Measure, MeasureRole, Plan

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class PlanRows:
    plan: Plan
    goal: Goal
    measure: Measure
    other: Measure

    @property
    def plan_id(self) -> int:
        assert self.plan.id is not None
        return self.plan.id


def make_plan(db: Session, *, lead_organisation_id: int | None = None, created: datetime = CREATED) -> PlanRows:
    plan = Plan(title="Aktionsplan Musterstadt 2026–2028", template="integration_vor_ort",
                period_start=date(2026, 1, 1), period_end=date(2028, 12, 31), created_at=created)
    db.add(plan)
    db.flush()
    assert plan.id is not None
    field = ActionField(plan_id=plan.id, title="Wohnen")
    db.add(field)
    db.flush()
    assert field.id is not None
    goal = Goal(action_field_id=field.id, title="Weniger Diskriminierung auf dem Wohnungsmarkt")
    db.add(goal)
    db.flush()
    assert goal.id is not None
    measure = Measure(plan_id=plan.id, goal_id=goal.id, title="Schulungen für Wohnungsunternehmen",
                      created_at=created, updated_at=created, position=1)
    other = Measure(plan_id=plan.id, goal_id=goal.id, title="Testing-Verfahren bei Vermietern",
                    created_at=created, updated_at=created, position=2)
    db.add_all([measure, other])
    db.flush()
    if lead_organisation_id is not None:
        assert measure.id is not None
        db.add(MeasureRole(measure_id=measure.id, organisation_id=lead_organisation_id, role="lead", state="active",
                           invited_at=created, accepted_at=created))
    db.commit()
    return PlanRows(plan, goal, measure, other)


def filled_meetings(db: Session, personas, ids: dict[str, str]) -> dict[str, str]:
    """On the sample plan of tests/test_plan_routes.py: a meeting with agenda, attendance, minutes and a
    decision, a manual indicator with two values and one bound to a dashboard figure."""
    from core.clock import utcnow
    from strategy import meetings
    from strategy.decisions import record_decision
    from strategy.indicators import Indicator, IndicatorInput, create_indicator, enter_value
    from tests.test_plan_routes import meeting_samples
    ids = {**ids, **meeting_samples(db, personas, ids)}
    coordinator, now = personas["coordinator"].actor, utcnow()
    meeting_id, plan_id = int(ids["meeting_id"]), int(ids["plan_id"])
    own = personas["coordinator"].organisation_id
    meetings.record_attendance(db, coordinator, meeting_id, {own: ("present", "2")}, now=now)
    meetings.save_minutes(db, coordinator, meeting_id, text="Protokoll", now=now)
    record_decision(db, coordinator, plan_id, text="Weiter so", kind="change", measure_id=int(ids["measure_id"]),
                    meeting_id=meeting_id, decided_on=now.date(), now=now)
    manual = db.get(Indicator, int(ids["indicator_id"]))
    enter_value(db, coordinator, manual, period_key="2026-Q1", value_text="2", now=now)
    enter_value(db, coordinator, manual, period_key="2026-Q2", value_text="5", now=now)
    create_indicator(db, coordinator, plan_id=plan_id, measure_id=int(ids["measure_id"]), now=now,
                     data=IndicatorInput(title="Vorfälle", kind="figure", granularity="year",
                                         filters=(("place_type", "housing_market"),)))
    db.commit()
    return ids


def refused_meeting_forms(client, ids: dict[str, str]):
    """(name, response) of each meeting and indicator form sent with bad input, as a coordinator."""
    meeting, measure, indicator = ids["meeting_id"], ids["measure_id"], ids["indicator_id"]
    yield "meeting-create-error", client.submit(f"/plan/{ids['plan_id']}/sitzungen", {"title": "", "held_on": "x"})
    yield "meeting-agenda-error", client.submit(f"/plan/sitzungen/{meeting}/tagesordnung", {"title": ""})
    yield "meeting-decision-error", client.submit(f"/plan/sitzungen/{meeting}/beschluesse", {"kind": "agree"})
    yield "indicator-new-error", client.submit(f"/plan/massnahmen/{measure}/indikatoren",
                                               {"title": "", "kind": "figure", "filter_1": "x"})
    yield "indicator-value-error", client.submit(f"/plan/indikatoren/{indicator}/werte", {"period": "bald"})
