"""A filled demo plan for page sweeps (HTML validity): an adopted plan whose first measure has owners,
milestones, updates from both sides, a comment and a history; and the plan's refused forms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from core.clock import utcnow
from tests.test_plan_routes import plan_samples


def filled_plan(db, personas) -> dict[str, str]:
    from strategy import comments, decisions, measures, plans, updates
    ids = plan_samples(db, personas, {})
    coordinator, lead = personas["coordinator"].actor, personas["strategy_member"].actor
    now = utcnow()
    plan_id, measure_id = int(ids["plan_id"]), int(ids["measure_id"])
    adopt = decisions.record_decision(db, coordinator, plan_id, text="Angenommen", kind="adopt_plan",
                                      measure_id=None, meeting_id=None, decided_on=now.date(), now=now)
    plans.adopt_plan(db, coordinator, plan_id, decision_id=adopt.id, now=now)
    agree = decisions.record_decision(db, coordinator, plan_id, text="Umsetzen", kind="agree",
                                      measure_id=measure_id, meeting_id=None, decided_on=now.date(), now=now)
    for target in ("agreed", "planned", "in_progress"):
        measures.change_status(db, lead, measure_id, target=target, reason="", decision_id=agree.id, evidence="",
                               now=now)
    measure = measures.get_measure(db, lead, measure_id)
    measure.visibility, measure.planned_start, measure.planned_end = "public", now.date(), (now + timedelta(400)).date()
    measure.budget_cents = 120_000
    db.add(measure)
    updates.submit_update(db, lead, measure_id, period="2026-Q3", narrative="Läuft", obstacles="Räume",
                          support_needed="Dolmetschen", evidence="Protokoll", evidence_link="https://example.org/p",
                          assessment="at_risk", now=now)
    updates.submit_update(db, coordinator, measure_id, period="2026-Q3", narrative="Gut", obstacles="",
                          support_needed="", evidence="", evidence_link="", assessment="on_track", now=now)
    comments.add_comment(db, lead, measure_id, body="Intern", visibility="own_organisation", now=now)
    comments.add_comment(db, coordinator, measure_id, body="Für alle", visibility="strategy_group", now=now)
    db.commit()
    return ids


def refused_forms(client, ids: dict[str, str]) -> Iterator[tuple[str, Any]]:
    """(name, response) of each plan form sent with bad input, as a coordinator."""
    plan, measure = ids["plan_id"], ids["measure_id"]
    yield "plan-create-error", client.submit("/plan", {"template": "x", "period_start": "2026-02-01",
                                                       "period_end": "2025-01-01"})
    yield "plan-decision-error", client.submit(f"/plan/{plan}/beschluesse", {"text": "", "kind": "agree",
                                                                            "decided_on": "2026-01-01"})
    yield "plan-goal-error", client.submit(f"/plan/{plan}/ziele", {"action_field_id": "", "goal_title": ""})
    yield "measure-new-error", client.submit(f"/plan/{plan}/massnahmen/neu", {"title": "", "budget": "viel"})
    yield "measure-edit-error", client.submit(f"/plan/massnahmen/{measure}/bearbeiten",
                                              {"title": "", "planned_start": "2026-12-01", "planned_end": "2026-01-01"})
    yield "measure-status-error", client.submit(f"/plan/massnahmen/{measure}/status", {"target": "completed"})
    yield "measure-invite-error", client.submit(f"/plan/massnahmen/{measure}/einladung", {"role": "x"})
    yield "measure-milestone-error", client.submit(f"/plan/massnahmen/{measure}/meilensteine",
                                                   {"milestone_title": "", "milestone_weight": "0"})
    yield "measure-update-error", client.submit(f"/plan/massnahmen/{measure}/fortschritt", {"period": "bald"})
    yield "measure-comment-error", client.submit(f"/plan/massnahmen/{measure}/kommentare", {"body": ""})
