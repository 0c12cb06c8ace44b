"""One active scheduler, and every job once per period even when two start at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlmodel import select

from core.audit import AuditEvent
from core.clock import utcnow
from core.jobs import JobRun
from tests.live_server import TEST_ENV


def test_second_scheduler_stands_by_while_the_first_holds_the_lock(settings, engine, db):
    from web.scheduler import Leadership
    first, second = Leadership(engine, settings), Leadership(engine, settings)
    assert first.try_acquire()
    try:
        assert not second.try_acquire()
    finally:
        first.release()
    assert second.try_acquire()
    second.release()


def test_two_schedulers_started_at_once_run_each_job_once(settings, engine, db, crypto, personas):
    from reporting.intake import intake_context, parse_report, submit_report
    from reporting.models import Incident
    from tests.intake_flow import FULL_REPORT
    from tests.personas import add_districts, establish_centres
    add_districts(db)
    establish_centres(db, crypto, personas)
    values = {k: v if isinstance(v, list) else [v] for k, v in {**FULL_REPORT, "year": "2019"}.items()}
    old_day = utcnow().date() - timedelta(days=200)
    report = parse_report(values, intake_context(db, today=old_day))
    stale = submit_report(db, report, [], tag_key=b"t" * 32, params=crypto.argon2, today=old_day)
    db.commit()
    env = {**os.environ, **TEST_ENV, "VORORT_DATABASE_URL": settings.database_url,
           "VORORT_SECRET_KEY_FILE": str(settings.secret_key_file)}
    env.pop("VORORT_TEST_DATABASE_URL", None)
    command = [sys.executable, "-m", "web.cli", "scheduler", "--once"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    db.expire_all()
    ledger = db.exec(select(JobRun)).all()
    assert sorted(run.job for run in ledger) == ["digest-daily", "digest-weekly", "housekeeping", "mail",
                                                 "reminders", "retention", "statistics"]
    deletions = [e for e in db.exec(select(AuditEvent)).all() if e.action == "retention.delete_unverified"]
    assert [e.object_id for e in deletions] == [stale.incident_id]
    assert db.get(Incident, stale.incident_id) is None


def test_admins_see_the_last_run_of_each_job(client, personas, engine, settings, db):
    from core.actors import SYSTEM
    from core.deployment import complete_setup
    from web.scheduler import retention_job
    complete_setup(db, SYSTEM, now=utcnow())  # else /admin shows the first-run setup
    db.commit()
    retention_job(engine, settings)
    client.login(personas["admin"])
    page = client.get("/admin", headers={"accept-language": "en"})
    assert "retention" in page.text and "deleted 0 unverified reports" in page.text


def test_the_statistics_job_decides_changed_years_before_anyone_reads_them(settings, engine, db, personas):
    from datetime import date

    from reporting.rollup import StatisticsStale
    from reporting.snapshot import StatisticsSnapshot
    from tests.personas import add_districts
    from tests.statistics_data import add_incident
    from web.scheduler import statistics_job
    add_districts(db)
    centre = personas["counsellor_a"].organisation_id
    last_year = utcnow().year - 1
    for month in (1, 4, 7):
        add_incident(db, centre, on=date(last_year, month, 10), district="hafen")
    from reporting.rollup import rebuild_rollup
    rebuild_rollup(db)
    db.commit()
    assert db.exec(select(StatisticsStale)).all()
    assert statistics_job(engine, settings) == f"figures decided for {last_year}"
    db.expire_all()
    assert db.exec(select(StatisticsStale)).all() == []
    decided = {(s.year, s.audience) for s in db.exec(select(StatisticsSnapshot)).all()}
    assert {(last_year, "staff"), (last_year, "public")} <= decided
    assert statistics_job(engine, settings) == "already ran"
