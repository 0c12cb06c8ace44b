"""A ledger of job runs keyed by (job, period): running a job twice for a period does nothing."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"

    job: str = Field(primary_key=True, max_length=60)
    period: str = Field(primary_key=True, max_length=40)
    started_at: datetime
    outcome: str = Field(default="", max_length=200)


def claim(session: Session, job: str, period: str, *, now: datetime) -> bool:
    """True for the first caller of (job, period); the claim commits with the job's own work."""
    try:
        with session.begin_nested():
            session.add(JobRun(job=job, period=period, started_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def finish(session: Session, job: str, period: str, outcome: str) -> None:
    run = session.get(JobRun, (job, period))
    if run is not None:
        run.outcome = outcome[:200]
        session.add(run)


def last_runs(session: Session) -> list[JobRun]:
    """The latest run of every job, for the administrators' overview."""
    from sqlmodel import col, select
    latest: dict[str, JobRun] = {}
    for run in session.exec(select(JobRun).order_by(col(JobRun.started_at))).all():
        latest[run.job] = run
    return sorted(latest.values(), key=lambda run: run.job)
