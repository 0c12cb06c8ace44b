"""The public chronicle: proposed by one person, public only after a second person's check, withdrawable."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import select

from core.audit import AuditEvent
from core.clock import utcnow
from core.errors import NotFound, PermissionDenied, ValidationFailed
from reporting import chronicle
from reporting.chronicle_models import ChronicleEntry
from reporting.intake import intake_context, parse_report, submit_report
from reporting.models import Incident
from tests.intake_flow import FULL_REPORT
from tests.personas import add_districts, establish_centres
from tests.web_client import WebClient, text_of

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")

ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY = ("Eine Frau wurde in einem Geschäft in der Altstadt rassistisch beleidigt und aus der Warteschlange "
           "gedrängt. Andere Kundinnen griffen nicht ein.")
ALL_CHECKS = list(chronicle.CHECKLIST)


@pytest.fixture
def centres(db, crypto, personas):
    for key in ("counsellor_a", "lead_a", "counsellor_b"):
        personas[key]
    add_districts(db)
    return establish_centres(db, crypto, personas)


def _incident(db, crypto, *, verification: str = "verified", day: str = "3", **changes) -> str:
    """A report to centre A (the default centre), triaged as `verification`."""
    values = {k: v if isinstance(v, list) else [v] for k, v in {**FULL_REPORT, "day": day, **changes}.items()}
    report = parse_report(values, intake_context(db, today=utcnow().date()))
    submitted = submit_report(db, report, [], tag_key=b"k" * 32, params=crypto.argon2, today=utcnow().date())
    incident = db.get(Incident, submitted.incident_id)
    incident.verification = verification
    db.add(incident)
    db.commit()
    return incident.id


@pytest.fixture(scope="module")
def chronicle_app(settings, engine):
    from web.app import create_app
    return create_app(replace(settings, public_chronicle=True), engine=engine)


@pytest.fixture
def web(chronicle_app, db):
    with WebClient(chronicle_app) as test_client:
        yield test_client


@pytest.fixture
def lead_web(chronicle_app, db, personas):
    with WebClient(chronicle_app) as test_client:
        test_client.login(personas["lead_a"])
        yield test_client


def _audit(db, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _public(web) -> tuple[str, str]:
    """The public list and the feed as an anonymous visitor sees them."""
    with WebClient(web.app) as visitor:
        return visitor.get("/chronik").text, visitor.get("/chronik/feed.atom").text


def test_entry_becomes_public_only_after_a_second_person_approves(web, lead_web, personas, centres, db, crypto):
    incident_id = _incident(db, crypto)
    web.login(personas["counsellor_a"])
    assert "/chronik" in web.get(f"/beratung/meldungen/{incident_id}").text
    proposed = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                          {"public_summary": SUMMARY, "date_shown": "day", "place_shown": "district"})
    assert proposed.status_code == 303, proposed.text
    entry = db.exec(select(ChronicleEntry)).one()
    assert entry.state == "pending_review"
    page, feed = _public(web)
    assert SUMMARY not in page and SUMMARY not in feed
    assert web.get(f"/chronik/{entry.id}").status_code == 404

    # The proposer sees that a colleague must review, and cannot approve anyway.
    review = web.get(f"/beratung/chronik/{entry.id}")
    assert "freigeben" not in review.text and "second person" in text_of(review.text)
    refused = web.submit(f"/beratung/chronik/{entry.id}/freigeben", {"checks": ALL_CHECKS})
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(ChronicleEntry, entry.id).state == "pending_review"

    # The lead approves only after confirming every point of the check; the inbox tells her one waits.
    assert "1 proposal waiting for you" in lead_web.get("/beratung").text
    assert "proposal waiting" not in web.get("/beratung").text  # not for the proposer
    queue = lead_web.get("/beratung/chronik")
    assert f"/beratung/chronik/{entry.id}" in queue.text and "Review this entry" in queue.text
    partial = lead_web.submit(f"/beratung/chronik/{entry.id}/freigeben", {"checks": ALL_CHECKS[:2]})
    assert partial.status_code == 422
    assert "confirm every point" in text_of(partial.text)
    assert 'value="no_names" checked' in partial.text and 'value="no_rare_combination" checked' not in partial.text
    assert SUMMARY not in _public(web)[0]
    approved = lead_web.submit(f"/beratung/chronik/{entry.id}/freigeben", {"checks": ALL_CHECKS})
    assert approved.status_code == 303
    page, feed = _public(web)
    assert SUMMARY in page and SUMMARY in feed
    assert "October 3, 2026" in page and "Altstadt" in page
    assert web.get(f"/chronik/{entry.id}").status_code == 200
    assert [e.actor_user_id for e in _audit(db, "chronicle.propose")] == [personas["counsellor_a"].user_id]
    assert [e.actor_user_id for e in _audit(db, "chronicle.approve")] == [personas["lead_a"].user_id]
    # The incident page shows the state.
    assert "Published in the chronicle" in web.get(f"/beratung/meldungen/{incident_id}").text


def test_withdrawal_removes_the_entry_from_page_and_feed_at_once_and_is_audited(web, lead_web, personas, centres, db,
                                                                               crypto):
    entry = _approved_entry(db, crypto, personas)
    assert SUMMARY in _public(web)[0]
    refused = lead_web.submit(f"/beratung/chronik/{entry.id}/zurueckziehen", {"reason": ""})
    assert refused.status_code == 422 and "Please choose a reason" in refused.text
    done = lead_web.submit(f"/beratung/chronik/{entry.id}/zurueckziehen", {"reason": "consent_withdrawn"})
    assert done.status_code == 303
    page, feed = _public(web)
    assert SUMMARY not in page and SUMMARY not in feed and entry.id not in feed
    assert web.get(f"/chronik/{entry.id}").status_code == 404
    events = _audit(db, "chronicle.withdraw")
    assert [(e.object_id, e.actor_user_id, e.organisation_id) for e in events] == [
        (entry.id, personas["lead_a"].user_id, personas["lead_a"].organisation_id)]
    db.expire_all()
    assert db.get(ChronicleEntry, entry.id).withdrawal_reason == "consent_withdrawn"


def _approved_entry(db, crypto, personas, *, summary: str = SUMMARY, **incident) -> ChronicleEntry:
    incident_id = _incident(db, crypto, **incident)
    now = utcnow()
    entry = chronicle.propose_entry(db, personas["counsellor_a"].actor, incident_id, summary=summary,
                                    date_shown="day", place_shown="district", now=now)
    chronicle.approve_entry(db, personas["lead_a"].actor, entry.id, checks=ALL_CHECKS, now=now)
    db.commit()
    return entry


def test_refused_proposal_keeps_the_entered_text(web, personas, centres, db, crypto):
    incident_id = _incident(db, crypto, day="", month="10")  # only the month is known
    web.login(personas["counsellor_a"])
    form = web.get(f"/beratung/meldungen/{incident_id}/chronik")
    assert 'id="field-date_shown-month"' in form.text and 'id="field-date_shown-day"' not in form.text
    assert "Write the summary fresh" in form.text
    refused = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                         {"public_summary": "Zu kurz & <knapp>", "date_shown": "day", "place_shown": "district"})
    assert refused.status_code == 422
    assert "Zu kurz &amp; &lt;knapp&gt;" in refused.text
    assert "at least two sentences" in text_of(refused.text) and "show the month" in text_of(refused.text)
    assert 'aria-invalid="true"' in refused.text
    long_text = "Wort " * 400
    too_long = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                          {"public_summary": long_text, "date_shown": "month", "place_shown": "withheld"})
    assert too_long.status_code == 422 and "at most 1500 characters" in too_long.text
    assert 'value="withheld" checked' in too_long.text
    assert db.exec(select(ChronicleEntry)).all() == []


def test_a_summary_copied_from_the_report_is_refused(web, personas, centres, db, crypto):
    incident_id = _incident(db, crypto)
    web.login(personas["counsellor_a"])
    copied = "Zusammenfassung: " + FULL_REPORT["description"]
    refused = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                         {"public_summary": copied, "date_shown": "day", "place_shown": "district"})
    assert refused.status_code == 422 and "word for word" in refused.text
    assert chronicle.copied_passage(SUMMARY, FULL_REPORT["description"]) is False


def test_only_counted_incidents_can_be_proposed(web, personas, centres, db, crypto):
    for verification in ("unverified", "not_verifiable", "spam"):
        incident_id = _incident(db, crypto, verification=verification)
        with pytest.raises(ValidationFailed) as refused:
            chronicle.propose_entry(db, personas["counsellor_a"].actor, incident_id, summary=SUMMARY,
                                    date_shown="day", place_shown="district", now=utcnow())
        assert refused.value.errors["verification"] == "chronicle_not_counted"
    web.login(personas["counsellor_a"])
    response = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                          {"public_summary": SUMMARY, "date_shown": "day", "place_shown": "district"})
    assert response.status_code == 422 and "triage first" in response.text
    assert db.exec(select(ChronicleEntry)).all() == []


def test_a_re_triaged_incident_drops_out_of_the_chronicle(web, personas, centres, db, crypto):
    entry = _approved_entry(db, crypto, personas)
    assert chronicle.count_published(db, 2026) == 1
    incident = db.get(Incident, entry.incident_id)
    incident.verification = "spam"
    db.add(incident)
    db.commit()
    assert SUMMARY not in _public(web)[0] and chronicle.count_published(db, 2026) == 0


@pytest.mark.parametrize("persona_key", ["counsellor_b", "coordinator", "strategy_member", "admin"])
def test_outsiders_get_404(persona_key, web, personas, centres, db, crypto):
    for key in ("coordinator", "strategy_member", "admin"):
        personas[key]
    entry = _approved_entry(db, crypto, personas)
    pending_incident = _incident(db, crypto)
    pending = chronicle.propose_entry(db, personas["counsellor_a"].actor, pending_incident, summary=SUMMARY,
                                      date_shown="day", place_shown="district", now=utcnow())
    db.commit()
    web.login(personas[persona_key])
    for path in (f"/beratung/meldungen/{pending_incident}/chronik", f"/beratung/chronik/{pending.id}",
                 f"/beratung/chronik/{entry.id}", "/beratung/chronik/%00", "/beratung/chronik/0000000000000000"):
        assert web.get(path).status_code == 404, path
    for path, data in ((f"/beratung/chronik/{pending.id}/freigeben", {"checks": ALL_CHECKS}),
                       (f"/beratung/chronik/{pending.id}/zurueckgeben", {"reasons": ["wording"]}),
                       (f"/beratung/chronik/{entry.id}/zurueckziehen", {"reason": "other"}),
                       (f"/beratung/meldungen/{pending_incident}/chronik",
                        {"public_summary": SUMMARY, "date_shown": "day", "place_shown": "district"})):
        assert web.submit(path, data).status_code == 404, path
    db.expire_all()
    assert (db.get(ChronicleEntry, pending.id).state, db.get(ChronicleEntry, entry.id).state) == (
        "pending_review", "approved")
    if persona_key == "counsellor_b":  # the own (empty) queue of centre B shows nothing of centre A
        queue = web.get("/beratung/chronik")
        assert queue.status_code == 200 and pending.id not in queue.text and entry.id not in queue.text
    else:
        assert web.get("/beratung/chronik").status_code == 404
    with pytest.raises(NotFound):
        chronicle.withdraw_entry(db, personas[persona_key].actor, entry.id, reason="other", now=utcnow())


def test_return_for_changes_then_revise_and_approve(personas, centres, db, crypto):
    incident_id = _incident(db, crypto)
    counsellor, lead, now = personas["counsellor_a"].actor, personas["lead_a"].actor, utcnow()
    entry = chronicle.propose_entry(db, counsellor, incident_id, summary=SUMMARY, date_shown="day",
                                    place_shown="district", now=now)
    with pytest.raises(PermissionDenied):
        chronicle.return_entry(db, counsellor, entry.id, reasons=["wording"], now=now)
    with pytest.raises(ValidationFailed):
        chronicle.return_entry(db, lead, entry.id, reasons=[], now=now)
    chronicle.return_entry(db, lead, entry.id, reasons=["no_exact_place_time", "wording"], now=now)
    assert entry.state == "internal_only" and entry.return_reasons == "no_exact_place_time wording"
    with pytest.raises(ValidationFailed):  # nothing to approve while it is back with the author
        chronicle.approve_entry(db, lead, entry.id, checks=ALL_CHECKS, now=now)
    revised = chronicle.propose_entry(db, counsellor, incident_id, summary=SUMMARY + " Die Polizei wurde gerufen.",
                                      date_shown="month", place_shown="withheld", now=now)
    assert revised.id == entry.id and revised.state == "pending_review" and revised.district is None
    assert revised.shown_on == date(2026, 10, 1)
    with pytest.raises(ValidationFailed) as twice:
        chronicle.propose_entry(db, counsellor, incident_id, summary=SUMMARY, date_shown="day",
                                place_shown="district", now=now)
    assert twice.value.errors["entry"] == "chronicle_exists"
    chronicle.approve_entry(db, lead, entry.id, checks=ALL_CHECKS, now=now)
    db.commit()
    [shown] = chronicle.published_entries(db, filters=chronicle.ChronicleFilters(), today=now.date()).entries
    assert (shown.district, shown.date_shown, shown.incident_type, shown.motive) == (
        None, "month", "physical_attack", "racism")
    assert {e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.object_type == "chronicle_entry")).all()} == {"chronicle.propose", "chronicle.return",
                                                                  "chronicle.approve"}


def test_public_record_holds_only_fresh_text_and_codes(web, personas, centres, db, crypto):
    entry = _approved_entry(db, crypto, personas)
    page = web.get("/chronik").text + web.get(f"/chronik/{entry.id}").text + web.get("/chronik/feed.atom").text
    assert FULL_REPORT["description"] not in page
    assert entry.incident_id not in page
    for key in ("counsellor_a", "lead_a"):
        assert personas[key].email not in page and key.replace("_", " ").title() not in page
    public_fields = set(chronicle.PublicEntry.__struct_fields__)
    assert public_fields == {"id", "summary", "shown_on", "date_shown", "district", "district_name",
                             "incident_type", "motive", "verification", "approved_on"}


def test_feed_is_atom_with_stable_tag_ids_and_days_only(web, personas, centres, db, crypto):
    first = _approved_entry(db, crypto, personas)
    second = _approved_entry(db, crypto, personas, summary=SUMMARY.replace("Frau", "Familie"), day="5")
    response = web.get("/chronik/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/chronik/feed.atom")
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [f"tag:127.0.0.1,2026:vorort/chronik/{second.id}",
                   f"tag:127.0.0.1,2026:vorort/chronik/{first.id}"]
    assert len(entries) == 2 and len(set(ids)) == 2
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}content").get("type") == "text"
        assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"physical_attack", "racism"}
    again = ET.fromstring(web.get("/chronik/feed.atom").content)
    assert ids == [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")]  # stable across requests


def test_filters_and_pages(personas, centres, db, crypto):
    today = utcnow().date()
    made = []
    for n in range(23):
        district = ["altstadt", "hafen"][n % 2]
        made.append(_approved_entry(db, crypto, personas, district=district, day=str(1 + n % 28),
                                    summary=f"{SUMMARY} Eintrag {n}."))
    hafen = chronicle.published_entries(db, filters=chronicle.ChronicleFilters(district="hafen"), today=today)
    assert hafen.total == 11 and {e.district_name for e in hafen.entries} == {"Hafen"}
    first = chronicle.published_entries(db, filters=chronicle.ChronicleFilters(), today=today)
    second = chronicle.published_entries(db, filters=chronicle.ChronicleFilters(page=2), today=today)
    assert (first.total, first.pages, len(first.entries), len(second.entries)) == (23, 2, 20, 3)
    assert [e.shown_on for e in first.entries] == sorted((e.shown_on for e in first.entries), reverse=True)
    assert not {e.id for e in first.entries} & {e.id for e in second.entries}
    assert chronicle.published_entries(db, filters=chronicle.ChronicleFilters(year=2025), today=today).total == 0
    assert chronicle.published_entries(db, filters=chronicle.ChronicleFilters(motive="antisemitism"),
                                       today=today).total == 0
    assert chronicle.published_entries(db, filters=chronicle.ChronicleFilters(incident_type="physical_attack"),
                                       today=today).total == 23
    assert chronicle.count_published(db, 2026) == 23 and chronicle.count_published(db, 2025) == 0
    assert 2026 in first.years


def test_public_page_filters_and_paginates_without_javascript(web, personas, centres, db, crypto):
    for n in range(21):
        _approved_entry(db, crypto, personas, district=["altstadt", "hafen"][n % 2], summary=f"{SUMMARY} Nr. {n}.")
    page = web.get("/chronik")
    assert '<form method="get" action="/chronik"' in page.text and "21 entries" in page.text
    assert 'href="/chronik?page=2"' in page.text
    filtered = web.get("/chronik?district=hafen&year=2026&page=x&type=nonsense")
    assert filtered.status_code == 200 and "10 entries" in filtered.text
    assert '<option value="hafen" selected>' in filtered.text
    for odd in ("year=99999", "year=0", "page=99999999999999999999", "district=%00", "year=-1"):
        assert web.get(f"/chronik?{odd}").status_code == 200, odd
    assert web.get("/chronik/%00").status_code == 404


def test_chronicle_is_absent_unless_switched_on(client, personas, centres, db, crypto):
    entry = _approved_entry(db, crypto, personas)
    for path in ("/chronik", "/chronik/feed.atom", f"/chronik/{entry.id}"):
        assert client.get(path).status_code == 404
    assert 'href="/chronik"' not in client.get("/").text


def test_summary_is_cleaned_of_control_characters():
    dirty = "Ein\u202eVorfall\x07 am\tMarkt.\r\n\r\n\r\n\r\nZweiter   Absatz.\x00"
    assert chronicle.clean_summary(dirty) == "EinVorfall am Markt.\n\nZweiter Absatz."


def test_only_the_day_or_month_the_report_knows_can_be_shown(personas, centres, db, crypto):
    unknown = _incident(db, crypto, day="", month="", year="")
    with pytest.raises(ValidationFailed) as refused:
        chronicle.propose_entry(db, personas["counsellor_a"].actor, unknown, summary=SUMMARY, date_shown="month",
                                place_shown="withheld", now=utcnow())
    assert refused.value.errors == {"date_shown": "chronicle_date_unknown"}
    no_district = _incident(db, crypto, district="")
    with pytest.raises(ValidationFailed) as refused:
        chronicle.propose_entry(db, personas["counsellor_a"].actor, no_district, summary=SUMMARY, date_shown="day",
                                place_shown="district", now=utcnow())
    assert refused.value.errors == {"place_shown": "chronicle_no_district"}


def test_a_partner_centre_reading_a_shared_report_cannot_publish_it(web, chronicle_app, personas, centres, db,
                                                                     crypto):
    incident_id = _incident(db, crypto)
    web.login(personas["counsellor_a"])
    case_path = web.submit(f"/beratung/meldungen/{incident_id}/fall").headers["location"]
    web.submit(f"{case_path}/eintrag", {"kind": "consent", "code": "share_with_partner"})
    assert web.submit(f"{case_path}/teilen", {"partner": str(personas["counsellor_b"].organisation_id)}
                      ).status_code == 303
    with WebClient(chronicle_app) as partner:
        partner.login(personas["counsellor_b"])
        incident_page = partner.get(f"/beratung/meldungen/{incident_id}")
        assert incident_page.status_code == 200
        assert f"/beratung/meldungen/{incident_id}/chronik" not in incident_page.text
        assert partner.get(f"/beratung/meldungen/{incident_id}/chronik").status_code == 404
        assert partner.submit(f"/beratung/meldungen/{incident_id}/chronik", {
            "public_summary": SUMMARY, "date_shown": "day", "place_shown": "district"}).status_code == 404
    assert db.exec(select(ChronicleEntry)).all() == []


def test_hostile_summaries_are_escaped_on_the_page_and_in_the_feed(web, personas, centres, db, crypto):
    from tests.test_hostile_input import DANGEROUS, HOSTILE
    incident_id = _incident(db, crypto)
    web.login(personas["counsellor_a"])
    for payload in HOSTILE:
        summary = f"Ein Vorfall in einem Geschäft wurde gemeldet. {payload}"
        response = web.submit(f"/beratung/meldungen/{incident_id}/chronik",
                              {"public_summary": summary, "date_shown": "day", "place_shown": "district"})
        assert response.status_code in {303, 422}, (payload, response.status_code)
        entry = db.exec(select(ChronicleEntry).where(ChronicleEntry.state == "pending_review")).first()
        if entry is None:
            continue
        chronicle.approve_entry(db, personas["lead_a"].actor, entry.id, checks=ALL_CHECKS, now=utcnow())
        db.commit()
        page, feed = web.get("/chronik").text, web.get("/chronik/feed.atom").content
        ET.fromstring(feed)
        assert not any(marker in entry.summary and entry.summary in page for marker in DANGEROUS), payload
        chronicle.withdraw_entry(db, personas["lead_a"].actor, entry.id, reason="other", now=utcnow())
        db.commit()
