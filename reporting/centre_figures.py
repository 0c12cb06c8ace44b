"""A centre's own figures and the export of its cases' coded fields (for funders' reports)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.actors import Actor
from core.audit import record
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting import taxonomy as tx
from reporting.dialogue import description_of, open_as_centre
from reporting.models import Case, CaseEvent, CaseIncident, Incident, IncidentCode

EXPORT_COLUMNS = ("id", "received_on", "taxonomy_version", "channel", "reporter_role", "incident_date",
                  "date_precision", "district", "place_type", "life_area", "online", "primary_type",
                  "primary_motive", "incident_types", "motives", "consequences", "target_type", "affected_count",
                  "affected_age_band", "perpetrator_type", "police_report", "verification",
                  "discrimination_form", "discrimination_level", "case_ids")


@dataclass(frozen=True)
class CentreFigures:
    years: list[int]
    by_year: dict[str, dict[int, Counter[str]]]  # dimension -> year -> code -> count


def centre_figures(session: Session, actor: Actor) -> CentreFigures:
    """Counts of the centre's own triaged incidents and cases by year: ground, life area, intervention, outcome."""
    POLICY.require(actor, "case.inbox")
    incidents = session.exec(select(Incident).where(
        Incident.centre_id == actor.organisation_id,
        col(Incident.verification).in_(tx.COUNTED_VERIFICATIONS))).all()
    by_year: dict[str, dict[int, Counter[str]]] = {d: {} for d in ("primary_motive", "life_area", "primary_type",
                                                                  "intervention", "outcome")}
    for incident in incidents:
        year = (incident.incident_date or incident.received_on).year
        for dimension in ("primary_motive", "life_area", "primary_type"):
            by_year[dimension].setdefault(year, Counter())[getattr(incident, dimension) or "unknown"] += 1
    cases = session.exec(select(Case).where(Case.organisation_id == actor.organisation_id)).all()
    opened = {case.id: case.opened_at.year for case in cases}
    for case in cases:
        if case.outcome:
            by_year["outcome"].setdefault(opened[case.id], Counter())[case.outcome] += 1
    for case_id, code in session.exec(select(CaseEvent.case_id, CaseEvent.code).where(
            col(CaseEvent.case_id).in_(list(opened)), CaseEvent.kind == "intervention")).all():
        by_year["intervention"].setdefault(opened[case_id], Counter())[code or "unknown"] += 1
    years = sorted({y for dimension in by_year.values() for y in dimension}, reverse=True)
    return CentreFigures(years, by_year)


def export_rows(session: Session, actor: Actor, *, now: datetime, with_descriptions: bool = False,
                centre_key: bytes | None = None) -> list[dict[str, str]]:
    """One row per incident of the centre, coded fields only unless the lead asks for descriptions."""
    POLICY.require(actor, "case.inbox")
    if with_descriptions:
        POLICY.require(actor, "centre.export_text")
    incidents = session.exec(select(Incident).where(Incident.centre_id == actor.organisation_id)
                             .order_by(col(Incident.received_on))).all()
    codes: dict[str, dict[str, list[str]]] = {}
    for code_row in session.exec(select(IncidentCode).join(Incident).where(
            Incident.centre_id == actor.organisation_id)).all():
        codes.setdefault(code_row.incident_id, {}).setdefault(code_row.field, []).append(code_row.code)
    links: dict[str, list[str]] = {}
    for link in session.exec(select(CaseIncident).join(Incident, col(Incident.id) == col(CaseIncident.incident_id))
                             .where(Incident.centre_id == actor.organisation_id)).all():
        links.setdefault(link.incident_id, []).append(str(link.case_id))
    rows = []
    for incident in incidents:
        row = {column: "" for column in EXPORT_COLUMNS}
        for column in EXPORT_COLUMNS:
            if hasattr(incident, column):
                value = getattr(incident, column)
                row[column] = "" if value is None else ("yes" if value is True else "no" if value is False
                                                        else str(value))
        for field in ("incident_types", "motives", "consequences"):
            row[field] = ";".join(codes.get(incident.id, {}).get(field, []))
        row["case_ids"] = ";".join(links.get(incident.id, []))
        if with_descriptions and centre_key is not None and incident.description_sealed is not None:
            row["description"] = description_of(session, open_as_centre(session, actor, incident.id, centre_key))
        rows.append(row)
    record(session, actor, "centre.export_text" if with_descriptions else "centre.export", "organisation",
           actor.organisation_id, now=now, organisation_id=actor.organisation_id)
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    columns = list(rows[0]) if rows else list(EXPORT_COLUMNS)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # A leading = + - @ makes spreadsheet programs run a formula: quote it away.
        writer.writerow({k: ("'" + v if v[:1] in {"=", "+", "-", "@"} else v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 with umlauts correctly


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Vorfaelle"
    columns = list(rows[0]) if rows else list(EXPORT_COLUMNS)
    sheet.append(columns)
    for row in rows:
        sheet.append([("'" + row[c] if row[c][:1] in {"=", "+", "-", "@"} else row[c]) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
