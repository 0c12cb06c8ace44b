"""Progress updates per reporting period; the municipal and the civil-society side's views side by side."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.accounts import Organisation, User
from core.actors import Actor, OrganisationKind
from core.audit import record
from core.errors import NotFound, ValidationFailed
from strategy.history import record_revision
from strategy.measures import MAX_TEXT, get_measure, require_edit
from strategy.models import HEALTHS, ProgressUpdate

# "2026-Q3", "2026-H1", "2026-07" or a whole year "2026".
PERIOD = re.compile(r"\d{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?")
TEXTS = ("narrative", "obstacles", "support_needed", "evidence")


def side_of(kind: str) -> str:
    """Municipal departments speak for the municipality; everyone else for civil society."""
    return "municipal" if kind == OrganisationKind.MUNICIPAL_DEPARTMENT else "civil_society"


def current_period(now: datetime) -> str:
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


def submit_update(session: Session, actor: Actor, measure_id: int, *, period: str, narrative: str, obstacles: str,
                  support_needed: str, evidence: str, evidence_link: str, assessment: str,
                  now: datetime) -> ProgressUpdate:
    """Write (or rewrite) the actor's organisation's update of a measure for one period."""
    measure = get_measure(session, actor, measure_id)
    require_edit(session, actor, measure)
    organisation = session.get(Organisation, actor.organisation_id)
    if organisation is None or organisation.id is None:
        raise NotFound("organisation")
    values = {"narrative": narrative.strip(), "obstacles": obstacles.strip(), "support_needed": support_needed.strip(),
              "evidence": evidence.strip()}
    errors: dict[str, str] = {}
    period = period.strip().upper()
    if not PERIOD.fullmatch(period):
        errors["period"] = "Enter a period like 2026-Q3."
    if not values["narrative"]:
        errors["narrative"] = "Say what happened in this period."
    for name, text in values.items():
        if len(text) > MAX_TEXT:
            errors[name] = "The text is too long."
    link = evidence_link.strip()
    if link and (len(link) > 500 or not re.match(r"^https?://[^\s]+$", link)):
        errors["evidence_link"] = "Enter a web address starting with https://."
    if assessment not in HEALTHS:
        errors["assessment"] = "Choose one of the options."
    if errors:
        raise ValidationFailed(errors)
    update = session.exec(select(ProgressUpdate).where(ProgressUpdate.measure_id == measure_id,
                                                       ProgressUpdate.period == period,
                                                       ProgressUpdate.organisation_id == organisation.id)).first()
    if update is None:
        update = ProgressUpdate(measure_id=measure_id, period=period, organisation_id=organisation.id,
                                side=side_of(organisation.kind), at=now)
    for name, text in values.items():
        setattr(update, name, text)
    update.evidence_link, update.assessment = link, assessment
    update.author_user_id, update.at, update.side = actor.user_id, now, side_of(organisation.kind)
    session.add(update)
    measure.updated_at = now
    session.add(measure)
    session.flush()
    record(session, actor, "measure.update_progress", "measure", measure_id, now=now)
    record_revision(session, actor, measure, action="progress_update", now=now)
    return update


@dataclass(frozen=True)
class UpdateView:
    period: str
    organisation: str
    author: str
    side: str
    at: datetime
    narrative: str
    obstacles: str
    support_needed: str
    evidence: str
    evidence_link: str
    assessment: str


@dataclass(frozen=True)
class PeriodUpdates:
    """One period: the municipal side's updates next to the civil-society side's."""

    period: str
    municipal: list[UpdateView]
    civil_society: list[UpdateView]


def updates_by_period(session: Session, actor: Actor, measure_id: int) -> list[PeriodUpdates]:
    """The measure's updates grouped per period (newest first), split by side."""
    get_measure(session, actor, measure_id)
    rows = session.exec(select(ProgressUpdate, Organisation.name).join(
        Organisation, col(Organisation.id) == ProgressUpdate.organisation_id).where(
        ProgressUpdate.measure_id == measure_id).order_by(col(ProgressUpdate.period).desc(),
                                                          col(ProgressUpdate.at))).all()
    user_ids = {u.author_user_id for u, _n in rows if u.author_user_id is not None}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()) \
        if user_ids else {}
    periods: dict[str, PeriodUpdates] = {}
    for update, org_name in rows:
        group = periods.setdefault(update.period, PeriodUpdates(update.period, [], []))
        view = UpdateView(update.period, org_name, names.get(update.author_user_id, "—"), update.side, update.at,
                          update.narrative, update.obstacles, update.support_needed, update.evidence,
                          update.evidence_link, update.assessment)
        (group.municipal if update.side == "municipal" else group.civil_society).append(view)
    return list(periods.values())
