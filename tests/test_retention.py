"""Retention with a fixed clock: content and keys go, the coded record and the audit stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.audit import AuditEvent
from core.clock import utcnow
from reporting import cases, retention
from reporting.intake import intake_context, parse_report, submit_report
from reporting.models import Case, Incident, IncidentCode, Message
from tests.intake_flow import FULL_REPORT
from tests.personas import add_districts, establish_centres


@pytest.fixture
def centres(db, crypto, personas):
    personas["counsellor_a"]
    add_districts(db)
    return establish_centres(db, crypto, personas)


def _report(db, crypto, description: str, *, days_ago: int = 0) -> Incident:
    answers = {**FULL_REPORT, "description": description, "year": "2019"}
    values = {k: v if isinstance(v, list) else [v] for k, v in answers.items()}
    today = utcnow().date() - timedelta(days=days_ago)
    report = parse_report(values, intake_context(db, today=today))
    submitted = submit_report(db, report, [], tag_key=b"t" * 32, params=crypto.argon2, today=today)
    db.commit()
    return db.get(Incident, submitted.incident_id)


def _raw(engine) -> bytes:
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_purge_deletes_old_unverified_reports_and_shreds_closed_cases(db, crypto, personas, centres, engine):
    counsellor = personas["counsellor_a"]
    stale = _report(db, crypto, "Ungeprüft Quittenmarmelade", days_ago=120)
    recent = _report(db, crypto, "Frisch Holunderblüte", days_ago=5)
    kept = _report(db, crypto, "Verifiziert Stachelbeere", days_ago=2000)
    kept.verification = "verified"
    db.add(kept)
    case = cases.open_case(db, counsellor.actor, kept, now=utcnow() - timedelta(days=1500))
    cases.set_status(db, counsellor.actor, case.id, status="closed", outcome="apology",
                     now=utcnow() - timedelta(days=1200))
    db.add(Message(incident_id=kept.id, author="reporter", sent_on=utcnow().date(), body_sealed=b"x" * 40))
    db.commit()
    sealed = [stale.description_sealed, kept.description_sealed, kept.key_for_centre]
    result = retention.purge(db, now=utcnow(), unverified_days=90, closed_case_days=1095)
    db.commit()
    assert (result.unverified_deleted, result.cases_shredded) == (1, 1)
    assert db.get(Incident, stale.id) is None
    assert db.exec(select(IncidentCode).where(IncidentCode.incident_id == stale.id)).all() == []
    assert db.get(Incident, recent.id) is not None and db.get(Incident, recent.id).description_sealed
    statistical = db.get(Incident, kept.id)
    assert statistical.description_sealed is None and statistical.key_for_centre == b""
    assert statistical.primary_type == "physical_attack" and statistical.verification == "verified"
    assert db.exec(select(Message).where(Message.incident_id == kept.id)).all() == []
    assert db.get(Case, case.id).content_purged_on == utcnow().date()
    audited = {(e.action, e.object_id) for e in db.exec(select(AuditEvent)).all()}
    assert ("retention.delete_unverified", stale.id) in audited
    assert ("retention.shred", str(case.id)) in audited
    again = retention.purge(db, now=utcnow(), unverified_days=90, closed_case_days=1095)
    assert (again.unverified_deleted, again.cases_shredded) == (0, 0)
    if engine.dialect.name == "sqlite":
        raw = _raw(engine)
        # The sealed text is gone; secure_delete zeroed the freed pages.
        for blob in sealed:
            assert blob[:48] not in raw


def test_retention_job_runs_once_per_day(engine, settings, db, centres, crypto):
    from web.scheduler import retention_job
    _report(db, crypto, "alt", days_ago=200)
    first = retention_job(engine, settings)
    assert first.startswith("deleted 1")
    assert retention_job(engine, settings) == "already ran"


def test_lead_deletes_a_case_content_at_once(client, db, crypto, personas, centres):
    incident = _report(db, crypto, "Sofort löschen Mirabelle")
    lead = personas["lead_a"]
    case = cases.open_case(db, lead.actor, incident, now=utcnow())
    db.commit()
    client.login(personas["counsellor_a"])
    assert client.submit(f"/beratung/faelle/{case.id}/inhalt-loeschen").status_code == 404  # leads only
    client.submit("/abmelden")
    client.login(lead)
    assert client.submit(f"/beratung/faelle/{case.id}/inhalt-loeschen").status_code == 303
    db.expire_all()
    assert db.get(Incident, incident.id).description_sealed is None
    assert client.get(f"/beratung/meldungen/{incident.id}").status_code == 200
    assert client.get(f"/beratung/faelle/{case.id}").status_code == 200
