"""Measures: proposed under a goal, edited by the organisations holding them, moved through the workflow."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from core.accounts import User
from core.actors import Actor, Role
from core.audit import record
from core.errors import Conflict, NotFound, ValidationFailed
from core.permissions import POLICY
from reporting import taxonomy as tx
from reporting.models import District
from strategy.history import record_revision
from strategy.models import (
    HEALTHS,
    PROGRESS_MODES,
    VISIBILITIES,
    ActionField,
    Decision,
    Goal,
    Measure,
    MeasureCode,
    Milestone,
    Plan,
    StatusChange,
)
from strategy.ownership import grant_initial_lead, has_active_lead, measure_access
from strategy.workflow import DecisionFacts, TransitionRequest, check_transition

MAX_TEXT = 10_000
TEXT_FIELDS = ("title", "description", "funding_source")
DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end", "funding_application_due",
               "funding_ends_on", "funding_report_due")
CODE_FIELDS = {"life_area": tx.LIFE_AREA, "ground": tx.MOTIVE}
FORM_FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, "goal_id", "budget", "health", "progress_mode", "progress_manual",
               "weight", "visibility", "life_area", "ground", "district")
MULTI = ("life_area", "ground", "district")


@dataclass(frozen=True)
class MeasureInput:
    """A validated measure form."""

    title: str
    goal_id: int
    description: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    budget_cents: int | None = None
    funding_source: str = ""
    funding_application_due: date | None = None
    funding_ends_on: date | None = None
    funding_report_due: date | None = None
    health: str = "on_track"
    progress_mode: str = "milestones"
    progress_manual: int = 0
    weight: int = 1
    visibility: str = "internal"
    life_areas: tuple[str, ...] = ()
    grounds: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


def _one(values: Mapping[str, Sequence[str]], name: str) -> str:
    got = values.get(name) or []
    return str(got[0]).strip() if got else ""


def parse_date(text: str) -> date | None:
    """An ISO date (what <input type=date> sends); raises ValueError otherwise."""
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)


def parse_euros(text: str) -> int | None:
    """ "12.500,50", "12500.5" or "12500" euros → cents."""
    text = text.replace("€", "").replace(" ", "").strip()
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if amount < 0 or amount > Decimal("1000000000") or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(amount * 100)


def parse_measure(values: Mapping[str, Sequence[str]], *, goal_ids: set[int], district_codes: set[str]
                  ) -> MeasureInput:
    """Check a measure form; every problem is reported at its field at once."""
    errors: dict[str, str] = {}
    text = {name: _one(values, name) for name in TEXT_FIELDS}
    if not text["title"]:
        errors["title"] = "Give the measure a title."
    elif len(text["title"]) > 300:
        errors["title"] = "The title is too long."
    if len(text["description"]) > MAX_TEXT:
        errors["description"] = "The text is too long."
    if len(text["funding_source"]) > 200:
        errors["funding_source"] = "The text is too long."
    dates: dict[str, date | None] = {}
    for name in DATE_FIELDS:
        try:
            dates[name] = parse_date(_one(values, name))
        except ValueError:
            errors[name] = "Enter a date."
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if dates.get(start) and dates.get(end) and dates[end] < dates[start]:  # type: ignore[operator]
            errors[end] = "The end cannot be before the start."
    goal_text = _one(values, "goal_id")
    goal_id = int(goal_text) if goal_text.isascii() and goal_text.isdigit() else 0
    if goal_id not in goal_ids:
        errors["goal_id"] = "Choose a goal of this plan."
    try:
        budget = parse_euros(_one(values, "budget"))
    except ValueError:
        budget = None
        errors["budget"] = "Enter an amount in euros, e.g. 12500 or 12.500,00."
    chosen = {name: _one(values, name) or default for name, default in
              (("health", "on_track"), ("progress_mode", "milestones"), ("visibility", "internal"))}
    for name, allowed in (("health", HEALTHS), ("progress_mode", PROGRESS_MODES), ("visibility", VISIBILITIES)):
        if chosen[name] not in allowed:
            errors[name] = "Choose one of the options."
    numbers: dict[str, int] = {}
    for name, low, default, message in (("progress_manual", 0, 0, "Enter a whole number from 0 to 100."),
                                        ("weight", 1, 1, "Enter a whole number from 1 to 100.")):
        raw = _one(values, name)
        number = int(raw) if raw.isascii() and raw.isdigit() else (default if not raw else -1)
        if not low <= number <= 100:
            errors[name] = message
        numbers[name] = number
    codes: dict[str, tuple[str, ...]] = {}
    for name in MULTI:
        picked = tuple(dict.fromkeys(str(v) for v in values.get(name) or [] if str(v)))
        allowed_codes = district_codes if name == "district" else set(CODE_FIELDS[name].codes)
        if any(code not in allowed_codes for code in picked):
            errors[name] = "Choose from the list."
        codes[name] = picked
    if errors:
        raise ValidationFailed(errors)
    return MeasureInput(
        title=text["title"], goal_id=goal_id, description=text["description"],
        funding_source=text["funding_source"], budget_cents=budget, health=chosen["health"],
        progress_mode=chosen["progress_mode"], visibility=chosen["visibility"],
        progress_manual=numbers["progress_manual"], weight=numbers["weight"],
        life_areas=codes["life_area"], grounds=codes["ground"], districts=codes["district"],
        **{name: dates[name] for name in DATE_FIELDS})


def measure_form_context(session: Session, plan_id: int) -> tuple[set[int], set[str]]:
    """The goals of the plan and the deployment's districts, which a measure form may choose from."""
    goal_ids = set(session.exec(select(Goal.id).join(ActionField, col(ActionField.id) == Goal.action_field_id)
                                .where(ActionField.plan_id == plan_id)).all())
    districts = set(session.exec(select(District.code)).all())
    return {g for g in goal_ids if g is not None}, districts


def get_measure(session: Session, actor: Actor, measure_id: int) -> Measure:
    POLICY.require(actor, "plan.read")
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("measure")
    return measure


def _apply(session: Session, measure: Measure, data: MeasureInput) -> None:
    for name in ("title", "goal_id", "description", "funding_source", "budget_cents", "health", "progress_mode",
                 "progress_manual", "weight", "visibility", *DATE_FIELDS):
        setattr(measure, name, getattr(data, name))
    session.add(measure)
    session.flush()
    wanted = {("life_area", c) for c in data.life_areas} | {("ground", c) for c in data.grounds} | {
        ("district", c) for c in data.districts}
    existing = session.exec(select(MeasureCode).where(MeasureCode.measure_id == measure.id)).all()
    for row in existing:
        if (row.code_list, row.code) not in wanted:
            session.delete(row)
    have = {(row.code_list, row.code) for row in existing}
    for code_list, code in sorted(wanted - have):
        session.add(MeasureCode(measure_id=measure.id or 0, code_list=code_list, code=code))


def propose_measure(session: Session, actor: Actor, plan_id: int, data: MeasureInput, *, now: datetime) -> Measure:
    """A new measure starts as proposed; a member (not a coordinator) who proposes it leads it."""
    POLICY.require(actor, "measure.propose")
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan")
    if plan.state == "archived":
        raise Conflict("plan archived")
    measure = Measure(plan_id=plan_id, goal_id=data.goal_id, title=data.title, created_at=now, updated_at=now)
    _apply(session, measure, data)
    if not actor.has(Role.COORDINATOR):
        grant_initial_lead(session, actor, measure, now=now)
    record(session, actor, "measure.create", "measure", measure.id, now=now)
    record_revision(session, actor, measure, action="created", now=now)
    return measure


def require_edit(session: Session, actor: Actor, measure: Measure) -> None:
    POLICY.require(actor, "measure.edit", measure_access(session, measure.id or 0))


def can_edit(session: Session, actor: Actor, measure: Measure) -> bool:
    return POLICY.can(actor, "measure.edit", measure_access(session, measure.id or 0))


def update_measure(session: Session, actor: Actor, measure_id: int, data: MeasureInput, *, version: int | None,
                   now: datetime) -> Measure:
    """Save an edited measure; a form opened before someone else's change is refused, not overwritten."""
    measure = get_measure(session, actor, measure_id)
    require_edit(session, actor, measure)
    if version is not None and version != measure.version:
        raise Conflict("the measure was changed in the meantime")
    _apply(session, measure, data)
    measure.version += 1
    measure.updated_at = now
    session.add(measure)
    record(session, actor, "measure.update", "measure", measure.id, now=now)
    record_revision(session, actor, measure, action="edited", now=now)
    return measure


def change_status(session: Session, actor: Actor, measure_id: int, *, target: str, reason: str,
                  decision_id: int | None, evidence: str, now: datetime) -> StatusChange:
    """Move a measure along the workflow; the change is kept with who, when, why, decision and evidence."""
    measure = get_measure(session, actor, measure_id)
    require_edit(session, actor, measure)
    decision = session.get(Decision, decision_id) if decision_id is not None else None
    if len(reason) > MAX_TEXT or len(evidence) > MAX_TEXT:
        raise ValidationFailed({"reason" if len(reason) > MAX_TEXT else "evidence": "The text is too long."})
    check_transition(TransitionRequest(
        plan_id=measure.plan_id, measure_id=measure.id or 0, current=measure.status, target=target,
        has_active_lead=has_active_lead(session, measure.id or 0),
        decision=DecisionFacts(decision.id or 0, decision.plan_id, decision.kind, decision.measure_id)
        if decision is not None else None,
        evidence=evidence, reason=reason))
    change = StatusChange(measure_id=measure.id or 0, from_status=measure.status, to_status=target, at=now,
                          user_id=actor.user_id, organisation_id=actor.organisation_id, reason=reason.strip(),
                          decision_id=decision.id if decision is not None else None, evidence=evidence.strip())
    session.add(change)
    measure.status = target
    if target == "in_progress" and measure.actual_start is None:
        measure.actual_start = now.date()
    if target == "completed" and measure.actual_end is None:
        measure.actual_end = now.date()
    measure.version += 1
    measure.updated_at = now
    session.add(measure)
    session.flush()
    record(session, actor, "measure.status", "measure", measure.id, now=now)
    record_revision(session, actor, measure, action=f"status_{target}", now=now)
    return change


def add_milestone(session: Session, actor: Actor, measure_id: int, *, title: str, due_on: str, weight: str,
                  now: datetime) -> Milestone:
    measure = get_measure(session, actor, measure_id)
    require_edit(session, actor, measure)
    errors: dict[str, str] = {}
    title = title.strip()
    if not title or len(title) > 300:
        errors["milestone_title"] = "Give the milestone a title (at most 300 characters)."
    try:
        due = parse_date(due_on.strip())
    except ValueError:
        due = None
        errors["due_on"] = "Enter a date."
    weight = weight.strip() or "1"
    number = int(weight) if weight.isascii() and weight.isdigit() else 0
    if not 1 <= number <= 100:
        errors["milestone_weight"] = "Enter a whole number from 1 to 100."
    if errors:
        raise ValidationFailed(errors)
    position = len(session.exec(select(Milestone.id).where(Milestone.measure_id == measure_id)).all())
    milestone = Milestone(measure_id=measure_id, title=title, due_on=due, weight=number, position=position)
    session.add(milestone)
    measure.updated_at = now
    session.add(measure)
    session.flush()
    record(session, actor, "measure.milestone.add", "measure", measure_id, now=now)
    record_revision(session, actor, measure, action="milestone_added", now=now)
    return milestone


def set_milestone_done(session: Session, actor: Actor, measure_id: int, milestone_id: int, *, done: bool,
                       now: datetime) -> Milestone:
    measure = get_measure(session, actor, measure_id)
    require_edit(session, actor, measure)
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.measure_id != measure_id:
        raise NotFound("milestone")
    milestone.done_on = now.date() if done else None
    session.add(milestone)
    measure.updated_at = now
    session.add(measure)
    record(session, actor, "measure.milestone.done" if done else "measure.milestone.reopen", "measure",
           measure_id, now=now)
    record_revision(session, actor, measure, action="milestone_done" if done else "milestone_reopened", now=now)
    return milestone


def milestones_of(session: Session, measure_id: int) -> list[Milestone]:
    return list(session.exec(select(Milestone).where(Milestone.measure_id == measure_id)
                             .order_by(col(Milestone.position), col(Milestone.id))).all())


def codes_of(session: Session, measure_id: int) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {"life_area": [], "ground": [], "district": []}
    for row in session.exec(select(MeasureCode).where(MeasureCode.measure_id == measure_id)).all():
        result.setdefault(row.code_list, []).append(row.code)
    return {k: sorted(v) for k, v in result.items()}


def form_values(session: Session, measure: Measure) -> dict[str, list[str]]:
    """The measure as the values its edit form shows."""
    values: dict[str, list[str]] = {name: [str(getattr(measure, name) or "")] for name in TEXT_FIELDS}
    for name in DATE_FIELDS:
        value = getattr(measure, name)
        values[name] = [value.isoformat() if value else ""]
    values["goal_id"] = [str(measure.goal_id)]
    values["budget"] = [f"{measure.budget_cents / 100:.2f}" if measure.budget_cents is not None else ""]
    for name in ("health", "progress_mode", "progress_manual", "weight", "visibility"):
        values[name] = [str(getattr(measure, name))]
    values.update(codes_of(session, measure.id or 0))
    return values


@dataclass(frozen=True)
class StatusChangeView:
    at: datetime
    from_status: str
    to_status: str
    author: str
    reason: str
    evidence: str
    decision_number: str | None
    decision_text: str | None


def status_history(session: Session, actor: Actor, measure_id: int) -> list[StatusChangeView]:
    POLICY.require(actor, "plan.read")
    rows = session.exec(select(StatusChange).where(StatusChange.measure_id == measure_id)
                        .order_by(col(StatusChange.at), col(StatusChange.id))).all()
    decision_ids = {r.decision_id for r in rows if r.decision_id is not None}
    decisions = {d.id: d for d in session.exec(select(Decision).where(col(Decision.id).in_(decision_ids))).all()} \
        if decision_ids else {}
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()) \
        if user_ids else {}
    return [StatusChangeView(r.at, r.from_status, r.to_status, names.get(r.user_id, "—"), r.reason, r.evidence,
                             decisions[r.decision_id].number if r.decision_id in decisions else None,
                             decisions[r.decision_id].text if r.decision_id in decisions else None)
            for r in rows]


@dataclass
class MeasureSummary:
    """A measure as lists, boards and timelines show it."""

    id: int
    title: str
    status: str
    health: str
    progress: float | None
    goal_id: int
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    visibility: str
    leads: list[str] = field(default_factory=list)
    my_roles: set[str] = field(default_factory=set)
