"""The deployment's changes to the shipped code lists: relabel, hide, add (../shared/design/taxonomy.md).

reporting/taxonomy.py stays the reference of shipped codes. A deployment may
- relabel a code (a label per language that replaces the catalogue's),
- hide a code (no longer offered for new input; records that use it still show and count it),
- add a code (labels in German and English at least). Each added code is a revision of the code
  lists: the taxonomy version becomes "<shipped>+<revision>" (e.g. "2026.1+1"), records keep the
  version they were coded with, and nothing that records use is ever deleted (there is no delete).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, select

from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers taxonomy.edit)
from reporting import taxonomy as tx

# Lists that carry workflow meaning (verification, consents, date precision) are not editable.
EDITABLE_LISTS = ("incident_type", "motive", "racism_subcode", "antisemitism_form", "place_type", "life_area",
                  "channel", "reporter_role", "recurrence", "target_type", "affected_age_band", "perpetrator_type",
                  "consequence", "police_report", "discrimination_form", "discrimination_level",
                  "client_request", "intervention", "outcome")
REQUIRED_LABEL_LANGUAGES = ("de", "en")
MAX_LABEL = 120
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# A new code ranks above these catch-alls (in severity-ordered lists a named code wins over "other").
CATCH_ALL = ("other", "unknown")


class DeploymentCode(SQLModel, table=True):
    """One code of one list as this deployment changed it (a shipped code relabelled or hidden, or a new one)."""

    __tablename__ = "deployment_code"

    list_name: str = Field(primary_key=True, max_length=40)
    code: str = Field(primary_key=True, max_length=40)
    # None for a shipped code; the revision that added it otherwise (the version suffix).
    added_revision: int | None = None
    hidden: bool = False
    # {"de": "...", "en": "...", ...}: labels that replace the catalogue's (all of them for an added code).
    labels: str = "{}"
    changed_at: datetime
    changed_by: int | None = Field(default=None, foreign_key="staff_user.id")


@dataclass(frozen=True)
class CodeView:
    code: str
    shipped: bool
    hidden: bool
    labels: dict[str, str]
    added_in: str | None


def _rows(session: Session, list_name: str | None = None) -> list[DeploymentCode]:
    query = select(DeploymentCode)
    if list_name is not None:
        query = query.where(DeploymentCode.list_name == list_name)
    return list(session.exec(query).all())


def version_for(revision: int) -> str:
    return tx.TAXONOMY_VERSION if revision == 0 else f"{tx.TAXONOMY_VERSION}+{revision}"


def current_revision(session: Session) -> int:
    return int(session.exec(select(func.max(DeploymentCode.added_revision))).one() or 0)


def current_version(session: Session) -> str:
    """The taxonomy version new records are coded with."""
    return version_for(current_revision(session))


def _ordered(shipped: tx.CodeList, added: list[str]) -> tuple[str, ...]:
    """Added codes come after the shipped ones but before trailing catch-alls ("other", "unknown")."""
    codes = list(shipped.codes)
    split = len(codes)
    while split > 0 and codes[split - 1] in CATCH_ALL:
        split -= 1
    return (*codes[:split], *added, *codes[split:])


@dataclass(frozen=True)
class EffectiveLists:
    """Every list as this deployment has it: all codes (for rendering and counting) and the offered ones."""

    all: dict[str, tx.CodeList]
    offered: dict[str, tx.CodeList]
    labels: dict[str, dict[str, dict[str, str]]]  # list -> code -> lang -> label
    version: str


def effective_lists(session: Session) -> EffectiveLists:
    rows = _rows(session)
    added: dict[str, list[DeploymentCode]] = {}
    hidden: dict[str, set[str]] = {}
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        if row.added_revision is not None:
            added.setdefault(row.list_name, []).append(row)
        if row.hidden:
            hidden.setdefault(row.list_name, set()).add(row.code)
        found = json.loads(row.labels)
        if found:
            labels.setdefault(row.list_name, {})[row.code] = found
    every: dict[str, tx.CodeList] = {}
    offered: dict[str, tx.CodeList] = {}
    for name, shipped in tx.CODE_LISTS.items():
        new = [r.code for r in sorted(added.get(name, []), key=lambda r: (r.added_revision or 0, r.code))]
        codes = _ordered(shipped, new)
        every[name] = tx.CodeList(name, codes, shipped.multiple, shipped.severity_ordered)
        gone = hidden.get(name, set())
        offered[name] = tx.CodeList(name, tuple(c for c in codes if c not in gone), shipped.multiple,
                                    shipped.severity_ordered)
    revision = max((r.added_revision or 0 for r in rows), default=0)
    return EffectiveLists(every, offered, labels, version_for(revision))


def effective_codes(session: Session, list_name: str, *, offered_only: bool = False) -> tuple[str, ...]:
    """The codes of a list in this deployment: shipped plus added, hidden ones too unless `offered_only`."""
    lists = effective_lists(session)
    return (lists.offered if offered_only else lists.all)[list_name].codes


def list_view(session: Session, actor: Actor, list_name: str) -> list[CodeView]:
    POLICY.require(actor, "taxonomy.edit")
    lists = effective_lists(session)
    rows = {r.code: r for r in _rows(session, list_name)}
    shipped = set(tx.CODE_LISTS[list_name].codes)
    views = []
    for code in lists.all[list_name].codes:
        row = rows.get(code)
        views.append(CodeView(code=code, shipped=code in shipped, hidden=bool(row and row.hidden),
                              labels=json.loads(row.labels) if row else {},
                              added_in=version_for(row.added_revision) if row and row.added_revision else None))
    return views


def _check_list(list_name: str) -> None:
    if list_name not in EDITABLE_LISTS:
        raise ValidationFailed({"list_name": "choose_option"})


def _clean_labels(labels: dict[str, str], *, required: tuple[str, ...]) -> dict[str, str]:
    cleaned = {lang: text.strip() for lang, text in labels.items() if text.strip()}
    errors = {f"label_{lang}": "required" for lang in required if lang not in cleaned}
    errors.update({f"label_{lang}": "too_long" for lang, text in cleaned.items() if len(text) > MAX_LABEL})
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _row(session: Session, list_name: str, code: str, now: datetime) -> DeploymentCode:
    row = session.get(DeploymentCode, (list_name, code))
    if row is None:
        if code not in tx.CODE_LISTS[list_name].codes:
            raise ValidationFailed({"code": "choose_option"})
        row = DeploymentCode(list_name=list_name, code=code, changed_at=now)
    return row


def add_code(session: Session, actor: Actor, list_name: str, code: str, labels: dict[str, str], *,
             now: datetime) -> str:
    """A new code, offered at once; returns the new taxonomy version."""
    POLICY.require(actor, "taxonomy.edit")
    _check_list(list_name)
    code = code.strip().lower()
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = "code_invalid"
    elif code in tx.CODE_LISTS[list_name].codes or session.get(DeploymentCode, (list_name, code)) is not None:
        errors["code"] = "code_taken"
    try:
        cleaned = _clean_labels(labels, required=REQUIRED_LABEL_LANGUAGES)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    revision = current_revision(session) + 1
    session.add(DeploymentCode(list_name=list_name, code=code, added_revision=revision,
                               labels=json.dumps(cleaned, ensure_ascii=False), changed_at=now,
                               changed_by=actor.user_id))
    session.flush()
    record(session, actor, "taxonomy.add", "code", f"{list_name}/{code}", now=now)
    return version_for(revision)


def relabel_code(session: Session, actor: Actor, list_name: str, code: str, labels: dict[str, str], *,
                 now: datetime) -> None:
    """Replace labels per language; an empty label falls back to the catalogue (not for added codes' de/en)."""
    POLICY.require(actor, "taxonomy.edit")
    _check_list(list_name)
    row = _row(session, list_name, code, now)
    required = REQUIRED_LABEL_LANGUAGES if row.added_revision is not None else ()
    cleaned = _clean_labels(labels, required=required)
    row.labels = json.dumps(cleaned, ensure_ascii=False)
    row.changed_at, row.changed_by = now, actor.user_id
    session.add(row)
    session.flush()
    record(session, actor, "taxonomy.relabel", "code", f"{list_name}/{code}", now=now)


def set_hidden(session: Session, actor: Actor, list_name: str, code: str, hidden: bool, *, now: datetime) -> None:
    """Hide a code from new input (or offer it again); records using it keep it."""
    POLICY.require(actor, "taxonomy.edit")
    _check_list(list_name)
    row = _row(session, list_name, code, now)
    if hidden and len(effective_lists(session).offered[list_name].codes) <= 1:
        raise ValidationFailed({"code": "last_code"})
    row.hidden = hidden
    row.changed_at, row.changed_by = now, actor.user_id
    session.add(row)
    session.flush()
    record(session, actor, "taxonomy.hide" if hidden else "taxonomy.show", "code", f"{list_name}/{code}", now=now)
