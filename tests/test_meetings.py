"""Round-table meetings: agenda, attendance, minutes, numbered decisions linked both ways, and the
"since the last meeting" briefing as data and as a PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pikepdf
import pytest

from core.errors import NotFound, PermissionDenied, ValidationFailed
from reporting.statistics import Disclosure
from strategy import meetings
from strategy.briefing import briefing
from strategy.decisions import create_meeting, record_decision
from strategy.indicators import IndicatorInput, create_indicator, enter_value
from strategy.measures import add_milestone, change_status
from strategy.models import Measure
from strategy.updates import submit_update
from tests.plan_data import make_plan
from web.briefing_pdf import BriefingPdf

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DISCLOSE = Disclosure(k=5, public_k=10, delay_days=14)


@pytest.fixture
def plan(db, personas):
    return make_plan(db, lead_organisation_id=personas["strategy_member"].organisation_id)


@pytest.fixture
def coordinator(personas):
    return personas["coordinator"].actor


def _meeting(db, coordinator, plan, held_on=date(2026, 9, 15), title="3. Runder Tisch"):
    return create_meeting(db, coordinator, plan.plan_id, title=title, held_on=held_on, now=NOW)


def test_agenda_items_keep_their_order_move_and_link_a_measure_of_the_plan(db, coordinator, plan):
    meeting = _meeting(db, coordinator, plan)
    allowed = {plan.measure.id, plan.other.id}
    first = meetings.add_agenda_item(db, coordinator, meeting.id, title="Begrüßung", measure_id=None,
                                     allowed_measures=allowed, now=NOW)
    second = meetings.add_agenda_item(db, coordinator, meeting.id, title="Schulungen", measure_id=plan.measure.id,
                                      allowed_measures=allowed, now=NOW)
    meetings.add_agenda_item(db, coordinator, meeting.id, title="Verschiedenes", measure_id=None,
                             allowed_measures=allowed, now=NOW)
    meetings.move_agenda_item(db, coordinator, meeting.id, second.id, up=True, now=NOW)
    assert [i.title for i in meetings.agenda_of(db, meeting.id)] == ["Schulungen", "Begrüßung", "Verschiedenes"]
    meetings.remove_agenda_item(db, coordinator, meeting.id, first.id, now=NOW)
    assert [(i.title, i.measure_id) for i in meetings.agenda_of(db, meeting.id)] == [
        ("Schulungen", plan.measure.id), ("Verschiedenes", None)]
    with pytest.raises(ValidationFailed) as refused:
        meetings.add_agenda_item(db, coordinator, meeting.id, title="Fremd", measure_id=999999,
                                 allowed_measures=allowed, now=NOW)
    assert refused.value.errors == {"measure_id": "choose_option"}


def test_attendance_is_recorded_per_organisation_with_a_head_count(db, coordinator, personas, plan):
    meeting = _meeting(db, coordinator, plan)
    own, member_org = personas["coordinator"].organisation_id, personas["strategy_member"].organisation_id
    meetings.record_attendance(db, coordinator, meeting.id, {own: ("present", "2"), member_org: ("excused", "")},
                               now=NOW)
    rows = {r.organisation_id: (r.status, r.persons) for r in meetings.attendance_of(db, meeting.id)}
    assert rows[own] == ("present", 2) and rows[member_org] == ("excused", 0)
    with pytest.raises(ValidationFailed) as refused:
        meetings.record_attendance(db, coordinator, meeting.id, {own: ("present", "0"), member_org: ("late", "1")},
                                   now=NOW)
    assert refused.value.errors == {f"persons-{own}": "persons_needed", f"status-{member_org}": "choose_option"}
    meetings.record_attendance(db, coordinator, meeting.id, {member_org: ("", "")}, now=NOW)
    rows = {r.organisation_id: r.status for r in meetings.attendance_of(db, meeting.id)}
    assert rows[member_org] == ""


def test_only_coordinators_run_meetings(db, coordinator, personas, plan):
    meeting = _meeting(db, coordinator, plan)
    member = personas["strategy_member"].actor
    with pytest.raises(PermissionDenied):
        meetings.save_minutes(db, member, meeting.id, text="Protokoll", now=NOW)
    with pytest.raises(PermissionDenied):
        meetings.add_agenda_item(db, member, meeting.id, title="x", measure_id=None, allowed_measures=set(), now=NOW)
    meetings.save_minutes(db, coordinator, meeting.id, text="  Alle Partner berichten.  ", now=NOW)
    assert meetings.minutes_of(db, meeting.id) == "Alle Partner berichten."


def test_decisions_are_numbered_per_plan_agree_the_measure_and_link_both_ways(db, coordinator, plan):
    meeting = _meeting(db, coordinator, plan)
    agree = record_decision(db, coordinator, plan.plan_id, text="Die Schulungen werden vereinbart.", kind="agree",
                            measure_id=plan.measure.id, meeting_id=meeting.id, decided_on=meeting.held_on, now=NOW)
    assert meetings.apply_decision(db, coordinator, agree, now=NOW) == "agreed"
    other = record_decision(db, coordinator, plan.plan_id, text="Nächste Sitzung im Januar.", kind="other",
                            measure_id=None, meeting_id=meeting.id, decided_on=meeting.held_on, now=NOW)
    assert meetings.apply_decision(db, coordinator, other, now=NOW) is None
    # Agreeing twice changes nothing: the workflow has no step from agreed to agreed.
    again = record_decision(db, coordinator, plan.plan_id, text="Bestätigt.", kind="agree",
                            measure_id=plan.measure.id, meeting_id=meeting.id, decided_on=meeting.held_on, now=NOW)
    assert meetings.apply_decision(db, coordinator, again, now=NOW) is None
    assert db.get(Measure, plan.measure.id).status == "agreed"
    register = meetings.decision_rows(db, coordinator, plan.plan_id)
    assert [r.number for r in register] == ["2026/1", "2026/2", "2026/3"]
    assert (register[0].measure_title, register[0].meeting_title) == (plan.measure.title, meeting.title)
    on_measure = meetings.decision_rows_of_measure(db, coordinator, db.get(Measure, plan.measure.id))
    assert [r.number for r in on_measure] == ["2026/1", "2026/3"]
    assert [r.number for r in meetings.decision_rows(db, coordinator, plan.plan_id, meeting_id=meeting.id)] == \
        ["2026/1", "2026/2", "2026/3"]


def test_a_meeting_is_held_only_on_or_after_its_date(db, coordinator, plan):
    later = _meeting(db, coordinator, plan, held_on=NOW.date() + timedelta(days=3))
    with pytest.raises(ValidationFailed):
        meetings.mark_meeting_held(db, coordinator, later, now=NOW)
    today = _meeting(db, coordinator, plan, held_on=NOW.date())
    meetings.mark_meeting_held(db, coordinator, today, now=NOW)
    assert today.state == "held"


def _busy_plan(db, personas, plan):
    """A held meeting in September; after it: an update with evidence, completion, a new value."""
    coordinator, member = personas["coordinator"].actor, personas["strategy_member"].actor
    earlier = _meeting(db, coordinator, plan, held_on=date(2026, 6, 10), title="2. Runder Tisch")
    meetings.mark_meeting_held(db, coordinator, earlier, now=NOW)
    last = _meeting(db, coordinator, plan, held_on=date(2026, 9, 15))
    meetings.mark_meeting_held(db, coordinator, last, now=NOW)
    _meeting(db, coordinator, plan, held_on=date(2026, 12, 10), title="4. Runder Tisch")  # planned, not held
    before = datetime(2026, 9, 1, tzinfo=UTC)
    agree = record_decision(db, coordinator, plan.plan_id, text="Vereinbart.", kind="agree",
                            measure_id=plan.measure.id, meeting_id=earlier.id, decided_on=earlier.held_on, now=before)
    meetings.apply_decision(db, coordinator, agree, now=before)
    change_status(db, coordinator, plan.measure.id, target="planned", reason="", decision_id=None, evidence="",
                  now=before)
    change_status(db, coordinator, plan.measure.id, target="in_progress", reason="", decision_id=None, evidence="",
                  now=before)
    after = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    submit_update(db, member, plan.measure.id, period="2026-Q3", narrative="Vier Schulungen gehalten.",
                  obstacles="", support_needed="", evidence="Teilnahmelisten", evidence_link="", assessment="on_track",
                  now=after)
    change_status(db, member, plan.measure.id, target="completed", reason="", decision_id=None,
                  evidence="Abschlussbericht", now=after)
    other = db.get(Measure, plan.other.id)
    other.health, other.planned_end = "off_track", date(2026, 10, 31)
    db.add(other)
    add_milestone(db, coordinator, plan.other.id, title="Vermieter angeschrieben", due_on="2026-11-01", weight="1",
                  now=before)
    indicator = create_indicator(db, coordinator, plan_id=plan.plan_id, measure_id=plan.measure.id, now=before,
                                 data=IndicatorInput(title="Schulungen durchgeführt", kind="manual",
                                                     granularity="quarter"))
    enter_value(db, member, indicator, period_key="2026-Q2", value_text="2", now=before)
    enter_value(db, member, indicator, period_key="2026-Q3", value_text="4", now=after)
    db.commit()
    return last


def test_the_briefing_lists_what_happened_since_the_last_held_meeting(db, personas, plan):
    last = _busy_plan(db, personas, plan)
    brief = briefing(db, personas["strategy_member"].actor, plan.plan_id, DISCLOSE, today=NOW.date())
    assert (brief.since, brief.since_meeting) == (last.held_on, last.title)
    assert [m.title for m in brief.overdue_measures] == [plan.other.title]
    assert [(m.title, m.measure_title) for m in brief.overdue_milestones] == [
        ("Vermieter angeschrieben", plan.other.title)]
    assert [(m.title, m.health) for m in brief.at_risk] == [(plan.other.title, "off_track")]
    assert [(u.measure_title, u.period, u.has_evidence) for u in brief.updates] == [
        (plan.measure.title, "2026-Q3", True)]
    assert [(c.measure_title, c.to_status) for c in brief.status_changes] == [(plan.measure.title, "completed")]
    assert brief.decisions == []  # the agreement was decided before the last meeting
    assert [(c.indicator.title, c.period.key, c.value, c.previous) for c in brief.indicator_changes] == [
        ("Schulungen durchgeführt", "2026-Q3", 4.0, 2.0)]
    with pytest.raises(NotFound):  # outside the strategy group the plan does not exist
        briefing(db, personas["counsellor_a"].actor, plan.plan_id, DISCLOSE, today=NOW.date())


def test_the_briefing_pdf_opens_and_names_the_measures_without_personal_data(db, personas, plan):
    _busy_plan(db, personas, plan)
    brief = briefing(db, personas["coordinator"].actor, plan.plan_id, DISCLOSE, today=NOW.date())
    for font in (None, BriefingPdf.default_font()):
        renderer = BriefingPdf(lambda text: text, lambda _kind, code: code, lambda day: day.isoformat(), font=font)
        data = renderer.render(brief, k=5, now=NOW)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            text = b"".join(page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array)
                            else b"".join(part.read_bytes() for part in page.Contents) for page in pdf.pages)
            info = {str(key): str(value) for key, value in pdf.docinfo.items()}
        assert len(pdf.pages) >= 1
        assert "/Author" not in info
        assert plan.plan.title in info["/Title"] or font is None
        if font is None:  # the core font writes Latin-1 text as it is: umlauts included
            for title in (plan.measure.title, plan.other.title, "Schulungen durchgeführt"):
                assert title.encode("latin-1") in text.replace(b"\\", b"")
        for person in ("Coordinator", "Strategy Member", "@example.org"):
            assert person.encode() not in data


# The pages, through the app, as a coordinator and a member use them.

def test_a_coordinator_runs_a_meeting_through_its_pages(client, db, personas, plan):
    from tests.web_client import text_of
    member_org = personas["strategy_member"].organisation_id
    client.login(personas["coordinator"])
    refused = client.submit(f"/plan/{plan.plan_id}/sitzungen", {"title": "4. Runder Tisch", "held_on": ""})
    assert refused.status_code == 422 and 'value="4. Runder Tisch"' in refused.text
    assert 'id="error-held_on"' in refused.text
    created = client.submit(f"/plan/{plan.plan_id}/sitzungen", {"title": "4. Runder Tisch", "held_on": "2026-01-20"})
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    assert client.submit(f"{path}/tagesordnung", {"title": "Schulungen", "item_measure_id": str(plan.measure.id)}
                         ).status_code == 303
    bad = client.submit(f"{path}/anwesenheit", {f"status-{member_org}": "present", f"persons-{member_org}": "x"})
    assert bad.status_code == 422 and f'id="error-persons-{member_org}"' in bad.text and 'value="x"' in bad.text
    assert client.submit(f"{path}/anwesenheit", {f"status-{member_org}": "present", f"persons-{member_org}": "3"}
                         ).status_code == 303
    assert client.submit(f"{path}/protokoll", {"minutes": "Bericht der Partner."}).status_code == 303
    no_measure = client.submit(f"{path}/beschluesse", {"kind": "agree", "measure_id": "", "text": "Vereinbart."})
    assert no_measure.status_code == 422 and "Vereinbart." in no_measure.text
    assert 'id="error-measure_id"' in no_measure.text
    assert client.submit(f"{path}/beschluesse", {"kind": "agree", "measure_id": str(plan.measure.id),
                                                 "text": "Die Schulungen werden vereinbart."}).status_code == 303
    assert client.submit(f"{path}/abgehalten").status_code == 303
    page = text_of(client.get(path).text)
    for expected in ("Schulungen", "Bericht der Partner.", "2026/1", "Die Schulungen werden vereinbart."):
        assert expected in page
    assert f'action="{path}/abgehalten"' not in client.get(path).text  # held: nothing left to mark
    register = client.get(f"/plan/{plan.plan_id}/beschluesse").text
    assert f'href="/plan/massnahmen/{plan.measure.id}"' in register and f'href="{path}"' in register
    db.expire_all()
    assert db.get(Measure, plan.measure.id).status == "agreed"


def test_members_read_meetings_and_the_briefing_but_cannot_change_them(client, db, personas, plan):
    coordinator = personas["coordinator"].actor
    meeting = _meeting(db, coordinator, plan)
    db.commit()
    client.login(personas["strategy_member"])
    page = client.get(f"/plan/sitzungen/{meeting.id}")
    assert page.status_code == 200 and "/beschluesse" not in page.text.split("</main>")[0].split("<main")[1] \
        and "<textarea" not in page.text
    assert client.submit(f"/plan/sitzungen/{meeting.id}/protokoll", {"minutes": "x"}).status_code == 403
    briefing_page = client.get(f"/plan/{plan.plan_id}/briefing")
    assert briefing_page.status_code == 200 and "briefing.pdf" in briefing_page.text
    pdf = client.get(f"/plan/{plan.plan_id}/briefing.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_outside_the_strategy_group_meetings_do_not_exist(client, db, personas, plan):
    meeting = _meeting(db, personas["coordinator"].actor, plan)
    db.commit()
    client.login(personas["counsellor_a"])
    for path in (f"/plan/sitzungen/{meeting.id}", f"/plan/{plan.plan_id}/briefing.pdf",
                 f"/plan/{plan.plan_id}/beschluesse"):
        assert client.get(path).status_code == 404
