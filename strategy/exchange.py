"""Export of a plan's measures to CSV/XLSX and their re-import: all or nothing, every row error named by row and
column, and a round trip changes nothing. Each changed measure goes through `update_measure` (audited, one
revision in the measure's history); new rows go through `propose_measure`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY
from strategy.eccar import COMMITMENT_NUMBERS, commitments_of, set_commitment
from strategy.measures import (
    MeasureInput,
    form_values,
    measure_form_context,
    parse_measure,
    propose_measure,
    update_measure,
)
from strategy.models import ActionField, Goal, Measure
from strategy.ownership import lead_names
from strategy.plans import get_plan

# The columns of the file, in order. Editable ones are read back; the others are there to read.
COLUMNS = ("id", "goal_id", "goal", "title", "description", "status", "health", "planned_start", "planned_end",
           "actual_start", "actual_end", "budget", "funding_source", "funding_application_due", "funding_ends_on",
           "funding_report_due", "visibility", "eccar_commitment", "lead", "version")
EDITABLE = ("goal_id", "title", "description", "health", "planned_start", "planned_end", "actual_start",
            "actual_end", "budget", "funding_source", "funding_application_due", "funding_ends_on",
            "funding_report_due", "visibility")
MAX_ROWS = 2000
FORMULA_STARTS = frozenset("=+-@")


def _quoted(value: str) -> str:
    """A leading = + - @ makes spreadsheet programs run a formula: an apostrophe keeps it text."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _unquoted(value: str) -> str:
    """Undo `_quoted`, so an exported file reads back unchanged."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS else value


def export_measures(session: Session, actor: Actor, plan_id: int) -> list[dict[str, str]]:
    """One row per measure of the plan, in the order of fields, goals and measures."""
    get_plan(session, actor, plan_id)
    rows = session.exec(select(Measure, Goal.title).join(Goal, col(Goal.id) == Measure.goal_id)
                        .join(ActionField, col(ActionField.id) == Goal.action_field_id)
                        .where(Measure.plan_id == plan_id)
                        .order_by(col(ActionField.position), col(ActionField.id), col(Goal.position), col(Goal.id),
                                  col(Measure.position), col(Measure.id))).all()
    ids = [m.id for m, _g in rows if m.id is not None]
    leads = lead_names(session, ids)
    commitments = commitments_of(session, plan_id, ids)
    result = []
    for measure, goal_title in rows:
        assert measure.id is not None
        values = form_values(session, measure)
        row = {"id": str(measure.id), "goal": goal_title, "status": measure.status,
               "eccar_commitment": str(commitments.get(measure.id) or ""),
               "lead": ", ".join(leads.get(measure.id, [])), "version": str(measure.version)}
        row.update({name: values[name][0] for name in EDITABLE})
        result.append({name: row[name] for name in COLUMNS})
    return result


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _quoted(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 with umlauts correctly


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Massnahmen"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_quoted(row[c]) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV (comma or semicolon) or XLSX file as column → text."""
    if data[:2] == b"PK":
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise ValidationFailed({"file": "sheet_unreadable"}) from exc
        assert sheet is not None
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        except csv.Error:
            dialect = csv.excel
        table = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise ValidationFailed({"file": "sheet_empty"})
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed({"file": "sheet_too_long"})
    headers = [h.strip().lower() for h in table[0]]
    if "title" not in headers:
        raise ValidationFailed({"file": "measure_sheet_columns"})
    return [{h: _unquoted(row[i].strip()) if i < len(row) else "" for i, h in enumerate(headers) if h}
            for row in table[1:]]


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file: 2 is the first row under the header
    column: str
    message: str  # an English message id, translated when shown


@dataclass(frozen=True)
class RowChange:
    row: int
    measure_id: int | None  # None: a new measure
    title: str
    fields: tuple[str, ...]  # the changed columns


@dataclass
class ImportCheck:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0
    _work: list[tuple[int, Measure | None, MeasureInput, int | None, int | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _changed(measure: Measure, data: MeasureInput) -> tuple[str, ...]:
    """The columns whose values differ between the measure and the parsed row."""
    changed = []
    for name in EDITABLE:
        attribute = "budget_cents" if name == "budget" else name
        if getattr(measure, attribute) != getattr(data, attribute):
            changed.append(name)
    return tuple(changed)


def check_import(session: Session, actor: Actor, plan_id: int, rows: list[dict[str, str]]) -> ImportCheck:
    """Validate every row and work out what would change; nothing is written."""
    POLICY.require(actor, "plan.exchange")
    get_plan(session, actor, plan_id)
    goal_ids, districts = measure_form_context(session, plan_id)
    existing = {m.id: m for m in session.exec(select(Measure).where(Measure.plan_id == plan_id)).all()}
    commitments = commitments_of(session, plan_id, [i for i in existing if i is not None])
    check = ImportCheck()
    seen: set[int] = set()
    for index, row in enumerate(rows, start=2):
        id_text = row.get("id", "")
        measure: Measure | None = None
        if id_text:
            measure_id = int(id_text) if id_text.isascii() and id_text.isdigit() else -1
            measure = existing.get(measure_id)
            if measure is None:
                check.errors.append(RowError(index, "id", "No measure of this plan has this number."))
                continue
            if measure_id in seen:
                check.errors.append(RowError(index, "id", "This measure appears twice in the file."))
                continue
            seen.add(measure_id)
            if row.get("version") and row["version"] != str(measure.version):
                check.errors.append(RowError(index, "version", "The measure was changed after the export. "
                                                               "Export again and repeat your edits."))
                continue
            if "status" in row and row["status"] != measure.status:
                check.errors.append(RowError(index, "status", "The status can be changed only on the measure's "
                                                              "page, where the workflow asks for decisions."))
            values = form_values(session, measure)
        else:
            values = {}
        for name in EDITABLE:
            if name in row:
                values[name] = [row[name]]
            elif measure is None:
                values.setdefault(name, [""])
        try:
            data = parse_measure(values, goal_ids=goal_ids, district_codes=districts)
        except ValidationFailed as exc:
            check.errors.extend(RowError(index, name, message) for name, message in exc.errors.items())
            continue
        commitment_text = row.get("eccar_commitment", "")
        commitment = int(commitment_text) if commitment_text.isascii() and commitment_text.isdigit() else None
        if commitment_text and commitment not in COMMITMENT_NUMBERS:
            check.errors.append(RowError(index, "eccar_commitment", "Enter a commitment from 1 to 10, or leave "
                                                                     "the cell empty."))
            continue
        old_commitment = commitments.get(measure.id) if measure is not None and measure.id is not None else None
        commitment_change = "eccar_commitment" in row and commitment != old_commitment
        if measure is None:
            check.changes.append(RowChange(index, None, data.title, tuple(n for n in EDITABLE if row.get(n))))
        else:
            changed = _changed(measure, data) + (("eccar_commitment",) if commitment_change else ())
            if not changed:
                check.unchanged += 1
                continue
            check.changes.append(RowChange(index, measure.id, data.title, changed))
        check._work.append((index, measure, data, measure.version if measure else None,
                            commitment if (commitment_change or measure is None) else -1))
    return check


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def import_measures(session: Session, actor: Actor, plan_id: int, rows: list[dict[str, str]], *,
                    now: datetime) -> ImportResult:
    """Apply a checked file; any row error raises `ImportRejected` and the caller rolls back everything."""
    check = check_import(session, actor, plan_id, rows)
    if not check.ok:
        raise ImportRejected(check)
    created = updated = 0
    for index, measure, data, version, commitment in check._work:
        try:
            if measure is None:
                measure = propose_measure(session, actor, plan_id, data, now=now)
                created += 1
            else:
                if _changed(measure, data):
                    measure = update_measure(session, actor, measure.id or 0, data, version=version, now=now)
                updated += 1
        except ValidationFailed as exc:
            raise ImportRejected(ImportCheck(errors=[RowError(index, n, m) for n, m in exc.errors.items()])) from exc
        if commitment != -1:
            set_commitment(session, actor, measure, commitment, now=now)
    record(session, actor, "plan.import", "plan", plan_id, now=now)
    session.flush()
    return ImportResult(created, updated, check.unchanged)


class ImportRejected(ValidationFailed):
    """Some rows are wrong; nothing may be written. `check.errors` says where."""

    def __init__(self, check: ImportCheck) -> None:
        super().__init__({"file": "rows_have_errors"})
        self.check = check
