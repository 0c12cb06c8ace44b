"""Anonymous (and staff-recorded) reports: the steps of the form, validation, and the durable write."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session

from core.crypto import Argon2Params, seal, seal_to_public
from core.errors import ValidationFailed
from reporting import taxonomy as tx
from reporting.attachments import CleanFile
from reporting.models import Attachment, District, Incident, IncidentCode, ReceivingCentre
from reporting.receipts import new_receipt_code, secrets_for

MAX_DESCRIPTION = 20_000
MAX_CONTACT = 500
MAX_AFFECTED = 10_000
EARLIEST_YEAR = 1990

# The guided flow: each step and the fields it asks. The review step re-checks all of them.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("what", ("incident_types", "motives", "racism_subcodes", "antisemitism_forms")),
    ("where", ("district", "place_type", "online", "year", "month", "day", "recurrence")),
    ("who", ("reporter_role", "target_type", "affected_count", "affected_age_band", "consequences",
             "police_report")),
    ("story", ("description",)),
    ("contact", ("centre_id", "wants_contact", "contact")),
    ("review", ()),
)
STEP_KEYS = tuple(key for key, _fields in STEPS)
ALL_FIELDS = tuple(name for _key, names in STEPS for name in names)
MULTI_FIELDS = {"incident_types": tx.INCIDENT_TYPE, "motives": tx.MOTIVE, "racism_subcodes": tx.RACISM_SUBCODE,
                "antisemitism_forms": tx.ANTISEMITISM_FORM, "consequences": tx.CONSEQUENCE}
CHOICE_FIELDS = {"place_type": tx.PLACE_TYPE, "recurrence": tx.RECURRENCE, "reporter_role": tx.REPORTER_ROLE,
                 "target_type": tx.TARGET_TYPE, "affected_age_band": tx.AGE_BAND,
                 "police_report": tx.POLICE_REPORT}


@dataclass
class ReportInput:
    """A report that passed validation, codes only checked against the current code lists."""

    incident_types: list[str]
    motives: list[str]
    racism_subcodes: list[str]
    antisemitism_forms: list[str]
    district: str | None
    place_type: str | None
    online: bool
    incident_date: date | None
    date_precision: str
    recurrence: str | None
    reporter_role: str
    target_type: str | None
    affected_count: int | None
    affected_age_band: str | None
    consequences: list[str]
    police_report: str | None
    description: str
    centre_id: int
    wants_contact: bool
    contact: str | None
    channel: str = "web_form"
    codes: dict[str, list[str]] = field(default_factory=dict)
    taxonomy_version: str = tx.TAXONOMY_VERSION
    primary_type: str | None = None
    primary_motive: str | None = None


@dataclass(frozen=True)
class IntakeContext:
    """What the deployment offers right now: its districts and the centres that receive reports."""

    districts: frozenset[str]
    centres: frozenset[int]
    default_centre: int | None
    today: date
    # The code lists as the deployment offers them (reporting/code_lists.py), and its taxonomy version.
    code_lists: Mapping[str, tx.CodeList] = field(default_factory=lambda: dict(tx.CODE_LISTS))
    taxonomy_version: str = tx.TAXONOMY_VERSION

    def offered(self, code_list: tx.CodeList) -> tx.CodeList:
        return self.code_lists.get(code_list.name, code_list)


def intake_context(session: Session, *, today: date) -> IntakeContext:
    from sqlmodel import select

    from reporting.code_lists import effective_lists
    districts = frozenset(session.exec(select(District.code)).all())
    centres = session.exec(select(ReceivingCentre.organisation_id, ReceivingCentre.is_default)).all()
    default = next((org for org, is_default in centres if is_default), None)
    if default is None and centres:
        default = min(org for org, _ in centres)
    lists = effective_lists(session)
    return IntakeContext(districts, frozenset(org for org, _ in centres), default, today, lists.offered,
                         lists.version)


def _one(values: Mapping[str, Sequence[str]], name: str) -> str:
    chosen = values.get(name) or []
    return chosen[0].strip() if chosen else ""


def validate_fields(values: Mapping[str, Sequence[str]], names: Sequence[str], ctx: IntakeContext) -> dict[str, str]:
    """Field errors (message ids) for the given fields only, so one step can be checked alone."""
    errors: dict[str, str] = {}
    for name in names:
        problem = _check(values, name, ctx)
        if problem:
            errors[name] = problem
    return errors


def _check(values: Mapping[str, Sequence[str]], name: str, ctx: IntakeContext) -> str | None:
    if name in MULTI_FIELDS:
        chosen = [v for v in values.get(name) or [] if v]
        if any(code not in ctx.offered(MULTI_FIELDS[name]) for code in chosen):
            return "choose_option"
        if name == "incident_types" and not chosen:
            return "choose_incident_type"
        return None
    text = _one(values, name)
    if name in CHOICE_FIELDS:
        if name == "reporter_role" and not text:
            return "choose_reporter_role"
        return "choose_option" if text and text not in ctx.offered(CHOICE_FIELDS[name]) else None
    if name == "district":
        return "choose_option" if text and text != "unknown" and text not in ctx.districts else None
    if name == "online":
        return "choose_option" if text and text not in {"yes", "no"} else None
    if name in {"year", "month", "day"}:
        return _check_date(values, name, ctx)
    if name == "affected_count":
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_AFFECTED:
            return "affected_count_invalid"
        return None
    if name == "description":
        if not text:
            return "describe_incident"
        return "too_long" if len(text) > MAX_DESCRIPTION else None
    if name == "centre_id":
        if not ctx.centres:
            return "no_centre_available"
        if text and (not (text.isascii() and text.isdigit()) or int(text) not in ctx.centres):
            return "choose_option"
        return None
    if name == "wants_contact":
        return "choose_option" if text and text not in {"yes", "no"} else None
    if name == "contact":
        if _one(values, "wants_contact") == "yes" and not text:
            return "contact_needed"
        return "too_long" if len(text) > MAX_CONTACT else None
    return None


def _date_parts(values: Mapping[str, Sequence[str]]) -> tuple[str, str, str]:
    return _one(values, "year"), _one(values, "month"), _one(values, "day")


def _check_date(values: Mapping[str, Sequence[str]], name: str, ctx: IntakeContext) -> str | None:
    year, month, day = _date_parts(values)
    # Report the problem once, at the first part that is wrong.
    try:
        built = build_date(year, month, day)
    except ValueError as exc:
        part = str(exc)
        return "date_invalid" if part == name else None
    if built is not None and built[0] > ctx.today and name == "year":
        return "date_in_future"
    return None


def build_date(year: str, month: str, day: str) -> tuple[date, str] | None:
    """(date, precision) from the three optional parts; ValueError names the part that is wrong."""
    if not year:
        if month or day:
            raise ValueError("year")
        return None
    if not year.isascii() or not year.isdigit() or not EARLIEST_YEAR <= int(year) <= 2100:
        raise ValueError("year")
    if not month:
        if day:
            raise ValueError("month")
        return date(int(year), 1, 1), "year"
    if not month.isascii() or not month.isdigit() or not 1 <= int(month) <= 12:
        raise ValueError("month")
    if not day:
        return date(int(year), int(month), 1), "month"
    if not day.isascii() or not day.isdigit():
        raise ValueError("day")
    try:
        return date(int(year), int(month), int(day)), "day"
    except ValueError:
        raise ValueError("day") from None


def parse_report(values: Mapping[str, Sequence[str]], ctx: IntakeContext, *, channel: str = "web_form") -> ReportInput:
    """The whole report checked at once; ValidationFailed carries every field's problem."""
    errors = validate_fields(values, ALL_FIELDS, ctx)
    if errors:
        raise ValidationFailed(errors)
    year, month, day = _date_parts(values)
    built = build_date(year, month, day)
    motives = [v for v in values.get("motives") or [] if v] or ["unknown"]
    centre_text = _one(values, "centre_id")
    centre_id = int(centre_text) if centre_text else ctx.default_centre
    assert centre_id is not None
    wants_contact = _one(values, "wants_contact") == "yes"
    district = _one(values, "district")
    count = _one(values, "affected_count")
    return ReportInput(
        incident_types=[v for v in values.get("incident_types") or [] if v],
        motives=motives,
        racism_subcodes=[v for v in values.get("racism_subcodes") or [] if v] if "racism" in motives else [],
        antisemitism_forms=[v for v in values.get("antisemitism_forms") or [] if v]
        if "antisemitism" in motives else [],
        district=district if district and district != "unknown" else None,
        place_type=_one(values, "place_type") or None,
        online=_one(values, "online") == "yes",
        incident_date=built[0] if built else None,
        date_precision=built[1] if built else "unknown",
        recurrence=_one(values, "recurrence") or None,
        reporter_role=_one(values, "reporter_role"),
        target_type=_one(values, "target_type") or None,
        affected_count=int(count) if count else None,
        affected_age_band=_one(values, "affected_age_band") or None,
        consequences=[v for v in values.get("consequences") or [] if v],
        police_report=_one(values, "police_report") or None,
        description=_one(values, "description"),
        centre_id=centre_id,
        wants_contact=wants_contact,
        contact=_one(values, "contact") or None if wants_contact else None,
        channel=channel,
        taxonomy_version=ctx.taxonomy_version,
        primary_type=ctx.offered(tx.INCIDENT_TYPE).primary(v for v in values.get("incident_types") or [] if v),
        primary_motive=ctx.offered(tx.MOTIVE).primary(motives),
    )


@dataclass(frozen=True)
class Submitted:
    incident_id: str
    receipt: str


def submit_report(session: Session, report: ReportInput, files: list[CleanFile], *, tag_key: bytes,
                  params: Argon2Params, today: date, with_receipt: bool = True) -> Submitted:
    """Write one report in the caller's transaction: clear codes, sealed text, wrapped keys.

    Core inserts rather than the ORM unit of work: this is the hot path of the public side, and
    its cost should be the receipt's Argon2id derivation, not object bookkeeping.
    """
    centre = session.get(ReceivingCentre, report.centre_id)
    if centre is None:
        raise ValidationFailed({"centre_id": "choose_option"})
    incident_id = secrets.token_hex(16)
    report_key = secrets.token_bytes(32)
    aad = incident_id.encode()
    receipt = new_receipt_code() if with_receipt else ""
    row: dict[str, object] = {
        "id": incident_id,
        "taxonomy_version": report.taxonomy_version,
        "received_on": today,
        "channel": report.channel,
        "reporter_role": report.reporter_role,
        "incident_date": report.incident_date,
        "date_precision": report.date_precision,
        "recurrence": report.recurrence,
        "district": report.district,
        "place_type": report.place_type,
        "life_area": None,
        "online": report.online,
        "primary_type": report.primary_type or tx.INCIDENT_TYPE.primary(report.incident_types),
        "primary_motive": report.primary_motive or tx.MOTIVE.primary(report.motives),
        "target_type": report.target_type,
        "affected_count": report.affected_count,
        "affected_age_band": report.affected_age_band,
        "perpetrator_type": None,
        "police_report": report.police_report,
        "centre_id": report.centre_id,
        "state": "received",
        "verification": "unverified",
        "wants_contact": report.wants_contact,
        "key_for_centre": seal_to_public(centre.public_key, report_key),
        "key_for_receipt": None,
        "receipt_tag": None,
        "receipt_salt": None,
        "receipt_verifier": None,
        "description_sealed": seal(report_key, report.description.encode(), aad + b"/description"),
        "contact_sealed": seal(report_key, report.contact.encode(), aad + b"/contact") if report.contact else None,
    }
    if with_receipt:
        held = secrets_for(receipt, tag_key, params)
        row.update(key_for_receipt=seal(held.wrapping_key, report_key, aad + b"/receipt"), receipt_tag=held.tag,
                   receipt_salt=held.salt, receipt_verifier=held.verifier)
    session.execute(insert(Incident.__table__).values(row))  # type: ignore[attr-defined]
    codes = [{"incident_id": incident_id, "field": name, "code": code}
             for name in ("incident_types", "motives", "racism_subcodes", "antisemitism_forms", "consequences")
             for code in dict.fromkeys(getattr(report, name))]
    if codes:
        session.execute(insert(IncidentCode.__table__), codes)  # type: ignore[attr-defined]
    if files:
        store_attachments(session, incident_id, report_key, files, message_id=None)
    return Submitted(incident_id, receipt)


def store_attachments(session: Session, incident_id: str, report_key: bytes, files: list[CleanFile], *,
                      message_id: int | None) -> None:
    aad = incident_id.encode() + b"/attachment"
    session.execute(insert(Attachment.__table__), [  # type: ignore[attr-defined]
        {"incident_id": incident_id, "message_id": message_id, "media_type": f.media_type, "size": len(f.data),
         "name_sealed": seal(report_key, f.name.encode(), aad), "data_sealed": seal(report_key, f.data, aad)}
        for f in files])
