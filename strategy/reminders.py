"""Which reminders are due on a given day, and for whom: pure selection, `today` is a parameter.

Rules (each reminder has a stage; its key names the object, the date it is about and the stage, so a
changed due date re-arms it and a stage is never told twice):
- milestone or measure end due: 7 days before, then 1 day before;
- overdue: 1 day after, 7 days after, then every 30 days (37, 67, ...) until done;
- a running measure without a progress update for N days: at N days, then every N days;
- funding deadlines (application, end of funding, report on the use of funds): 7 and 1 days before;
- values of manual indicators: a period's value is due INDICATOR_GRACE_DAYS after the period ends; 7 and
  1 days before, then 1 and 7 days after (later the next period's reminders take over). Indicators of a
  measure remind its holders and the coordinators; indicators of a goal remind the coordinators.
A stage holds until the next one starts ("due in 7 days" is told on day 7, or on day 5 if the job did
not run before), so a scheduler that was down for a few days catches up with one reminder, not several.
Recipients: active members of the organisations holding an active role on the measure, and the
coordinators."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from core.accounts import User, UserRole
from core.actors import Role
from reporting.statistics import Granularity, Period
from strategy.models import Measure, MeasureRole, Milestone, Plan, ProgressUpdate
from strategy.workflow import CLOSED, RUNNING

INDICATOR_GRACE_DAYS = 30
FUNDING_DEADLINES = ("funding_application_due", "funding_ends_on", "funding_report_due")


@dataclass(frozen=True)
class Reminder:
    kind: str  # milestone_due, milestone_overdue, measure_due, measure_overdue, measure_stale, funding_due, ...
    stage: str  # "7", "1", "overdue-1", "overdue-7", "overdue-37", "stale-90", ...
    key: str  # without the person; `key_for(user_id)` is what is claimed
    plan_id: int
    plan_title: str
    measure_id: int
    measure_title: str
    item_title: str  # the milestone's title, the funding deadline's name, the indicator's title, or ""
    on: date  # the due date, or the day of the last update for stale measures
    days: int  # days until `on` (negative: overdue), or days since the last update
    recipients: frozenset[int]
    path: str = ""  # the page to open; "" means the measure's page

    def key_for(self, user_id: int) -> str:
        return f"{self.key}:{user_id}"

    def payload(self) -> dict[str, Any]:
        return {"kind": self.kind, "stage": self.stage, "plan_id": self.plan_id, "plan_title": self.plan_title,
                "measure_id": self.measure_id, "measure_title": self.measure_title,
                "item_title": self.item_title, "on": self.on.isoformat(), "days": self.days,
                "path": self.path or f"/plan/massnahmen/{self.measure_id}"}


def ahead_stage(days_until: int) -> str | None:
    """The stage of a deadline `days_until` days away: "7" for 2..7 days, "1" for 0..1, else None."""
    if 2 <= days_until <= 7:
        return "7"
    if 0 <= days_until <= 1:
        return "1"
    return None


def overdue_stage(days_past: int) -> str | None:
    """1..6 days late: "overdue-1"; 7..36: "overdue-7"; then a new stage every 30 days (37, 67, ...)."""
    if days_past < 1:
        return None
    if days_past < 7:
        return "overdue-1"
    return f"overdue-{7 + 30 * ((days_past - 7) // 30)}"


def deadline_stage(days_until: int) -> str | None:
    return ahead_stage(days_until) if days_until >= 0 else overdue_stage(-days_until)


def stale_stage(days_since: int, stale_days: int) -> str | None:
    if stale_days <= 0 or days_since < stale_days:
        return None
    return f"stale-{stale_days * (days_since // stale_days)}"


def recipients_by_measure(session: Session, measure_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Active members of organisations with an active role on each measure, plus every coordinator."""
    ids = list(set(measure_ids))
    if not ids:
        return {}
    coordinators = coordinator_ids(session)
    members: dict[int, set[int]] = defaultdict(set)
    for measure_id, user_id in session.exec(
            select(MeasureRole.measure_id, User.id)
            .join(User, col(User.organisation_id) == MeasureRole.organisation_id)
            .where(col(MeasureRole.measure_id).in_(ids), MeasureRole.state == "active",
                   col(User.is_active).is_(True))).all():
        if user_id is not None:
            members[measure_id].add(user_id)
    return {measure_id: frozenset(members[measure_id] | coordinators) for measure_id in ids}


def coordinator_ids(session: Session) -> frozenset[int]:
    rows = session.exec(select(User.id).join(UserRole, col(UserRole.user_id) == User.id)
                        .where(UserRole.role == Role.COORDINATOR.value, col(User.is_active).is_(True))).all()
    return frozenset(r for r in rows if r is not None)


def _reminder(kind: str, stage: str, object_key: str, measure: Measure, plan: Plan, item_title: str, on: date,
              days: int) -> Reminder:
    assert measure.id is not None and plan.id is not None
    return Reminder(kind=kind, stage=stage, key=f"{kind}:{object_key}:{on.isoformat()}:{stage}",
                    plan_id=plan.id, plan_title=plan.title, measure_id=measure.id, measure_title=measure.title,
                    item_title=item_title, on=on, days=days, recipients=frozenset())


def due_reminders(session: Session, *, today: date, stale_days: int) -> list[Reminder]:
    """Every reminder that should have been told by `today` for its current stage (the caller claims them)."""
    rows = session.exec(select(Measure, Plan).join(Plan, col(Plan.id) == Measure.plan_id)
                        .where(Plan.state != "archived")).all()
    measures = {measure.id: (measure, plan) for measure, plan in rows}
    found: list[Reminder] = []
    open_measures = [m for m, _p in measures.values() if m.status not in CLOSED]
    for measure in open_measures:
        plan = measures[measure.id][1]
        if measure.planned_end is not None:
            days = (measure.planned_end - today).days
            stage = deadline_stage(days)
            if stage is not None:
                kind = "measure_due" if days >= 0 else "measure_overdue"
                found.append(_reminder(kind, stage, f"measure-{measure.id}", measure, plan, "",
                                       measure.planned_end, days))
    open_ids = [m.id for m in open_measures]
    if open_ids:
        for milestone in session.exec(select(Milestone).where(
                col(Milestone.measure_id).in_(open_ids), col(Milestone.done_on).is_(None),
                col(Milestone.due_on).is_not(None))).all():
            assert milestone.due_on is not None
            measure, plan = measures[milestone.measure_id]
            days = (milestone.due_on - today).days
            stage = deadline_stage(days)
            if stage is not None:
                kind = "milestone_due" if days >= 0 else "milestone_overdue"
                found.append(_reminder(kind, stage, f"milestone-{milestone.id}", measure, plan, milestone.title,
                                       milestone.due_on, days))
    running = [m for m, _p in measures.values() if m.status in RUNNING]
    if running and stale_days > 0:
        last_update = dict(session.exec(
            select(ProgressUpdate.measure_id, func.max(ProgressUpdate.at))
            .where(col(ProgressUpdate.measure_id).in_([m.id for m in running]))
            .group_by(col(ProgressUpdate.measure_id))).all())
        for measure in running:
            assert measure.id is not None
            since = (last_update.get(measure.id) or measure.created_at).date()
            days_since = (today - since).days
            stage = stale_stage(days_since, stale_days)
            if stage is not None:
                found.append(_reminder("measure_stale", stage, f"measure-{measure.id}", measure,
                                       measures[measure.id][1], "", since, days_since))
    for measure, plan in measures.values():
        for deadline in FUNDING_DEADLINES:
            on = getattr(measure, deadline)
            if on is None or (measure.status == "cancelled" and deadline != "funding_report_due"):
                continue
            stage = ahead_stage((on - today).days)
            if stage is not None:
                found.append(_reminder("funding_due", stage, f"{deadline}-{measure.id}", measure, plan, deadline,
                                       on, (on - today).days))
    recipients = recipients_by_measure(session, [r.measure_id for r in found])
    result = [_with_recipients(r, recipients.get(r.measure_id, frozenset())) for r in found]
    return result + indicator_reminders(session, measures, today=today)


def _period_containing(granularity: Granularity, day: date) -> Period:
    if granularity is Granularity.YEAR:
        return Period(granularity, day.year, 1)
    if granularity is Granularity.QUARTER:
        return Period(granularity, day.year, (day.month - 1) // 3 + 1)
    return Period(granularity, day.year, day.month)


def indicator_reminders(session: Session, measures: dict[int | None, tuple[Measure, Plan]], *,
                        today: date) -> list[Reminder]:
    """Manual indicators whose value for a recently closed period is due soon or late and not entered."""
    from strategy.indicators import Indicator, IndicatorKind, IndicatorValue
    from strategy.models import Goal
    plans = {plan.id: plan for plan in session.exec(select(Plan).where(Plan.state != "archived")).all()}
    indicators = [i for i in session.exec(select(Indicator).where(Indicator.kind == IndicatorKind.MANUAL.value)).all()
                  if i.plan_id in plans]
    if not indicators:
        return []
    entered = set(session.exec(select(IndicatorValue.indicator_id, IndicatorValue.period_key).where(
        col(IndicatorValue.indicator_id).in_([i.id for i in indicators]))).all())
    goals = dict(session.exec(select(Goal.id, Goal.title)).all())
    coordinators = coordinator_ids(session)
    holders = recipients_by_measure(session, [i.measure_id for i in indicators if i.measure_id is not None])
    found = []
    for indicator in indicators:
        plan = plans[indicator.plan_id]
        period = _period_containing(Granularity(indicator.granularity), today).previous()
        for candidate in (period, period.previous()):
            if candidate.end < plan.period_start or (indicator.id, candidate.key) in entered:
                continue
            due = candidate.end + timedelta(days=INDICATOR_GRACE_DAYS)
            days = (due - today).days
            stage = deadline_stage(days)
            if stage not in {"7", "1", "overdue-1", "overdue-7"}:
                continue
            if indicator.measure_id is not None and indicator.measure_id in measures:
                measure = measures[indicator.measure_id][0]
                owner_title, owner_id, path = measure.title, indicator.measure_id, ""
                people = holders.get(indicator.measure_id, coordinators)
            else:
                owner_title, owner_id = goals.get(indicator.goal_id, ""), 0
                path, people = f"/plan/{plan.id}", coordinators
            assert plan.id is not None
            found.append(Reminder(kind="indicator_due", stage=stage,
                                  key=f"indicator_due:indicator-{indicator.id}:{candidate.key}:{stage}",
                                  plan_id=plan.id, plan_title=plan.title, measure_id=owner_id,
                                  measure_title=owner_title, item_title=f"{indicator.title} ({candidate.key})",
                                  on=due, days=days, recipients=people, path=path))
    return found


def _with_recipients(reminder: Reminder, recipients: frozenset[int]) -> Reminder:
    return replace(reminder, recipients=recipients)


@dataclass(frozen=True)
class UpdateSummary:
    measure_id: int
    plan_id: int
    measure_title: str
    organisation_name: str
    period: str
    assessment: str
    at_day: date


def recent_updates_for(session: Session, user_id: int, *, since: date, until: date) -> list[UpdateSummary]:
    """Progress updates written in [since, until) on measures where the person's organisation holds an active
    role (every measure for coordinators), by others than the person; for the digests."""
    from core.accounts import Organisation
    user = session.get(User, user_id)
    if user is None:
        return []
    is_coordinator = session.get(UserRole, (user_id, Role.COORDINATOR.value)) is not None
    query = (select(ProgressUpdate, Measure, Organisation.name)
             .join(Measure, col(Measure.id) == ProgressUpdate.measure_id)
             .join(Organisation, col(Organisation.id) == ProgressUpdate.organisation_id)
             .where(col(ProgressUpdate.at) >= datetime.combine(since, time(), UTC),
                    col(ProgressUpdate.at) < datetime.combine(until, time(), UTC)))
    if not is_coordinator:
        mine = select(MeasureRole.measure_id).where(MeasureRole.organisation_id == user.organisation_id,
                                                     MeasureRole.state == "active")
        query = query.where(col(Measure.id).in_(mine))
    rows = session.exec(query.order_by(col(ProgressUpdate.at))).all()
    return [UpdateSummary(measure.id or 0, measure.plan_id, measure.title, name, update.period, update.assessment,
                          update.at.date())
            for update, measure, name in rows if update.author_user_id != user_id]
