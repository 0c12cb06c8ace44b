"""The ECCAR ten-point plan of action as a reporting frame: which commitment each measure serves, and the
progress report per commitment.

In a plan made from the ECCAR template the action fields are the ten commitments ("1 Wachsam gegen
Rassismus", ...), so a measure's commitment follows from its field. A measure of any other plan can be
tagged with a commitment (table `plan_measure_eccar`); a tag wins over the field."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Field, Session, SQLModel, col, func, select

from core.actors import Actor
from core.audit import record
from core.permissions import POLICY
from strategy.models import ActionField, Goal, Measure, Plan, ProgressUpdate
from strategy.ownership import lead_names
from strategy.plans import get_plan
from strategy.progress import milestones_by_measure, progress_of
from strategy.templates import ECCAR

_NUMBERED = re.compile(r"^(\d{1,2})\s+(.*)$")


def _commitments() -> tuple[tuple[int, str], ...]:
    found = []
    for template_field in ECCAR.fields:
        match = _NUMBERED.match(template_field.title)
        assert match, template_field.title
        found.append((int(match.group(1)), match.group(2)))
    return tuple(found)


COMMITMENTS = _commitments()
COMMITMENT_NUMBERS = frozenset(number for number, _title in COMMITMENTS)


class MeasureEccar(SQLModel, table=True):
    """The ECCAR commitment a measure is reported under, where its action field does not say."""

    __tablename__ = "plan_measure_eccar"

    measure_id: int = Field(foreign_key="plan_measure.id", primary_key=True, ondelete="CASCADE")
    commitment: int


def _field_commitment(plan: Plan, field_title: str) -> int | None:
    if plan.template != "eccar":
        return None
    match = _NUMBERED.match(field_title.strip())
    number = int(match.group(1)) if match else None
    return number if number in COMMITMENT_NUMBERS else None


def commitments_of(session: Session, plan_id: int, measure_ids: list[int]) -> dict[int, int | None]:
    """Each measure's commitment: its tag, else (ECCAR plans) its action field's number, else None."""
    plan = session.get(Plan, plan_id)
    if plan is None or not measure_ids:
        return {}
    tags = dict(session.exec(select(MeasureEccar.measure_id, MeasureEccar.commitment)
                             .where(col(MeasureEccar.measure_id).in_(measure_ids))).all())
    fields = dict(session.exec(select(Measure.id, ActionField.title)
                               .join(Goal, col(Goal.id) == Measure.goal_id)
                               .join(ActionField, col(ActionField.id) == Goal.action_field_id)
                               .where(col(Measure.id).in_(measure_ids))).all())
    return {measure_id: tags.get(measure_id) or _field_commitment(plan, fields.get(measure_id, ""))
            for measure_id in measure_ids}


def set_commitment(session: Session, actor: Actor, measure: Measure, commitment: int | None, *,
                   now: datetime) -> None:
    """Tag (or untag, with None) the measure's commitment; audited."""
    POLICY.require(actor, "plan.exchange")
    row = session.get(MeasureEccar, measure.id)
    if commitment is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(MeasureEccar(measure_id=measure.id or 0, commitment=commitment))
    else:
        row.commitment = commitment
        session.add(row)
    session.flush()
    record(session, actor, "measure.eccar_commitment", "measure", measure.id, now=now)


@dataclass(frozen=True)
class ReportLine:
    measure_id: int
    title: str
    status: str
    health: str
    progress: float | None  # 0..1
    leads: tuple[str, ...]
    planned_end: date | None
    last_update: str  # the period of the latest progress update, or ""
    last_assessment: str


@dataclass
class CommitmentSection:
    number: int | None  # None: measures with no commitment
    title: str
    lines: list[ReportLine] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(line.status in {"completed", "evaluated"} for line in self.lines)


@dataclass(frozen=True)
class EccarReport:
    plan_id: int
    plan_title: str
    period_start: date
    period_end: date
    sections: list[CommitmentSection]
    untagged: CommitmentSection


def eccar_report(session: Session, actor: Actor, plan_id: int) -> EccarReport:
    """The plan's measures under the ten commitments (each commitment listed, even without measures)."""
    plan = get_plan(session, actor, plan_id)
    measures = session.exec(select(Measure).where(Measure.plan_id == plan_id)
                            .order_by(col(Measure.position), col(Measure.id))).all()
    ids = [m.id for m in measures if m.id is not None]
    commitments = commitments_of(session, plan_id, ids)
    leads = lead_names(session, ids)
    milestones = milestones_by_measure(session, ids)
    latest: dict[int, tuple[str, str]] = {}
    if ids:
        newest = (select(ProgressUpdate.measure_id, func.max(ProgressUpdate.at).label("at"))
                  .where(col(ProgressUpdate.measure_id).in_(ids)).group_by(col(ProgressUpdate.measure_id))
                  .subquery())
        for update in session.exec(select(ProgressUpdate).join(
                newest, (col(ProgressUpdate.measure_id) == newest.c.measure_id)
                & (col(ProgressUpdate.at) == newest.c.at))).all():
            latest[update.measure_id] = (update.period, update.assessment)
    sections = {number: CommitmentSection(number, title) for number, title in COMMITMENTS}
    untagged = CommitmentSection(None, "")
    for measure in measures:
        assert measure.id is not None
        period, assessment = latest.get(measure.id, ("", ""))
        line = ReportLine(measure.id, measure.title, measure.status, measure.health,
                          progress_of(measure, milestones.get(measure.id, [])), tuple(leads.get(measure.id, [])),
                          measure.planned_end, period, assessment)
        number = commitments.get(measure.id)
        (sections[number] if number is not None else untagged).lines.append(line)
    return EccarReport(plan.id or 0, plan.title, plan.period_start, plan.period_end,
                       [sections[n] for n, _t in COMMITMENTS], untagged)


def report_xlsx(report: EccarReport, headers: dict[str, str], status_labels: dict[str, str]) -> bytes:
    """The report as one sheet: a row per measure under its commitment (headers already translated)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ECCAR"
    sheet.append([report.plan_title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"])
    sheet.append([])
    columns = ("commitment", "measure", "status", "progress", "lead", "planned_end", "last_update")
    sheet.append([headers[c] for c in columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for section in [*report.sections, report.untagged]:
        label = f"{section.number} {section.title}" if section.number is not None else headers["no_commitment"]
        if not section.lines:
            sheet.append([_text(label), headers["none_yet"]])
        for line in section.lines:
            sheet.append([_text(label), _text(line.title), status_labels.get(line.status, line.status),
                          None if line.progress is None else round(line.progress * 100),
                          _text(", ".join(line.leads)), line.planned_end.isoformat() if line.planned_end else "",
                          line.last_update])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: str) -> str:
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value

