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
