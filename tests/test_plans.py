"""Journeys through the action plan over HTTP: from a template to an evaluated measure, with co-owners,
decisions, updates from both sides, history and comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from strategy.models import Decision, Measure, MeasureRevision, MeasureRole, Plan
from tests.web_client import text_of


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English texts, whatever the catalogues make of them."""
    client.cookies.set("lang", "en", domain="testserver.local")


def _create_plan(client, template: str = "integration_vor_ort") -> int:
    response = client.submit("/plan", {"template": template, "title": "", "period_start": "2026-01-01",
                                       "period_end": "2028-12-31"})
    assert response.status_code == 303, response.text
    return int(re.search(r"/plan/(\d+)", response.headers["location"]).group(1))


def _role_id(db, measure_id: int, organisation_id: int) -> int:
    db.expire_all()
    return db.exec(select(MeasureRole.id).where(MeasureRole.measure_id == measure_id,
                                                MeasureRole.organisation_id == organisation_id)).one()


def _decision(client, db, plan_id: int, kind: str, text: str = "Beschluss") -> int:
    response = client.submit(f"/plan/{plan_id}/beschluesse", {"text": text, "kind": kind, "measure_id": "",
                                                              "decided_on": "2026-03-01", "number": ""})
    assert response.status_code == 303, response.text
    db.expire_all()
    return db.exec(select(Decision.id).where(Decision.plan_id == plan_id).order_by(Decision.id.desc())).first()


def _status(client, measure_id: int, target: str, **fields: str):
    return client.submit(f"/plan/massnahmen/{measure_id}/status",
                         {"target": target, "reason": "", "decision_id": "", "evidence": "", **fields})


def test_a_plan_from_the_template_has_the_six_action_fields_and_proposed_measures(client, personas, db):
    client.login(personas["coordinator"])
    plan_id = _create_plan(client)
    page = client.get(f"/plan/{plan_id}")
    assert page.status_code == 200
    assert page.text.count('class="action-field"') == 6
    assert "Ressortübergreifend zusammenarbeiten und vernetzen" in page.text
    measures = db.exec(select(Measure).where(Measure.plan_id == plan_id)).all()
    assert len(measures) >= 15 and {m.status for m in measures} == {"proposed"}
    eccar = _create_plan(client, "eccar")
    assert client.get(f"/plan/{eccar}").text.count('class="action-field"') == 10
    empty = _create_plan(client, "empty")
    assert "no action fields yet" in client.get(f"/plan/{empty}").text


def test_bad_plan_input_answers_422_and_keeps_the_values(client, personas):
    client.login(personas["coordinator"])
    response = client.submit("/plan", {"template": "eccar", "title": "Mein Plan", "period_start": "2026-05-01",
                                       "period_end": "2026-01-01"})
    assert response.status_code == 422
    assert 'value="Mein Plan"' in response.text and "The period must end after it starts." in response.text


def test_from_template_to_evaluated_measure_with_two_owners(client, personas, db):
    coordinator, lead, partner = personas["coordinator"], personas["strategy_member"], personas["strategy_member_b"]
    client.login(coordinator)
    plan_id = _create_plan(client)
    measure_id = db.exec(select(Measure.id).where(Measure.plan_id == plan_id).order_by(Measure.id)).first()
    for org, role in ((lead.organisation_id, "lead"), (partner.organisation_id, "co_lead")):
        response = client.submit(f"/plan/massnahmen/{measure_id}/einladung", {"organisation_id": str(org),
                                                                               "role": role})
        assert response.status_code == 303, response.text
    agree = _decision(client, db, plan_id, "agree", "Die Maßnahme wird umgesetzt.")
    client.submit("/abmelden")

    client.login(lead)
    mine = client.get("/plan/meine-massnahmen")
    assert "Open invitations" in mine.text and f"/plan/massnahmen/{measure_id}" in mine.text
    assert client.submit(f"/plan/rollen/{_role_id(db, measure_id, lead.organisation_id)}/antwort",
                         {"answer": "accept"}).status_code == 303
    refused = _status(client, measure_id, "agreed")
    assert refused.status_code == 422 and "needs a decision" in refused.text
    assert _status(client, measure_id, "agreed", decision_id=str(agree)).status_code == 303
    assert _status(client, measure_id, "planned").status_code == 303
    assert _status(client, measure_id, "in_progress").status_code == 303
    response = client.submit(f"/plan/massnahmen/{measure_id}/fortschritt", {
        "period": "2026-q2", "narrative": "Runder Tisch tagte zweimal.", "obstacles": "Raumfrage",
        "support_needed": "Dolmetschende", "update_evidence": "", "evidence_link": "", "assessment": "at_risk"})
    assert response.status_code == 303, response.text
    client.submit("/abmelden")

    client.login(partner)
    assert client.submit(f"/plan/rollen/{_role_id(db, measure_id, partner.organisation_id)}/antwort",
                         {"answer": "accept"}).status_code == 303
    client.submit(f"/plan/massnahmen/{measure_id}/fortschritt", {
        "period": "2026-Q2", "narrative": "Einladungen über das Amt verschickt.", "obstacles": "",
        "support_needed": "", "update_evidence": "", "evidence_link": "https://example.org/protokoll",
        "assessment": "on_track"})
    page = client.get(f"/plan/massnahmen/{measure_id}")
    text = text_of(page.text)
    assert "Municipal side" in text and "Civil society" in text
    municipal, civil = page.text.split("Municipal side")[1].split("Civil society")
    assert "Einladungen über das Amt" in municipal and "Runder Tisch tagte" in civil
    no_evidence = _status(client, measure_id, "completed")
    assert no_evidence.status_code == 422 and "Say what shows that the measure is completed." in no_evidence.text
    assert _status(client, measure_id, "completed", evidence="Abschlussprotokoll").status_code == 303
    assert _status(client, measure_id, "evaluated").status_code == 303
    page = client.get(f"/plan/massnahmen/{measure_id}")
    assert "Abschlussprotokoll" in page.text and "Die Maßnahme wird umgesetzt." in page.text
    db.expire_all()
    measure = db.get(Measure, measure_id)
    assert measure.status == "evaluated" and measure.actual_start and measure.actual_end
    # History: every change kept; the agreement shows as a diff of the status.
    revisions = db.exec(select(MeasureRevision).where(MeasureRevision.measure_id == measure_id)).all()
    assert len(revisions) >= 10
    assert "<del>Planned</del>" in page.text and "<ins>In progress</ins>" in page.text


def test_a_measure_cannot_start_without_an_accepted_lead_over_http(client, personas, db):
    client.login(personas["coordinator"])
    plan_id = _create_plan(client)
    measure_id = db.exec(select(Measure.id).where(Measure.plan_id == plan_id).order_by(Measure.id)).first()
    client.submit(f"/plan/massnahmen/{measure_id}/einladung",
                  {"organisation_id": str(personas["strategy_member"].organisation_id), "role": "lead"})
    agree = _decision(client, db, plan_id, "agree")
    assert _status(client, measure_id, "agreed", decision_id=str(agree)).status_code == 303
    assert _status(client, measure_id, "planned").status_code == 303
    refused = _status(client, measure_id, "in_progress")
    assert refused.status_code == 422 and "accepted the lead" in refused.text
    cancel = _decision(client, db, plan_id, "cancel")
    assert _status(client, measure_id, "cancelled").status_code == 422
    assert _status(client, measure_id, "cancelled", decision_id=str(cancel)).status_code == 303


def test_members_edit_only_measures_their_organisation_holds(client, personas, db):
    client.login(personas["coordinator"])
    plan_id = _create_plan(client)
    first, second = db.exec(select(Measure.id).where(Measure.plan_id == plan_id).order_by(Measure.id)).all()[:2]
    client.submit(f"/plan/massnahmen/{first}/einladung",
                  {"organisation_id": str(personas["strategy_member"].organisation_id), "role": "contributor"})
    client.submit("/abmelden")
    client.login(personas["strategy_member"])
    # Invited but not yet accepted: no editing.
    assert client.get(f"/plan/massnahmen/{first}/bearbeiten").status_code == 403
    client.submit(f"/plan/rollen/{_role_id(db, first, personas['strategy_member'].organisation_id)}/antwort",
                  {"answer": "accept"})
    form = client.get(f"/plan/massnahmen/{first}/bearbeiten")
    assert form.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    goal = re.search(r'<option value="(\d+)" selected', form.text).group(1)
    saved = client.submit(f"/plan/massnahmen/{first}/bearbeiten", {
        "title": "Runder Tisch Aufnahme", "goal_id": goal, "version": version, "budget": "12.500,00",
        "life_area": ["housing", "nonsense"], "health": "at_risk", "progress_mode": "manual",
        "progress_manual": "40", "weight": "2", "visibility": "public"})
    assert saved.status_code == 422 and "Choose from the list." in saved.text and 'value="12.500,00"' in saved.text
    saved = client.submit(f"/plan/massnahmen/{first}/bearbeiten", {
        "title": "Runder Tisch Aufnahme", "goal_id": goal, "version": version, "budget": "12.500,00",
        "life_area": ["housing"], "ground": ["racism"], "health": "at_risk", "progress_mode": "manual",
        "progress_manual": "40", "weight": "2", "visibility": "public"})
    assert saved.status_code == 303, saved.text
    stale = client.submit(f"/plan/massnahmen/{first}/bearbeiten", {
        "title": "Überschrieben?", "goal_id": goal, "version": version, "health": "on_track",
        "progress_mode": "manual", "progress_manual": "0", "weight": "1", "visibility": "internal"})
    assert stale.status_code == 409 and "Runder Tisch Aufnahme" in stale.text
    db.expire_all()
    measure = db.get(Measure, first)
    assert measure.budget_cents == 1_250_000 and measure.title == "Runder Tisch Aufnahme"
    assert client.get(f"/plan/massnahmen/{second}/bearbeiten").status_code == 403
    assert client.submit(f"/plan/massnahmen/{second}/meilensteine", {"milestone_title": "x"}).status_code == 403
    diff = client.get(f"/plan/massnahmen/{first}").text
    assert "<ins>Runder Tisch Aufnahme</ins>" in diff and "<ins>12,500.00 €</ins>" in diff


def test_an_own_organisation_comment_is_invisible_to_other_organisations(client, personas, db):
    client.login(personas["coordinator"])
    plan_id = _create_plan(client)
    measure_id = db.exec(select(Measure.id).where(Measure.plan_id == plan_id)).first()
    client.submit("/abmelden")
    client.login(personas["strategy_member"])
    assert client.submit(f"/plan/massnahmen/{measure_id}/kommentare",
                         {"body": "Nur für unseren Verein", "visibility": "own_organisation"}).status_code == 303
    assert client.submit(f"/plan/massnahmen/{measure_id}/kommentare",
                         {"body": "Für die ganze Gruppe", "visibility": "strategy_group"}).status_code == 303
    empty = client.submit(f"/plan/massnahmen/{measure_id}/kommentare", {"body": " ", "visibility": "strategy_group"})
    assert empty.status_code == 422 and "Write a comment." in empty.text
    assert "Nur für unseren Verein" in client.get(f"/plan/massnahmen/{measure_id}").text
    client.submit("/abmelden")
    for other in ("strategy_member_b", "coordinator"):
        client.login(personas[other])
        page = client.get(f"/plan/massnahmen/{measure_id}").text
        assert "Für die ganze Gruppe" in page and "Nur für unseren Verein" not in page
        client.submit("/abmelden")


def test_milestones_drive_progress_on_the_overview(client, personas, db):
    client.login(personas["strategy_member"])
    client.login(personas["coordinator"])
    plan_id = _create_plan(client, "empty")
    client.submit(f"/plan/{plan_id}/handlungsfelder", {"field_title": "Bildung", "field_description": ""})
    field_id = re.search(r'<option value="(\d+)"', client.get(f"/plan/{plan_id}").text.split("ziele")[1]).group(1)
    client.submit(f"/plan/{plan_id}/ziele", {"action_field_id": field_id, "goal_title": "Schulen", "goal_weight": "1"})
    client.submit("/abmelden")
    client.login(personas["strategy_member"])
    form = client.get(f"/plan/{plan_id}/massnahmen/neu")
    goal = re.search(r'<option value="(\d+)"', form.text.split('id="field-goal_id"')[1]).group(1)
    response = client.submit(f"/plan/{plan_id}/massnahmen/neu", {
        "title": "Fortbildung Lehrkräfte", "goal_id": goal, "health": "on_track", "progress_mode": "milestones",
        "progress_manual": "0", "weight": "1", "visibility": "internal", "planned_start": "2026-02-01",
        "planned_end": "2026-11-30"})
    assert response.status_code == 303, response.text
    measure_id = int(response.headers["location"].split("/")[-1].split("?")[0])
    for title, weight in (("Konzept", "3"), ("Durchführung", "1")):
        assert client.submit(f"/plan/massnahmen/{measure_id}/meilensteine",
                             {"milestone_title": title, "due_on": "2026-06-01", "milestone_weight": weight}
                             ).status_code == 303
    bad = client.submit(f"/plan/massnahmen/{measure_id}/meilensteine",
                        {"milestone_title": "", "due_on": "morgen", "milestone_weight": "0"})
    assert bad.status_code == 422 and 'value="morgen"' in bad.text
    page = client.get(f"/plan/massnahmen/{measure_id}").text
    first_milestone = re.search(rf"/plan/massnahmen/{measure_id}/meilensteine/(\d+)", page).group(1)
    client.submit(f"/plan/massnahmen/{measure_id}/meilensteine/{first_milestone}", {"done": "yes"})
    # The proposer's organisation leads, so the measure is theirs: it appears under "my measures" at 75 %.
    mine = client.get("/plan/meine-massnahmen").text
    assert "Fortbildung Lehrkräfte" in mine and 'value="75"' in mine
    overview = client.get(f"/plan/{plan_id}").text
    assert 'aria-label="Progress of the plan: 75 %"' in overview
    assert "Fortbildung Lehrkräfte" in client.get(f"/plan/{plan_id}/tafel").text
    timeline = client.get(f"/plan/{plan_id}/zeitplan").text
    assert "<svg" in timeline and "<title>Fortbildung Lehrkräfte" in timeline and "<table>" in timeline


def test_the_public_page_shows_only_public_measures_of_adopted_plans(client, personas, db):
    client.login(personas["coordinator"])
    plan_id = _create_plan(client)
    first, second = db.exec(select(Measure).where(Measure.plan_id == plan_id).order_by(Measure.id)).all()[:2]
    for measure, visibility in ((first, "public"), (second, "internal")):
        measure.visibility, measure.status, measure.budget_cents = visibility, "planned", 99_999_00
        db.add(measure)
    db.commit()
    client.submit("/abmelden")
    assert first.title not in client.get("/fortschritt").text  # the plan is still a draft
    client.login(personas["coordinator"])
    adopt = _decision(client, db, plan_id, "adopt_plan", "Der Rat beschließt den Aktionsplan.")
    assert client.submit(f"/plan/{plan_id}/annehmen", {"decision_id": str(adopt)}).status_code == 303
    db.expire_all()
    assert db.get(Plan, plan_id).state == "adopted"
    client.submit("/abmelden")
    page = client.get("/fortschritt")
    assert page.status_code == 200
    assert first.title in page.text and second.title not in page.text and "99" not in text_of(page.text)


def test_every_plan_message_is_listed_for_translation():
    from web.plan_labels import PLAN_MESSAGES
    source = "".join(p.read_text() for p in Path("strategy").glob("*.py"))
    raised = set(re.findall(r'errors\[[^]]+\] = "([^"]+)"', source))
    raised |= set(re.findall(r'ValidationFailed\(\{"\w+": "([^"]+)"', source))
    raised |= set(re.findall(r'"(Enter a whole number from [^"]+)"', source))
    from web.messages import FIELD_MESSAGES  # message ids of meetings and indicators live there
    assert raised - set(PLAN_MESSAGES) - set(FIELD_MESSAGES) == set()


def test_the_timeline_escapes_measure_titles():
    from datetime import date

    from strategy.measures import MeasureSummary
    from web.plan_timeline import timeline_svg
    hostile = MeasureSummary(1, '<script>alert("x")</script>', "in_progress", "on_track", 10.0, 1,
                             date(2026, 2, 1), date(2026, 9, 1), date(2026, 3, 1), None, "internal")
    svg = str(timeline_svg([hostile], first=date(2026, 1, 1), last=date(2027, 12, 31), today=date(2026, 6, 1),
                           title="<i>Plan</i>", description="d", status_labels={}, today_label="heute"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;i&gt;Plan" in svg
    assert svg.count("<rect") == 2  # planned and actual
