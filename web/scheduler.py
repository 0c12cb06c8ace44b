"""The one scheduler process: periodic jobs (APScheduler 3), exactly one active instance.

A second `vorort scheduler` started by mistake waits as a standby: on PostgreSQL it cannot take the
advisory lock, on SQLite it cannot lock the file next to the database. Every job also claims its
period in the job ledger, so even two active schedulers would run each job once per period."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.actors import SYSTEM
from core.clock import utcnow
from core.db import is_sqlite, make_engine, session_scope
from core.jobs import claim, finish
from core.sessions import purge_expired_sessions
from reporting.challenges import forget_expired
from reporting.retention import purge
from web.effective_settings import effective_for_job
from web.settings import Settings

log = logging.getLogger("vorort.scheduler")
ADVISORY_LOCK_KEY = 0x766F726F7274  # "vorort"


class Leadership:
    """Holds the single-scheduler lock for as long as the process lives."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._file: Any = None
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        if is_sqlite(self.settings.database_url):
            path = Path(self.settings.database_url.removeprefix("sqlite:///") + ".scheduler.lock")
            handle = path.open("a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            self._file = handle
            return True
        connection = self.engine.connect()
        acquired = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
        connection.commit()  # end the implicit transaction; the session-level lock stays with the connection
        if acquired:
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
        if self._connection is not None:
            # Unlock explicitly: a pooled connection goes back to the pool, not away, and would
            # keep the session-level lock.
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            self._connection.commit()
            self._connection.close()
            self._connection = None


def _period(minutes: int) -> str:
    now = utcnow()
    slot = (now.hour * 60 + now.minute) // minutes
    return f"{now.date().isoformat()}/{minutes}m/{slot}"


def purge_sessions_job(engine: Engine, settings: Settings) -> str:
    """Delete timed-out staff sessions and spent proof-of-work challenges."""
    period = _period(15)
    with session_scope(engine) as session:
        if not claim(session, "housekeeping", period, now=utcnow()):
            return "already ran"
        removed = purge_expired_sessions(session, now=utcnow(),
                                         idle=timedelta(minutes=settings.session_idle_minutes),
                                         absolute=timedelta(hours=settings.session_absolute_hours))
        spent = forget_expired(session, now=utcnow())
        outcome = f"removed {removed} sessions, {spent} spent challenges"
        finish(session, "housekeeping", period, outcome)
    log.info("housekeeping: %s", outcome)
    return outcome


def retention_job(engine: Engine, settings: Settings) -> str:
    """Daily purge of unverified reports and of closed cases' content; once per day at most."""
    now = utcnow()
    period = now.date().isoformat()
    with session_scope(engine) as session:
        if not claim(session, "retention", period, now=now):
            return "already ran"
        result = purge(session, now=now, unverified_days=settings.retention_unverified_days,
                       closed_case_days=settings.retention_closed_case_days)
        outcome = f"deleted {result.unverified_deleted} unverified reports, shredded {result.cases_shredded} cases"
        finish(session, "retention", period, outcome)
    log.info("retention: %s", outcome)
    return outcome


def _deliver(engine: Engine, settings: Settings, now: datetime) -> str:
    from sqlmodel import Session

    from core.mail import deliver_queued
    from web.reminder_mail import smtp_settings
    with Session(engine, expire_on_commit=False) as session:
        result = deliver_queued(session, smtp_settings(settings), now=now)
    return f"sent {result.sent}, failed {result.failed}, waiting {result.waiting}"


def reminders_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Daily: claim the day's reminders per person (mail now, or kept for the digest), then send."""
    from web.reminder_mail import queue_reminders
    now = now or utcnow()
    period = now.date().isoformat()
    with session_scope(engine) as session:
        if not claim(session, "reminders", period, now=now):
            return "already ran"
        result = queue_reminders(session, settings, today=now.date(), now=now)
        outcome = (f"{result.immediate} mails, {result.kept_for_digest} kept for digests, "
                   f"{result.skipped} skipped")
        finish(session, "reminders", period, outcome)
    outcome += "; " + _deliver(engine, settings, now)
    log.info("reminders: %s", outcome)
    return outcome


def _digest_job(frequency_name: str, engine: Engine, settings: Settings, now: datetime | None) -> str:
    from core.notifications import Frequency
    from web.reminder_mail import digest_period, queue_digests
    now = now or utcnow()
    frequency = Frequency(frequency_name)
    period, _since = digest_period(frequency, now.date())
    job = f"digest-{frequency.value}"
    with session_scope(engine) as session:
        if not claim(session, job, period, now=now):
            return "already ran"
        outcome = f"{queue_digests(session, settings, frequency, today=now.date(), now=now)} digests"
        finish(session, job, period, outcome)
    outcome += "; " + _deliver(engine, settings, now)
    log.info("%s: %s", job, outcome)
    return outcome


def daily_digest_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Every morning: one mail per person who chose a daily digest and has something new."""
    return _digest_job("daily", engine, settings, now)


def weekly_digest_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Mondays: one mail per person with a weekly digest (the default) and something new."""
    return _digest_job("weekly", engine, settings, now)


def mail_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Every five minutes: send what is queued (again after a failure); leases keep two senders apart."""
    now = now or utcnow()
    period = _period(5)
    with session_scope(engine) as session:
        if not claim(session, "mail", period, now=now):
            return "already ran"
    outcome = _deliver(engine, settings, now)
    with session_scope(engine) as session:
        finish(session, "mail", period, outcome)
    return outcome


def situation_report_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Draw the previous year's situation report once that year is published (in January with the default
    delay); once per year, however often it runs."""
    from reporting.open_data import published_years
    from reporting.statistics import Granularity, Period, disclosure_from
    from web.situation_report import build_report, report_pdf
    now = now or utcnow()
    year = now.year - 1
    disclosure = disclosure_from(settings)
    if not Period(Granularity.YEAR, year, 1).published(disclosure.delay_days, now.date()):
        return f"{year} not published yet"
    with session_scope(engine) as session:
        if year not in published_years(session, disclosure, today=now.date()):
            return f"no figures for {year}"
        if not claim(session, "situation-report", str(year), now=now):
            return "already ran"
        report = build_report(session, SYSTEM, disclosure, year, municipality=settings.municipality_name,
                              ags=settings.ags, lang=settings.default_language, today=now.date())
        report_pdf(session, report, now=now)
        outcome = f"situation report {year} generated"
        finish(session, "situation-report", str(year), outcome)
    log.info("situation report: %s", outcome)
    return outcome


def statistics_job(engine: Engine, settings: Settings, *, now: datetime | None = None) -> str:
    """Every five minutes: decide the suppressed figures of years changed by triage or recoding, so that
    no reader of the dashboard waits for the disclosure audit."""
    from reporting.statistics import disclosure_from, prepare_snapshots
    now = now or utcnow()
    period = _period(5)
    with session_scope(engine) as session:
        if not claim(session, "statistics", period, now=now):
            return "already ran"
        years = prepare_snapshots(session, disclosure_from(settings), today=now.date())
        outcome = f"figures decided for {', '.join(map(str, years))}" if years else "figures up to date"
        finish(session, "statistics", period, outcome)
    log.info("statistics: %s", outcome)
    return outcome


@dataclass(frozen=True)
class Job:
    id: str
    function: Callable[[Engine, Settings], str]
    trigger: str
    options: dict[str, int | str]


JOBS = (
    Job("housekeeping", purge_sessions_job, "interval", {"minutes": 15}),
    Job("retention", retention_job, "cron", {"hour": 3, "minute": 17}),
    # Reminders before the digests, so a morning's digest carries that morning's reminders.
    Job("reminders", reminders_job, "cron", {"hour": 5, "minute": 30}),
    Job("digest-daily", daily_digest_job, "cron", {"hour": 6, "minute": 0}),
    Job("digest-weekly", weekly_digest_job, "cron", {"day_of_week": "mon", "hour": 6, "minute": 15}),
    Job("mail", mail_job, "interval", {"minutes": 5}),
    Job("statistics", statistics_job, "interval", {"minutes": 5}),
    # Daily, so a delay longer than January still finds its day; the ledger keeps it to once per year.
    Job("situation-report", situation_report_job, "cron", {"hour": 4, "minute": 41}),
)


def run_job(function: Callable[[Engine, Settings], str], engine: Engine, settings: Settings) -> str:
    """Run a job with the effective settings of this moment: retention periods, mail server and
    languages are stored by administrators (web/effective_settings.py) and may have changed."""
    return function(engine, effective_for_job(engine, settings))


def build_scheduler(settings: Settings, engine: Engine) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        # Interval jobs run once at start, so a fresh scheduler shows up on /admin at once.
        first = {"next_run_time": datetime.now(UTC)} if job.trigger == "interval" else {}
        scheduler.add_job(run_job, job.trigger, args=[job.function, engine, settings], id=job.id, coalesce=True,
                          max_instances=1, replace_existing=True, **job.options, **first)
    return scheduler


def run_scheduler(settings: Settings, *, once: bool = False, standby_poll_seconds: float = 30.0) -> str:
    """Become the one scheduler (waiting as standby while another runs); `once` runs every job now and stops."""
    from logging.config import dictConfig

    from web.logs import logging_dict
    dictConfig(logging_dict(settings.log_json))
    engine = make_engine(settings.database_url)
    leadership = Leadership(engine, settings)
    while not leadership.try_acquire():
        if once:
            log.info("another scheduler is active; standing by")
            return "standby"
        time.sleep(standby_poll_seconds)
    try:
        if once:
            return "; ".join(f"{job.id}: {run_job(job.function, engine, settings)}" for job in JOBS)
        build_scheduler(settings, engine).start()
        return "stopped"
    finally:
        leadership.release()
