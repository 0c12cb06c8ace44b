"""The counselling centre's workspace: triage, coding, dialogue, cases, keys and audit."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from core.audit import AuditEvent
from core.clock import utcnow
from reporting.cases import agg_claim_deadline
from reporting.models import Case, CaseEvent, Incident
from tests.intake_flow import FULL_REPORT, receipt_from, send, walk_to_review
from tests.personas import add_districts, establish_centres
from tests.web_client import WebClient


@pytest.fixture
def centres(db, crypto, personas):
    for key in ("counsellor_a", "lead_a", "counsellor_b"):
        personas[key]
    add_districts(db)
    return establish_centres(db, crypto, personas)


@pytest.fixture
def reported(app, centres, db):
    """A resident's report to centre A, with its receipt."""
    with WebClient(app) as resident:
        receipt = receipt_from(send(resident, walk_to_review(resident, FULL_REPORT)).text)
    return db.exec(select(Incident)).one().id, receipt


def test_counsellor_triages_codes_answers_and_documents_a_case(client, app, personas, reported, db):
    incident_id, receipt = reported
    client.login(personas["counsellor_a"])
    inbox = client.get("/beratung")
    assert inbox.status_code == 200 and incident_id in inbox.text
    assert re.search(r'class="badge">1<', inbox.text)  # one report waits
    detail = client.get(f"/beratung/meldungen/{incident_id}")
    assert "In der Bäckerei wurde ich beleidigt" in detail.text
    rejected = client.submit(f"/beratung/meldungen/{incident_id}/sichtung", {"decision": "spam", "note": ""})
    assert rejected.status_code == 422  # a rejection needs a reason
    assert client.submit(f"/beratung/meldungen/{incident_id}/sichtung",
                         {"decision": "verified", "note": "Telefonisch bestätigt"}).status_code == 303
    coding = client.get(f"/beratung/meldungen/{incident_id}/kodierung")
    assert 'value="physical_attack" checked' in coding.text
    recoded = client.submit(f"/beratung/meldungen/{incident_id}/kodierung", {
        "incident_types": ["insult_verbal_abuse", "threat_coercion"], "motives": ["racism", "unknown"],
        "reporter_role": "affected", "district": "altstadt", "year": "2026", "month": "10", "day": "3",
        "life_area": "goods_services", "discrimination_form": "harassment", "discrimination_level": "individual",
        "channel": "web_form"})
    assert recoded.status_code == 303, recoded.text
    db.expire_all()
    incident = db.get(Incident, incident_id)
    assert (incident.verification, incident.primary_type, incident.primary_motive) == (
        "verified", "threat_coercion", "racism")
    assert incident.discrimination_form == "harassment" and incident.taxonomy_version == "2026.1"
    assert client.submit(f"/beratung/meldungen/{incident_id}/antwort",
                         {"message": "Wir sind für Sie da."}).status_code == 303
    with WebClient(app) as resident:
        resident.get("/status")
        view = resident.post("/status", data={"receipt": receipt, "_csrf_token": resident.csrf()})
        assert "Wir sind für Sie da." in view.text
    opened = client.submit(f"/beratung/meldungen/{incident_id}/fall")
    case_path = opened.headers["location"]
    case_id = int(case_path.rsplit("/", 1)[1])
    deadline = db.exec(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "deadline")).one()
    assert deadline.on_date == date(2026, 12, 3)  # two months after 3 October
    assert client.submit(f"{case_path}/eintrag", {"kind": "intervention", "code": "complaint_letter",
                                                  "on_date": "2026-11-20", "text": "Beschwerde an die Filiale"}
                         ).status_code == 303
    assert client.submit(f"{case_path}/eintrag", {"kind": "consent", "code": "anonymised_statistics"}
                         ).status_code == 303
    assert client.submit(f"{case_path}/status", {"status": "closed"}).status_code == 422  # outcome needed
    assert client.submit(f"{case_path}/status", {"status": "closed", "outcome": "apology"}).status_code == 303
    timeline = client.get(case_path)
    assert "Beschwerde an die Filiale" in timeline.text
    db.expire_all()
    case = db.get(Case, case_id)
    assert case.status == "closed" and case.outcome == "apology" and case.closed_at is not None
    consent = db.exec(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "consent")).one()
    assert consent.text_version and consent.at is not None


def test_agg_deadline_is_two_months_and_clamps_to_month_end():
    assert agg_claim_deadline(date(2026, 10, 3)) == date(2026, 12, 3)
    assert agg_claim_deadline(date(2026, 12, 31)) == date(2027, 2, 28)
    assert agg_claim_deadline(date(2027, 12, 31)) == date(2028, 2, 29)


def test_every_read_and_write_is_audited_and_only_the_lead_sees_the_log(client, app, personas, reported, db):
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    client.get(f"/beratung/meldungen/{incident_id}")
    client.submit(f"/beratung/meldungen/{incident_id}/sichtung", {"decision": "plausible"})
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.object_id == incident_id)).all()]
    assert "case.read" in actions and "case.triage.plausible" in actions
    assert client.get("/beratung/protokoll").status_code == 404  # counsellors are not leads
    with WebClient(app) as lead:
        lead.login(personas["lead_a"])
        log = lead.get("/beratung/protokoll")
        assert log.status_code == 200 and "case.triage.plausible" in log.text
    with WebClient(app) as other:
        other.login(personas["counsellor_b"])
        assert other.get("/beratung/protokoll").status_code == 404


def test_new_member_reads_only_after_the_lead_gives_access(client, app, personas, reported, db, crypto):
    from core import accounts
    from core.actors import Role
    incident_id, _receipt = reported
    accounts.create_user(db, crypto, organisation_id=personas["counsellor_a"].organisation_id,
                         email="neu@beratung.example", display_name="Neu", password="a long password here",
                         roles=frozenset({Role.COUNSELLOR}), now=utcnow())
    db.commit()
    newcomer = db.exec(select(accounts.User).where(accounts.User.email == "neu@beratung.example")).one()

    def log_in(web):
        web.submit("/anmelden", {"email": "neu@beratung.example", "password": "a long password here"})
        form = web.get("/anmelden/zweiter-faktor/einrichten").text
        secret = form.split('name="secret" value="')[1].split('"')[0]
        import pyotp
        web.submit("/anmelden/zweiter-faktor/einrichten", {"secret": secret, "code": pyotp.TOTP(secret).now()})

    with WebClient(app) as web:
        log_in(web)
        assert web.get(f"/beratung/meldungen/{incident_id}").status_code == 403  # no key yet
    client.login(personas["lead_a"])
    assert client.submit(f"/beratung/team/{newcomer.id}/zugang").status_code == 303
    with WebClient(app) as web:
        web.submit("/anmelden", {"email": "neu@beratung.example", "password": "a long password here"})
        db.expire_all()
        user = db.get(accounts.User, newcomer.id)
        secret = crypto.unseal_for_server(accounts.TOTP_PURPOSE, user.totp_secret_sealed)
        import pyotp
        web.submit("/anmelden/zweiter-faktor", {"code": pyotp.TOTP(secret).at(utcnow().timestamp() + 30)})
        assert "In der Bäckerei" in web.get(f"/beratung/meldungen/{incident_id}").text
        assert client.submit(f"/beratung/team/{newcomer.id}/entzug").status_code == 303
        assert web.get(f"/beratung/meldungen/{incident_id}").status_code == 403  # access removed


def test_password_change_keeps_access(client, personas, reported):
    incident_id, _receipt = reported
    member = personas["counsellor_a"]
    client.login(member)
    assert client.submit("/konto/passwort", {"current": member.password, "new": "another long password",
                                             "confirm": "another long password"}).status_code == 303
    assert "In der Bäckerei" in client.get(f"/beratung/meldungen/{incident_id}").text
    client.submit("/abmelden")
    client.submit("/anmelden", {"email": member.email, "password": "another long password"})
    client.submit("/anmelden/zweiter-faktor", {"code": member.totp(offset_steps=1)})
    assert "In der Bäckerei" in client.get(f"/beratung/meldungen/{incident_id}").text


def test_lead_recovers_the_centre_key_with_the_recovery_key(client, personas, db, crypto, reported):
    from reporting.centres import establish_centre
    from reporting.models import CentreKeyGrant, ReceivingCentre
    assert reported
    lead = personas["lead_a"]
    # Start over for centre A with a known recovery key: the lead's grant is lost.
    centre = db.get(ReceivingCentre, lead.organisation_id)
    for grant in db.exec(select(CentreKeyGrant)).all():
        db.delete(grant)
    db.flush()
    db.delete(centre)
    db.flush()
    for incident in db.exec(select(Incident)).all():
        db.delete(incident)
    db.commit()
    recovery = establish_centre(db, lead.organisation_id, [], crypto.argon2, now=utcnow(), is_default=True)
    db.commit()
    client.login(lead)
    assert client.get("/beratung/team").status_code == 200
    wrong = client.submit("/beratung/team/wiederherstellung", {"recovery_key": "AAAA-BBBB"})
    assert wrong.status_code == 422
    assert client.submit("/beratung/team/wiederherstellung", {"recovery_key": recovery.lower()}).status_code == 303
    assert db.exec(select(CentreKeyGrant).where(CentreKeyGrant.user_id == lead.user_id)).first() is not None


def test_nothing_readable_at_rest_without_a_member_password(client, personas, reported, db, crypto, settings, engine):
    """With the database and the server's key file, but no password: no note, no description."""
    if engine.dialect.name != "sqlite":
        pytest.skip("reads the SQLite file; the PostgreSQL pass checks PostgreSQL")
    from pathlib import Path

    from core.crypto import derive_key, unseal
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    client.submit(f"/beratung/meldungen/{incident_id}/sichtung", {"decision": "spam",
                                                                 "note": "Geheimnotiz Zwetschgenkuchen"})
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    for secret_text in ("Zwetschgenkuchen", "Bäckerei", "beleidigt"):
        assert secret_text.encode() not in raw
    incident = db.get(Incident, incident_id)
    server_secret = settings.secret_key_file.read_bytes()
    for purpose in ("receipt-tag", "proof-of-work", "csrf", "totp-secret", "session-member-key"):
        key = derive_key(server_secret, purpose)
        for sealed in (incident.description_sealed, incident.triage_note_sealed, incident.key_for_centre[32:]):
            with pytest.raises(Exception):  # noqa: B017 - any failure to decrypt is the point
                unseal(key, sealed)


def test_counsellor_records_a_phone_report_with_a_receipt(client, personas, centres, db):
    client.login(personas["counsellor_b"])
    form = client.get("/beratung/neu")
    assert form.status_code == 200
    missing = client.submit("/beratung/neu", {"channel": "phone", "reporter_role": "affected"})
    assert missing.status_code == 422
    done = client.submit("/beratung/neu", {"channel": "phone", "incident_types": ["discrimination"],
                                           "reporter_role": "witness", "description": "Anruf: Wohnung verweigert",
                                           "with_receipt": "yes"})
    assert done.status_code == 200
    assert re.search(r"\d{4} \d{4} \d{4} \d{4}", done.text)
    incident = db.exec(select(Incident).where(Incident.channel == "phone")).one()
    assert incident.centre_id == personas["counsellor_b"].organisation_id
    assert incident.recorded_by_user_id == personas["counsellor_b"].user_id and incident.receipt_tag


def test_centre_figures_and_exports_hold_only_codes_unless_the_lead_chooses(client, app, personas, reported, db):
    import csv
    import io

    from openpyxl import load_workbook
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    client.submit(f"/beratung/meldungen/{incident_id}/sichtung", {"decision": "verified"})
    figures = client.get("/beratung/statistik")
    assert (figures.status_code == 200 and "Rassismus" in figures.text) or "Racism" in figures.text
    assert client.submit("/beratung/export", {"format": "csv", "with_descriptions": "yes"}).status_code == 404
    exported = client.submit("/beratung/export", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["primary_type"] == "physical_attack" and "description" not in rows[0]
    assert "Bäckerei" not in exported.text
    xlsx = client.submit("/beratung/export", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == ["id", "received_on", "taxonomy_version"]
    with WebClient(app) as lead:
        lead.login(personas["lead_a"])
        with_text = lead.submit("/beratung/export", {"format": "csv", "with_descriptions": "yes"})
        assert "In der Bäckerei" in with_text.content.decode("utf-8-sig")
    actions = {e.action for e in db.exec(select(AuditEvent)).all()}
    assert {"centre.export", "centre.export_text"} <= actions


def test_spreadsheet_import_is_all_or_nothing_with_row_errors(client, personas, centres, db):
    import io

    from openpyxl import Workbook
    bad = ("Datum;Art;Motiv;Stadtteil;Meldeweg;Rolle\n"
           "14.03.2025;insult_verbal_abuse;racism;altstadt;phone;affected\n"
           "31.02.2025;discrimination;racism;altstadt;phone;affected\n"
           "2025-05;no_such_type;racism;mond;phone;affected\n")
    mapping = {"map_incident_date": "Datum", "map_incident_types": "Art", "map_motives": "Motiv",
               "map_district": "Stadtteil", "map_channel": "Meldeweg", "map_reporter_role": "Rolle"}
    client.login(personas["counsellor_a"])
    upload = client.post("/beratung/import", data={"_csrf_token": client.csrf()},
                         files={"file": ("alt.csv", bad.encode(), "text/csv")})
    assert upload.status_code == 422  # nothing maps by itself, and rows fail
    data = upload.text.split('name="data" value="')[1].split('"')[0]
    checked = client.submit("/beratung/import/bestaetigen", {"data": data, "filename": "alt.csv", **mapping,
                                                             "go": "check"})
    assert checked.status_code == 422
    assert "2 rows have errors" in checked.text or "2 Zeilen" in checked.text
    forced = client.submit("/beratung/import/bestaetigen", {"data": data, "filename": "alt.csv", **mapping,
                                                            "go": "import"})
    assert forced.status_code == 422
    assert db.exec(select(Incident)).all() == []
    book = Workbook()
    sheet = book.active
    sheet.append(["Datum", "Art", "Motiv", "Stadtteil", "Meldeweg", "Rolle", "verification"])
    sheet.append([date(2025, 3, 14), "insult_verbal_abuse", "racism", "altstadt", "phone", "affected", "verified"])
    sheet.append(["02/2025", "discrimination;threat_coercion", "antisemitism", "hafen", "email", "witness", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = client.post("/beratung/import", data={"_csrf_token": client.csrf()},
                         files={"file": ("alt.xlsx", buffer.getvalue(), "application/octet-stream")})
    data = upload.text.split('name="data" value="')[1].split('"')[0]
    done = client.submit("/beratung/import/bestaetigen", {"data": data, "filename": "alt.xlsx", **mapping,
                                                          "map_verification": "verification", "go": "import"})
    assert done.status_code == 303, done.text
    imported = db.exec(select(Incident).order_by(Incident.incident_date)).all()
    assert len(imported) == 2
    assert imported[0].date_precision == "month" and imported[0].primary_type == "threat_coercion"
    assert imported[1].verification == "verified" and str(imported[1].incident_date) == "2025-03-14"


def test_handover_needs_consent_and_then_only_the_other_centre_reads(client, app, personas, reported, db):
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    case_path = client.submit(f"/beratung/meldungen/{incident_id}/fall").headers["location"]
    target = str(personas["counsellor_b"].organisation_id)
    refused = client.submit(f"{case_path}/uebergabe", {"target": target})
    assert refused.status_code == 422
    client.submit(f"{case_path}/eintrag", {"kind": "consent", "code": "share_with_partner"})
    assert client.submit(f"{case_path}/uebergabe", {"target": target}).status_code == 303
    assert client.get(case_path).status_code == 404
    assert client.get(f"/beratung/meldungen/{incident_id}").status_code == 404
    with WebClient(app) as other:
        other.login(personas["counsellor_b"])
        assert "In der Bäckerei" in other.get(f"/beratung/meldungen/{incident_id}").text
        assert other.get(case_path).status_code == 200


def test_only_verified_and_plausible_reports_count_in_the_centre_figures(db, crypto, personas, centres):
    from reporting.centre_figures import centre_figures
    from reporting.intake import intake_context, parse_report, submit_report
    values = {k: v if isinstance(v, list) else [v] for k, v in FULL_REPORT.items()}
    report = parse_report(values, intake_context(db, today=utcnow().date()))
    made = []
    for verification in ("unverified", "verified", "plausible", "not_verifiable", "spam", "duplicate",
                         "out_of_scope"):
        submitted = submit_report(db, report, [], tag_key=b"t" * 32, params=crypto.argon2, today=utcnow().date())
        incident = db.get(Incident, submitted.incident_id)
        incident.verification = verification
        db.add(incident)
        made.append(incident)
    db.commit()
    figures = centre_figures(db, personas["counsellor_a"].actor)
    assert sum(figures.by_year["primary_motive"][2026].values()) == 2


def test_sharing_needs_consent_lets_the_partner_read_and_document_but_not_decide(client, app, personas, reported,
                                                                                  db):
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    case_path = client.submit(f"/beratung/meldungen/{incident_id}/fall").headers["location"]
    partner = str(personas["counsellor_b"].organisation_id)
    assert client.submit(f"{case_path}/teilen", {"partner": partner}).status_code == 422  # no consent yet
    client.submit(f"{case_path}/eintrag", {"kind": "consent", "code": "share_with_partner"})
    assert client.submit(f"{case_path}/teilen", {"partner": partner}).status_code == 303
    with WebClient(app) as other:
        other.login(personas["counsellor_b"])
        assert case_path in other.get("/beratung").text
        assert other.get(case_path).status_code == 200
        assert "In der Bäckerei" in other.get(f"/beratung/meldungen/{incident_id}").text
        assert other.submit(f"{case_path}/eintrag", {"kind": "note", "text": "Gemeinsame Beratung"}
                            ).status_code == 303
        assert other.submit(f"{case_path}/status", {"status": "closed", "outcome": "apology"}).status_code == 404
        assert other.submit(f"/beratung/meldungen/{incident_id}/antwort", {"message": "x"}).status_code == 404
        assert other.submit(f"/beratung/meldungen/{incident_id}/sichtung", {"decision": "spam",
                                                                             "note": "x"}).status_code == 404
        assert "Gemeinsame Beratung" in client.get(case_path).text
        assert client.submit(f"{case_path}/teilen-beenden/{partner}").status_code == 303
        assert other.get(case_path).status_code == 404
        assert other.get(f"/beratung/meldungen/{incident_id}").status_code == 404


def test_inbox_any_time_filter_and_confirmations_show(client, personas, reported):
    incident_id, _receipt = reported
    client.login(personas["counsellor_a"])
    assert client.get("/beratung?verification=&older_than=").status_code == 200
    client.cookies.set("lang", "en", domain="testserver.local")
    shown = client.get(f"/beratung/meldungen/{incident_id}?notice=triaged")
    assert 'class="notice" role="status">The triage decision is saved.' in shown.text


def test_deadlines_due_this_week_remind_in_the_inbox_until_done(client, personas, db, crypto, centres):
    from datetime import timedelta

    from reporting import cases
    from reporting.intake import intake_context, parse_report, submit_report
    today = utcnow().date()
    soon = today - timedelta(days=55)  # the AGG period of an incident 55 days ago ends in about 5 days
    values = {k: v if isinstance(v, list) else [v] for k, v in {
        **FULL_REPORT, "year": str(soon.year), "month": str(soon.month), "day": str(soon.day)}.items()}
    report = parse_report(values, intake_context(db, today=today))
    submitted = submit_report(db, report, [], tag_key=b"t" * 32, params=crypto.argon2, today=today)
    incident = db.get(Incident, submitted.incident_id)
    incident.verification = "verified"
    case = cases.open_case(db, personas["counsellor_a"].actor, incident, now=utcnow())
    db.commit()
    client.login(personas["counsellor_a"])
    inbox = client.get("/beratung")
    reminders = inbox.text.split('id="deadlines-heading"')[1].split("</section>")[0]
    assert f'/beratung/faelle/{case.id}">' in reminders
    assert re.search(r'class="badge">1<', inbox.text)  # the deadline counts in the navigation
    deadline = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "deadline")).one()
    assert client.submit(f"/beratung/faelle/{case.id}/frist/{deadline.id}/erledigt").status_code == 303
    assert 'id="deadlines-heading"' not in client.get("/beratung").text
