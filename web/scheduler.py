"""The one scheduler process: periodic housekeeping jobs (APScheduler 3)."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from core.clock import utcnow
from core.db import make_engine, session_scope
from core.jobs import claim, finish
from core.sessions import purge_expired_sessions
from reporting.retention import purge
from web.settings import Settings

log = logging.getLogger("vorort.scheduler")


def purge_sessions_job(engine: Engine, settings: Settings) -> int:
    """Delete timed-out staff sessions; running it twice deletes nothing more."""
    with session_scope(engine) as session:
        removed = purge_expired_sessions(session, now=utcnow(),
                                         idle=timedelta(minutes=settings.session_idle_minutes),
                                         absolute=timedelta(hours=settings.session_absolute_hours))
    log.info("purged %d expired sessions", removed)
    return removed


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


def build_scheduler(settings: Settings, engine: Engine) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(purge_sessions_job, "interval", minutes=15, args=[engine, settings],
                      id="purge_sessions", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(retention_job, "cron", hour=3, minute=17, args=[engine, settings], id="retention",
                      coalesce=True, max_instances=1, replace_existing=True)
    return scheduler


def run_scheduler(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO)
    build_scheduler(settings, make_engine(settings.database_url)).start()
