"""Every change of a measure is kept as a snapshot of its fields; two snapshots give a diff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from core.accounts import Organisation, User
from core.actors import Actor
from core.permissions import POLICY
from strategy import permissions  # noqa: F401  (registers the plan rules)
from strategy.models import Measure, MeasureCode, MeasureRevision, MeasureRole, Milestone

# The measure's own columns kept in a snapshot, in the order a diff lists them.
SNAPSHOT_COLUMNS = ("title", "description", "goal_id", "status", "health", "progress_mode", "progress_manual",
                    "weight", "planned_start", "planned_end", "actual_start", "actual_end", "budget_cents",
                    "funding_source", "funding_application_due", "funding_ends_on", "funding_report_due",
                    "visibility")
LIST_FIELDS = ("life_area", "ground", "district", "roles", "milestones")
EMPTY: tuple[Any, ...] = (None, "", [])


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def snapshot(session: Session, measure: Measure) -> dict[str, Any]:
    """The measure as JSON-ready values: its columns, codes, roles and milestones."""
    fields: dict[str, Any] = {name: _plain(getattr(measure, name)) for name in SNAPSHOT_COLUMNS}
    codes = session.exec(select(MeasureCode).where(MeasureCode.measure_id == measure.id)).all()
    for code_list in ("life_area", "ground", "district"):
        fields[code_list] = sorted(c.code for c in codes if c.code_list == code_list)
    roles = session.exec(select(MeasureRole, Organisation.name).join(
        Organisation, col(Organisation.id) == MeasureRole.organisation_id).where(
        MeasureRole.measure_id == measure.id)).all()
    fields["roles"] = sorted(f"{name}: {role.role} ({role.state})" for role, name in roles)
    milestones = session.exec(select(Milestone).where(Milestone.measure_id == measure.id)
                              .order_by(col(Milestone.position), col(Milestone.id))).all()
    fields["milestones"] = [f"{m.title} · {_plain(m.due_on) or '–'} · w{m.weight} · "
                            f"{'done ' + m.done_on.isoformat() if m.done_on else 'open'}" for m in milestones]
    return fields


def record_revision(session: Session, actor: Actor, measure: Measure, *, action: str,
                    now: datetime) -> MeasureRevision | None:
    """Keep the measure's current state as its next revision (none if nothing changed since the last one)."""
    session.flush()
    fields = snapshot(session, measure)
    last = session.exec(select(MeasureRevision).where(MeasureRevision.measure_id == measure.id)
                        .order_by(col(MeasureRevision.number).desc())).first()
    if last is not None and last.fields == fields:
        return None
    number = (last.number if last else 0) + 1
    revision = MeasureRevision(measure_id=measure.id or 0, number=number, at=now, user_id=actor.user_id,
                               action=action, fields=fields)
    session.add(revision)
    session.flush()
    return revision


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevisionView:
    number: int
    at: datetime
    author: str
    action: str
    changes: tuple[FieldChange, ...]


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """What differs between two snapshots; list fields say what was added and removed."""
    changes = []
    for name in (*SNAPSHOT_COLUMNS, *LIST_FIELDS):
        old, new = before.get(name), after.get(name)
        if old == new or (old in EMPTY and new in EMPTY):
            continue
        if name in LIST_FIELDS:
            old_items, new_items = list(old or []), list(new or [])
            changes.append(FieldChange(name, old, new, added=tuple(i for i in new_items if i not in old_items),
                                       removed=tuple(i for i in old_items if i not in new_items)))
        else:
            changes.append(FieldChange(name, old, new))
    return tuple(changes)


def measure_history(session: Session, actor: Actor, measure_id: int) -> list[RevisionView]:
    """Every revision of a measure, newest first, each with what it changed against the one before."""
    POLICY.require(actor, "plan.read")
    revisions = session.exec(select(MeasureRevision).where(MeasureRevision.measure_id == measure_id)
                             .order_by(col(MeasureRevision.number))).all()
    user_ids = {r.user_id for r in revisions if r.user_id is not None}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()) \
        if user_ids else {}
    views = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        views.append(RevisionView(revision.number, revision.at, names.get(revision.user_id, "—"),
                                  revision.action, diff(previous, revision.fields)))
        previous = revision.fields
    return list(reversed(views))


def revision_count(session: Session, measure_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(MeasureRevision)
                            .where(MeasureRevision.measure_id == measure_id)).one())
