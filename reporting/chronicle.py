"""The public chronicle (Berliner Register style): fresh summaries, proposed by one person, approved by another.

An entry shows only what is written for publication: a summary written fresh, the date to the day or the
month, the district or nothing, and the incident's type and motive codes. Nothing is copied from the sealed
report, and only counted (verified or plausible) incidents appear."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import msgspec
from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from core.accounts import User
from core.actors import Actor
from core.audit import record
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting import taxonomy as tx
from reporting.chronicle_models import ChronicleEntry
from reporting.models import CaseEvent, CaseIncident, District, Incident

MAX_SUMMARY = 1500
MIN_SUMMARY = 30
# A run of this many words in both the summary and the sealed description counts as copied.
COPIED_WORDS = 8
DATE_SHOWN = ("day", "month")
PLACE_SHOWN = ("district", "withheld")
# What the second person confirms before approving (the re-identification check).
CHECKLIST = ("no_names", "no_exact_place_time", "no_rare_combination", "consent_or_public_space")
RETURN_REASONS = (*CHECKLIST, "wording")
WITHDRAWAL_REASONS = ("consent_withdrawn", "reidentification_risk", "factual_error", "no_longer_counted", "other")
ACTIVE_STATES = frozenset({"pending_review", "approved"})
PER_PAGE = 20
# Bidirectional embeddings, overrides and isolates can make a public text read differently than it is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WORD = re.compile(r"\w+")
ENTRY_ID = re.compile(r"[0-9a-f]{16}")


def clean_summary(text: str) -> str:
    """NFC, no control characters except line breaks, no bidi overrides, trimmed lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    kept = "".join(ch for ch in text if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS))
    lines = [" ".join(line.split()) for line in kept.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def copied_passage(summary: str, description: str, *, words: int = COPIED_WORDS) -> bool:
    """The summary repeats `words` consecutive words of the sealed description."""
    source = [w.casefold() for w in _WORD.findall(description)]
    target = [w.casefold() for w in _WORD.findall(summary)]
    if len(source) < words or len(target) < words:
        return False
    runs = {tuple(source[i:i + words]) for i in range(len(source) - words + 1)}
    return any(tuple(target[i:i + words]) in runs for i in range(len(target) - words + 1))


@dataclass(frozen=True)
class _Guard:
    """What the permission rules see: the centre that owns the incident now."""

    centre_id: int


def _guard(incident: Incident | None) -> _Guard | None:
    return _Guard(incident.centre_id) if incident is not None else None


def _entry_and_incident(session: Session, entry_id: str) -> tuple[ChronicleEntry | None, Incident | None]:
    if not ENTRY_ID.fullmatch(entry_id):  # PostgreSQL refuses some strings (NUL) outright
        return None, None
    entry = session.get(ChronicleEntry, entry_id)
    return entry, session.get(Incident, entry.incident_id) if entry is not None else None


def _get(session: Session, actor: Actor, entry_id: str, action: str) -> tuple[ChronicleEntry, Incident]:
    entry, incident = _entry_and_incident(session, entry_id)
    POLICY.require(actor, action, _guard(incident))
    assert entry is not None and incident is not None
    return entry, incident


def _shown_date(incident: Incident, date_shown: str) -> tuple[date | None, str | None]:
    """The date the entry shows, or the message id why it cannot be shown this precisely."""
    if incident.incident_date is None or incident.date_precision not in DATE_SHOWN:
        return None, "chronicle_date_unknown"
    if date_shown == "day" and incident.date_precision != "day":
        return None, "chronicle_day_unknown"
    day = incident.incident_date
    return (day if date_shown == "day" else day.replace(day=1)), None


def propose_entry(session: Session, actor: Actor, incident_id: str, *, summary: str, date_shown: str,
                  place_shown: str, now: datetime, description: str | None = None) -> ChronicleEntry:
    """Propose (or, after it was returned, revise) the public entry of a counted incident of the own centre.

    `description` is the decrypted report, when the caller holds it: a summary that repeats a passage of it
    is refused, because the chronicle must be written fresh."""
    incident = session.get(Incident, incident_id)
    POLICY.require(actor, "chronicle.propose", _guard(incident))
    assert incident is not None
    text = clean_summary(summary)
    errors: dict[str, str] = {}
    if incident.verification not in tx.COUNTED_VERIFICATIONS:
        errors["verification"] = "chronicle_not_counted"
    current = session.exec(select(ChronicleEntry).where(ChronicleEntry.incident_id == incident.id,
                                                        col(ChronicleEntry.state) != "withdrawn")).first()
    if current is not None and current.state in ACTIVE_STATES:
        errors["entry"] = "chronicle_exists"
    if not text:
        errors["public_summary"] = "required"
    elif len(text) > MAX_SUMMARY:
        errors["public_summary"] = "chronicle_summary_too_long"
    elif len(text) < MIN_SUMMARY:
        errors["public_summary"] = "chronicle_summary_too_short"
    elif description and copied_passage(text, description):
        errors["public_summary"] = "chronicle_copied"
    shown_on = None
    if date_shown not in DATE_SHOWN:
        errors["date_shown"] = "choose_option"
    else:
        shown_on, problem = _shown_date(incident, date_shown)
        if problem:
            errors["date_shown"] = problem
    if place_shown not in PLACE_SHOWN:
        errors["place_shown"] = "choose_option"
    elif place_shown == "district" and not incident.district:
        errors["place_shown"] = "chronicle_no_district"
    if errors:
        raise ValidationFailed(errors)
    assert shown_on is not None
    entry = current or ChronicleEntry(incident_id=incident.id, centre_id=incident.centre_id, summary="",
                                      shown_on=shown_on, date_shown=date_shown, proposed_at=now)
    entry.state, entry.summary, entry.shown_on, entry.date_shown = "pending_review", text, shown_on, date_shown
    entry.district = incident.district if place_shown == "district" else None
    entry.incident_type, entry.motive = incident.primary_type, incident.primary_motive
    entry.centre_id = incident.centre_id
    entry.proposed_by, entry.proposed_at = actor.user_id, now
    entry.reviewed_by = entry.reviewed_at = entry.return_reasons = None
    session.add(entry)
    session.flush()
    record(session, actor, "chronicle.propose", "chronicle_entry", entry.id, now=now,
           organisation_id=incident.centre_id)
    return entry


def _pending_for_second_person(actor: Actor, entry: ChronicleEntry) -> None:
    if entry.state != "pending_review":
        raise ValidationFailed({"entry": "chronicle_not_pending"})
    if entry.proposed_by is not None and entry.proposed_by == actor.user_id:
        # Four eyes: whoever wrote the summary cannot be the one who lets it out.
        raise PermissionDenied("chronicle.review")


def approve_entry(session: Session, actor: Actor, entry_id: str, *, checks: Collection[str],
                  now: datetime) -> ChronicleEntry:
    """A second person of the centre publishes the entry after confirming every point of the re-identification
    check."""
    entry, incident = _get(session, actor, entry_id, "chronicle.review")
    _pending_for_second_person(actor, entry)
    errors = {}
    if set(CHECKLIST) - set(checks):
        errors["checks"] = "chronicle_check_incomplete"
    if incident.verification not in tx.COUNTED_VERIFICATIONS:
        errors["entry"] = "chronicle_not_counted"
    if errors:
        raise ValidationFailed(errors)
    entry.state, entry.reviewed_by, entry.reviewed_at, entry.approved_on = "approved", actor.user_id, now, now.date()
    session.add(entry)
    record(session, actor, "chronicle.approve", "chronicle_entry", entry.id, now=now,
           organisation_id=incident.centre_id)
    return entry


def return_entry(session: Session, actor: Actor, entry_id: str, *, reasons: Collection[str],
                 now: datetime) -> ChronicleEntry:
    """Send a proposal back for changes, naming what to change (codes only); it stays internal."""
    entry, incident = _get(session, actor, entry_id, "chronicle.review")
    _pending_for_second_person(actor, entry)
    chosen = [code for code in RETURN_REASONS if code in set(reasons)]
    if not chosen or set(reasons) - set(RETURN_REASONS):
        raise ValidationFailed({"reasons": "chronicle_reason_needed"})
    entry.state, entry.reviewed_by, entry.reviewed_at = "internal_only", actor.user_id, now
    entry.return_reasons = " ".join(chosen)
    session.add(entry)
    record(session, actor, "chronicle.return", "chronicle_entry", entry.id, now=now,
           organisation_id=incident.centre_id)
    return entry


def withdraw_entry(session: Session, actor: Actor, entry_id: str, *, reason: str, now: datetime) -> ChronicleEntry:
    """Take an entry out of the chronicle (or reject a proposal) at once; the page and feed stop showing it."""
    entry, incident = _get(session, actor, entry_id, "chronicle.withdraw")
    if entry.state == "withdrawn":
        raise ValidationFailed({"entry": "chronicle_withdrawn_already"})
    if reason not in WITHDRAWAL_REASONS:
        raise ValidationFailed({"reason": "chronicle_reason_needed"})
    entry.state, entry.withdrawn_by, entry.withdrawn_at, entry.withdrawal_reason = (
        "withdrawn", actor.user_id, now, reason)
    session.add(entry)
    record(session, actor, "chronicle.withdraw", "chronicle_entry", entry.id, now=now,
           organisation_id=incident.centre_id)
    return entry


# --- the staff side --------------------------------------------------------------------------

class StaffEntry(msgspec.Struct, frozen=True):
    """An entry as the centre's members see it while reviewing."""

    id: str
    incident_id: str
    state: str
    summary: str
    shown_on: date
    date_shown: str
    district: str | None
    district_name: str | None
    incident_type: str | None
    motive: str | None
    place_type: str | None
    verification: str
    proposed_by: str
    proposed_at: datetime
    mine: bool
    reviewed_by: str
    approved_on: date | None
    return_reasons: tuple[str, ...]
    withdrawal_reason: str | None
    withdrawn_at: datetime | None
    consent_recorded: bool


def _district_names(session: Session) -> dict[str, str]:
    return {d.code: d.name for d in session.exec(select(District)).all()}


def _staff_views(session: Session, actor: Actor, rows: Sequence[tuple[ChronicleEntry, Incident]]) -> list[StaffEntry]:
    people = {uid for e, _i in rows for uid in (e.proposed_by, e.reviewed_by) if uid is not None}
    names = {u.id: u.display_name for u in session.exec(select(User).where(col(User.id).in_(people))).all()}
    incident_ids = [i.id for _e, i in rows]
    # One query for the consents of every listed incident's cases, not one per entry.
    consented = set(session.exec(select(CaseIncident.incident_id).join(
        CaseEvent, col(CaseEvent.case_id) == col(CaseIncident.case_id)).where(
        col(CaseIncident.incident_id).in_(incident_ids), CaseEvent.kind == "consent",
        CaseEvent.code == "chronicle_publication")).all())
    districts = _district_names(session)
    return [StaffEntry(
        id=e.id, incident_id=e.incident_id, state=e.state, summary=e.summary, shown_on=e.shown_on,
        date_shown=e.date_shown, district=e.district, district_name=districts.get(e.district or ""),
        incident_type=e.incident_type, motive=e.motive, place_type=i.place_type, verification=i.verification,
        proposed_by=names.get(e.proposed_by, ""), proposed_at=e.proposed_at,
        mine=e.proposed_by is not None and e.proposed_by == actor.user_id, reviewed_by=names.get(e.reviewed_by, ""),
        approved_on=e.approved_on, return_reasons=tuple((e.return_reasons or "").split()),
        withdrawal_reason=e.withdrawal_reason, withdrawn_at=e.withdrawn_at, consent_recorded=i.id in consented)
        for e, i in rows]


def entries_of_incident(session: Session, actor: Actor, incident_id: str) -> list[StaffEntry]:
    """The incident's chronicle entries, newest first (its publication state, on the incident page).

    A partner centre reading a shared report sees none: publishing stays with the owning centre."""
    incident = session.get(Incident, incident_id)
    if not POLICY.can(actor, "chronicle.propose", _guard(incident)):
        return []
    rows = session.exec(select(ChronicleEntry, Incident).join(Incident).where(
        ChronicleEntry.incident_id == incident_id).order_by(col(ChronicleEntry.proposed_at).desc())).all()
    return _staff_views(session, actor, rows)


def review_entry(session: Session, actor: Actor, entry_id: str) -> StaffEntry:
    entry, incident = _get(session, actor, entry_id, "chronicle.withdraw")
    return _staff_views(session, actor, [(entry, incident)])[0]


class ReviewQueue(msgspec.Struct, frozen=True):
    pending: list[StaffEntry]
    returned: list[StaffEntry]
    published: list[StaffEntry]


def review_queue(session: Session, actor: Actor, *, published_limit: int = 50) -> ReviewQueue:
    """The own centre's proposals waiting for a second person, those returned, and the latest published."""
    POLICY.require(actor, "chronicle.queue")
    base = select(ChronicleEntry, Incident).join(Incident).where(Incident.centre_id == actor.organisation_id)
    open_rows = session.exec(base.where(col(ChronicleEntry.state).in_(["pending_review", "internal_only"]))
                             .order_by(col(ChronicleEntry.proposed_at))).all()
    published = session.exec(base.where(ChronicleEntry.state == "approved")
                             .order_by(col(ChronicleEntry.approved_on).desc(), col(ChronicleEntry.id))
                             .limit(published_limit)).all()
    views = _staff_views(session, actor, [*open_rows, *published])
    return ReviewQueue(pending=[v for v in views if v.state == "pending_review"],
                       returned=[v for v in views if v.state == "internal_only"],
                       published=[v for v in views if v.state == "approved"])


def pending_count(session: Session, actor: Actor) -> int:
    if not POLICY.can(actor, "chronicle.queue"):
        return 0
    return int(session.exec(select(func.count()).select_from(ChronicleEntry).join(Incident).where(
        Incident.centre_id == actor.organisation_id, ChronicleEntry.state == "pending_review",
        col(ChronicleEntry.proposed_by) != actor.user_id)).one())


# --- the public side -------------------------------------------------------------------------

class PublicEntry(msgspec.Struct, frozen=True):
    """All the public ever sees of an entry: no incident id, no names, nothing of the sealed report."""

    id: str
    summary: str
    shown_on: date
    date_shown: str
    district: str | None
    district_name: str | None
    incident_type: str | None
    motive: str | None
    verification: str
    approved_on: date


class ChronicleFilters(msgspec.Struct, frozen=True):
    year: int | None = None
    district: str | None = None
    incident_type: str | None = None
    motive: str | None = None
    page: int = 1


class PublishedPage(msgspec.Struct, frozen=True):
    entries: list[PublicEntry]
    total: int
    page: int
    pages: int
    years: list[int]


def _published() -> Select[ChronicleEntry, str]:
    """Approved, not withdrawn, and the incident still counts (a re-triaged report drops out at once)."""
    return (select(ChronicleEntry, Incident.verification).join(Incident)
            .where(ChronicleEntry.state == "approved",
                   col(Incident.verification).in_(sorted(tx.COUNTED_VERIFICATIONS))))


def _public_view(entry: ChronicleEntry, verification: str, districts: dict[str, str]) -> PublicEntry:
    assert entry.approved_on is not None
    return PublicEntry(id=entry.id, summary=entry.summary, shown_on=entry.shown_on, date_shown=entry.date_shown,
                       district=entry.district, district_name=districts.get(entry.district or ""),
                       incident_type=entry.incident_type, motive=entry.motive, verification=verification,
                       approved_on=entry.approved_on)


def published_entries(session: Session, *, filters: ChronicleFilters, today: date,
                      per_page: int = PER_PAGE) -> PublishedPage:
    """The public chronicle, newest first, filtered and paginated."""
    query = _published()
    if filters.year is not None:
        query = query.where(col(ChronicleEntry.shown_on) >= date(filters.year, 1, 1),
                            col(ChronicleEntry.shown_on) < date(filters.year + 1, 1, 1))
    if filters.district:
        query = query.where(ChronicleEntry.district == filters.district)
    if filters.incident_type:
        query = query.where(ChronicleEntry.incident_type == filters.incident_type)
    if filters.motive:
        query = query.where(ChronicleEntry.motive == filters.motive)
    total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
    pages = max(1, -(-total // per_page))
    page = min(max(1, filters.page), pages)
    rows = session.exec(query.order_by(col(ChronicleEntry.shown_on).desc(), col(ChronicleEntry.approved_on).desc(),
                                       col(ChronicleEntry.id)).offset((page - 1) * per_page).limit(per_page)).all()
    first = session.exec(select(func.min(ChronicleEntry.shown_on)).where(ChronicleEntry.state == "approved")).one()
    years = list(range(today.year, (first.year if first else today.year) - 1, -1))
    districts = _district_names(session)
    return PublishedPage(entries=[_public_view(e, v, districts) for e, v in rows], total=total, page=page,
                         pages=pages, years=years)


def public_entry(session: Session, entry_id: str) -> PublicEntry:
    if not ENTRY_ID.fullmatch(entry_id):
        raise NotFound("chronicle_entry")
    row = session.exec(_published().where(ChronicleEntry.id == entry_id)).first()
    if row is None:
        raise NotFound("chronicle_entry")
    return _public_view(row[0], row[1], _district_names(session))


def count_published(session: Session, year: int) -> int:
    """Entries in the public chronicle whose shown date lies in `year` (for the annual report)."""
    query = _published().where(col(ChronicleEntry.shown_on) >= date(year, 1, 1),
                               col(ChronicleEntry.shown_on) < date(year + 1, 1, 1))
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())
