"""Importing a centre's earlier records from CSV or XLSX: map columns, see row errors, all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from core.actors import Actor
from core.audit import record
from core.crypto import Argon2Params
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting.intake import MULTI_FIELDS, IntakeContext, parse_report, submit_report
from reporting.models import Incident
from reporting.rollup import sync_incidents
from reporting.taxonomy import CHANNEL, VERIFICATION

REJECTIONS = frozenset({"spam", "duplicate", "out_of_scope"})

MAX_ROWS = 5000
# The fields a column can be mapped to; dates come as one column (day, month or year precision).
TARGETS = ("incident_date", "channel", "reporter_role", "district", "place_type", "online", "recurrence",
           "target_type", "affected_count", "affected_age_band", "police_report", "incident_types", "motives",
           "consequences", "description", "verification")
IMPORT_NOTE = "(importiert)"


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Preview:
    sheet: Sheet
    mapping: dict[str, str]
    errors: dict[int, dict[str, str]] = field(default_factory=dict)  # 1-based data row -> field -> message id

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.sheet.rows)


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Rows of the first sheet (XLSX) or of the CSV (comma or semicolon, as German Excel writes)."""
    if data[:2] == b"PK":
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise ValidationFailed({"file": "sheet_unreadable"}) from exc
        assert sheet is not None
        values = [["" if v is None else (v.date().isoformat() if isinstance(v, datetime) else
                                         v.isoformat() if isinstance(v, date) else str(v)) for v in row]
                  for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        values = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    values = [row for row in values if any(cell.strip() for cell in row)]
    if not values:
        raise ValidationFailed({"file": "sheet_empty"})
    if len(values) - 1 > MAX_ROWS:
        raise ValidationFailed({"file": "sheet_too_long"})
    headers = [h.strip() for h in values[0]]
    return Sheet(headers, [row + [""] * (len(headers) - len(row)) for row in values[1:]])


def guess_mapping(sheet: Sheet) -> dict[str, str]:
    """Columns whose header names a target field are mapped to it; the person corrects the rest."""
    lowered = {h.lower().replace(" ", "_"): h for h in sheet.headers}
    return {target: lowered[target] for target in TARGETS if target in lowered}


def _row_values(sheet: Sheet, row: list[str], mapping: dict[str, str]) -> dict[str, list[str]]:
    by_header = dict(zip(sheet.headers, row, strict=False))
    values: dict[str, list[str]] = {}
    for target, column in mapping.items():
        cell = by_header.get(column, "").strip()
        if target in MULTI_FIELDS:
            values[target] = [part.strip() for part in cell.replace(",", ";").split(";") if part.strip()]
        elif target == "incident_date":
            values.update(_date_parts(cell))
        elif target == "online":
            values[target] = ["yes" if cell.lower() in {"yes", "ja", "1", "true", "x"} else "no"] if cell else []
        else:
            values[target] = [cell] if cell else []
    if not values.get("description"):
        values["description"] = [IMPORT_NOTE]
    return values


def _date_parts(cell: str) -> dict[str, list[str]]:
    """'2025-03-14', '14.03.2025', '03/2025', '2025-03' or '2025' into year, month and day."""
    cell = cell.strip()
    parts: list[str] = []
    if "." in cell:
        parts = list(reversed(cell.split(".")))
    elif "/" in cell:
        parts = list(reversed(cell.split("/")))
    elif cell:
        parts = cell.split("T")[0].split("-")
    keys = ("year", "month", "day")
    return {key: [part.lstrip("0") or "0"] for key, part in zip(keys, parts, strict=False)} if cell else {}


def preview(sheet: Sheet, mapping: dict[str, str], ctx: IntakeContext, centre_id: int) -> Preview:
    result = Preview(sheet, {t: c for t, c in mapping.items() if t in TARGETS and c in sheet.headers})
    for number, row in enumerate(sheet.rows, start=1):
        values = {**_row_values(sheet, row, result.mapping), "centre_id": [str(centre_id)]}
        channel = (values.get("channel") or ["in_person"])[0]
        errors: dict[str, str] = {}
        try:
            parse_report(values, ctx, channel=channel)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if channel not in CHANNEL:
            errors["channel"] = "choose_option"
        verification = (values.get("verification") or [""])[0]
        if verification and verification not in VERIFICATION:
            errors["verification"] = "choose_option"
        if errors:
            result.errors[number] = errors
    return result


def import_rows(session: Session, actor: Actor, sheet: Sheet, mapping: dict[str, str], ctx: IntakeContext, *,
                tag_key: bytes, params: Argon2Params, now: datetime) -> int:
    """Write every row or none: any row error raises before anything is written."""
    POLICY.require(actor, "case.inbox")
    assert actor.organisation_id is not None
    checked = preview(sheet, mapping, ctx, actor.organisation_id)
    if not checked.ok:
        raise ValidationFailed({"file": "rows_have_errors"})
    written: list[str] = []
    for row in sheet.rows:
        values = {**_row_values(sheet, row, checked.mapping), "centre_id": [str(actor.organisation_id)]}
        channel = (values.get("channel") or ["in_person"])[0]
        report = parse_report(values, ctx, channel=channel)
        submitted = submit_report(session, report, [], tag_key=tag_key, params=params, today=now.date(),
                                  with_receipt=False)
        verification = (values.get("verification") or [""])[0]
        if verification:
            # The centre triaged these records before; keep its decision.
            session.execute(update(Incident).where(col(Incident.id) == submitted.incident_id).values(
                verification=verification, state="closed" if verification in REJECTIONS else "accepted"))
        record(session, actor, "case.import", "incident", submitted.incident_id, now=now,
               organisation_id=actor.organisation_id)
        written.append(submitted.incident_id)
    sync_incidents(session, written)
    return len(sheet.rows)
