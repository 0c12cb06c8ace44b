"""The counselling centre's workspace: inbox, triage, coding, dialogue, cases, team and audit log."""

from __future__ import annotations

import base64
from functools import partial
from typing import Annotated, Any

import anyio
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core.accounts import User
from core.actors import Actor, Role
from core.audit import record
from core.clock import utcnow
from core.errors import NotFound, ValidationFailed
from reporting import cases, chronicle, dialogue, inbox, retention, sharing, spreadsheet_import, team
from reporting import taxonomy as tx
from reporting.accounts_view import members_of
from reporting.centre_figures import as_csv, as_xlsx, centre_figures, export_rows
from reporting.centres import receiving_centres
from reporting.intake import MULTI_FIELDS, intake_context
from reporting.models import District, Incident
from reporting.receipts import format_receipt
from web.centre_key import centre_key_of
from web.chronicle_labels import STATE_LABELS
from web.deps import CurrentActor, Db, Keys, as_int, form_list, form_text
from web.form_pages import save_or_show_again
from web.identity import identity_of
from web.labels import MONTHS, code_labels_for, options_for
from web.messages import FIELD_MESSAGES
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
INBOX = {"permission": "case.inbox"}


def _no_key(request: Request[Any, Any, Any]) -> Template:
    return page(request, "cases/no_key.html", status=403)


def _access(request: Request[Any, Any, Any], db: Session, actor: Actor, incident_id: str
            ) -> dialogue.ContentAccess | None:
    incident = inbox.get_incident(db, actor, incident_id)  # 404 for other centres before any key is touched
    if incident.content_purged_on is not None:
        return None
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return None
    return dialogue.open_as_centre(db, actor, incident_id, centre_key)


@get("/beratung", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def inbox_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
               verification: FromQuery[str | None] = None, older_than: FromQuery[str | None] = None,
               notice: FromQuery[str | None] = None) -> Template:
    chosen = verification if verification in {*tx.VERIFICATION.codes, "unverified"} else None
    age = as_int(older_than or "")  # "Any time" sends an empty value
    rows = inbox.inbox(db, actor, verification=chosen, older_than_days=age, today=utcnow().date())
    return page(request, "cases/inbox.html", rows=rows, open_cases=cases.open_cases(db, actor), chosen=chosen,
                deadlines=cases.deadlines_due(db, actor, today=utcnow().date()), today=utcnow().date(),
                shared_cases=sharing.shared_with_centre(db, actor),
                chronicle_waiting=chronicle.pending_count(db, actor),
                older_than=age, code_labels=code_labels_for(request, db), notice=notice)


def _incident_page(request: Request[Any, Any, Any], db: Session, actor: Actor, incident_id: str, *,
                   status: int = 200, triage_form: FormState | None = None,
                   reply_form: FormState | None = None, notice: str | None = None) -> Template:
    incident = inbox.get_incident(db, actor, incident_id)
    if incident.content_purged_on is not None:
        return page(request, "cases/purged.html", incident=incident, code_labels=code_labels_for(request, db),
                    notice=notice)
    access = _access(request, db, actor, incident_id)
    if access is None:
        return _no_key(request)
    inbox.mark_read(db, actor, access, now=utcnow())
    db.commit()
    return page(request, "cases/incident.html", status=status, incident=incident,
                codes=inbox.codes_of(db, incident_id), description=dialogue.description_of(db, access),
                contact=dialogue.contact_of(db, access), thread=dialogue.thread(db, access),
                triage_note=inbox.triage_note(incident, access), code_labels=code_labels_for(request, db),
                case_ids=cases.cases_of_incident(db, incident_id), decisions=tx.VERIFICATION.codes,
                chronicle_entries=chronicle.entries_of_incident(db, actor, incident_id), chronicle_states=STATE_LABELS,
                triage_form=triage_form or FormState(values={"decision": incident.verification}),
                reply_form=reply_form or FormState(), notice=notice)


@get("/beratung/meldungen/{incident_id:str}", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def incident_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
                  notice: FromQuery[str | None] = None) -> Template:
    return _incident_page(request, db, actor, incident_id, notice=notice)


@post("/beratung/meldungen/{incident_id:str}/sichtung", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def triage_incident(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
                    data: Form) -> Template | Redirect:
    access = _access(request, db, actor, incident_id)
    if access is None:
        return _no_key(request)
    values = {name: form_text(data, name) for name in ("decision", "note", "duplicate_of")}
    return save_or_show_again(
        db, lambda: inbox.triage(db, actor, access, decision=values["decision"], note=values["note"],
                                 duplicate_of=values["duplicate_of"] or None, now=utcnow()),
        show_again=lambda errors: _incident_page(request, db, actor, incident_id, status=422,
                                                 triage_form=FormState(values=values, errors=errors)),
        then=f"/beratung/meldungen/{incident_id}?notice=triaged")


@post("/beratung/meldungen/{incident_id:str}/antwort", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def reply(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
          data: Form) -> Template | Redirect:
    access = _access(request, db, actor, incident_id)
    if access is None:
        return _no_key(request)
    text = form_text(data, "message")
    return save_or_show_again(
        db, lambda: dialogue.reply_as_centre(db, actor, access, text, now=utcnow()),
        show_again=lambda errors: _incident_page(request, db, actor, incident_id, status=422,
                                                 reply_form=FormState(values={"message": text}, errors=errors)),
        then=f"/beratung/meldungen/{incident_id}?notice=reply_sent")


def _coding_values(db: Session, incident: Incident) -> dict[str, list[str]]:
    values = {name: list(codes) for name, codes in inbox.codes_of(db, incident.id).items()}
    for name in ("district", "place_type", "recurrence", "reporter_role", "target_type", "affected_age_band",
                 "police_report", "life_area", "perpetrator_type", "discrimination_form", "discrimination_level",
                 "channel"):
        value = getattr(incident, name)
        values[name] = [value] if value else []
    values["online"] = ["yes" if incident.online else "no"]
    values["affected_count"] = [str(incident.affected_count)] if incident.affected_count else []
    if incident.incident_date and incident.date_precision != "unknown":
        values["year"] = [str(incident.incident_date.year)]
        if incident.date_precision in {"month", "day"}:
            values["month"] = [str(incident.incident_date.month)]
        if incident.date_precision == "day":
            values["day"] = [str(incident.incident_date.day)]
    return values


def _coding_page(request: Request[Any, Any, Any], db: Session, incident: Incident, values: dict[str, list[str]],
                 errors: dict[str, str], status: int = 200) -> Template:
    shown = {n: (v if n in MULTI_FIELDS else (v[0] if v else "")) for n, v in values.items()}
    districts = db.exec(select(District).order_by(col(District.position))).all()
    return page(request, "cases/coding.html", status=status, incident=incident, form=FormState(shown, errors),
                values=values, options=options_for(request, db), months=MONTHS, districts=[(d.code, d.name)
                                                                                   for d in districts])


@get("/beratung/meldungen/{incident_id:str}/kodierung", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def coding_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                incident_id: FromPath[str]) -> Template:
    incident = inbox.get_incident(db, actor, incident_id, "case.write")
    record(db, actor, "case.read_coding", "incident", incident.id, now=utcnow(), organisation_id=incident.centre_id)
    db.commit()
    return _coding_page(request, db, incident, _coding_values(db, incident), {})


@post("/beratung/meldungen/{incident_id:str}/kodierung", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def save_coding(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
                data: Form) -> Template | Redirect:
    incident = inbox.get_incident(db, actor, incident_id, "case.write")
    names = (*MULTI_FIELDS, "district", "place_type", "online", "year", "month", "day", "recurrence",
             "reporter_role", "target_type", "affected_count", "affected_age_band", "police_report",
             *inbox.COUNSELLING_FIELDS)
    values = {n: form_list(data, n) for n in names}
    now = utcnow()
    return save_or_show_again(
        db, lambda: inbox.recode(db, actor, incident_id, values, intake_context(db, today=now.date()), now=now),
        show_again=lambda errors: _coding_page(request, db, incident, values, errors, 422),
        then=f"/beratung/meldungen/{incident_id}?notice=coded")


STAFF_FIELDS = (*MULTI_FIELDS, "district", "place_type", "online", "year", "month", "day", "recurrence",
                "reporter_role", "target_type", "affected_count", "affected_age_band", "consequences", "police_report",
                "description", "wants_contact", "contact")


def _record_page(request: Request[Any, Any, Any], db: Session, values: dict[str, list[str]], errors: dict[str, str],
                 status: int = 200) -> Template:
    shown = {n: (v if n in MULTI_FIELDS else (v[0] if v else "")) for n, v in values.items()}
    districts = db.exec(select(District).order_by(col(District.position))).all()
    return page(request, "cases/record.html", status=status, form=FormState(shown, errors), values=values,
                options=options_for(request, db), months=MONTHS, districts=[(d.code, d.name) for d in districts])


@get("/beratung/neu", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def record_form(request: Request[Any, Any, Any], db: Db) -> Template:
    return _record_page(request, db, {"channel": ["phone"], "reporter_role": ["affected"]}, {})


@post("/beratung/neu", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def record_incident(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, data: Form) -> Template | Redirect:
    values = {n: form_list(data, n) for n in (*STAFF_FIELDS, "channel", "with_receipt")}
    state = request.app.state
    now = utcnow()
    try:
        incident, receipt = inbox.record_staff_incident(
            db, actor, values, intake_context(db, today=now.date()), channel=form_text(data, "channel"),
            tag_key=state.receipt_tag_key, params=state.crypto.argon2, now=now,
            with_receipt=form_text(data, "with_receipt") == "yes")
    except ValidationFailed as exc:
        db.rollback()
        return _record_page(request, db, values, exc.errors, 422)
    db.commit()
    if receipt:
        return page(request, "cases/recorded_receipt.html", incident=incident, receipt=format_receipt(receipt))
    return Redirect(f"/beratung/meldungen/{incident.id}?notice=recorded", status_code=303)


@post("/beratung/meldungen/{incident_id:str}/fall", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def open_case(db: Db, actor: CurrentActor, incident_id: FromPath[str]) -> Redirect:
    incident = inbox.get_incident(db, actor, incident_id, "case.write")
    case = cases.open_case(db, actor, incident, now=utcnow())
    db.commit()
    return Redirect(f"/beratung/faelle/{case.id}", status_code=303)


def _case_page(request: Request[Any, Any, Any], db: Session, actor: Actor, case_id: int, *, status: int = 200,
               event_form: FormState | None = None, status_form: FormState | None = None,
               notice: str | None = None) -> Template:
    case = cases.get_case(db, actor, case_id)
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return _no_key(request)
    entries = cases.timeline(db, actor, cases.case_access(db, actor, case, centre_key), now=utcnow())
    db.commit()
    counsellors = members_of(db, case.organisation_id, Role.COUNSELLOR)
    partners = [(org, name) for org, name, _default in receiving_centres(db) if org != case.organisation_id]
    names = dict(partners)
    shared = [(org, names.get(org, str(org))) for org in sharing.partners_of(db, case)]
    return page(request, "cases/case.html", status=status, case=case, entries=entries, partners=partners,
                shared=shared, owner=case.organisation_id == actor.organisation_id,
                incidents=cases.incidents_of(db, case_id), assigned=cases.members_assigned(db, case_id),
                counsellors=counsellors, options=options_for(request, db), code_labels=code_labels_for(request, db),
                event_form=event_form or FormState(), status_form=status_form or FormState(
                    values={"status": case.status, "outcome": case.outcome or ""}), notice=notice)


@get("/beratung/faelle/{case_id:int}", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def case_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
              notice: FromQuery[str | None] = None) -> Template:
    return _case_page(request, db, actor, case_id, notice=notice)


def _case_page_with_errors(request: Request[Any, Any, Any], db: Session, actor: Actor, case_id: int,
                           errors: dict[str, str]) -> Template:
    """The case again after a refused assignment, hand-over or share: their errors travel in `event_form`, and the
    template shows each next to its own form (see cases/case.html)."""
    return _case_page(request, db, actor, case_id, status=422, event_form=FormState(errors=errors))


@post("/beratung/faelle/{case_id:int}/eintrag", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def add_case_event(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
                   data: Form) -> Template | Redirect:
    case = cases.get_case(db, actor, case_id, "case.document")
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return _no_key(request)
    values = {n: form_text(data, n) for n in ("kind", "code", "on_date", "text")}
    return save_or_show_again(
        db, lambda: cases.add_event(db, actor, cases.case_access(db, actor, case, centre_key), kind=values["kind"],
                                    code=values["code"], on_date=values["on_date"], text=values["text"],
                                    now=utcnow()),
        show_again=lambda errors: _case_page(request, db, actor, case_id, status=422,
                                             event_form=FormState(values, errors)),
        then=f"/beratung/faelle/{case_id}?notice=saved")


@post("/beratung/faelle/{case_id:int}/status", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def change_status(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
                  data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("status", "outcome")}
    return save_or_show_again(
        db, lambda: cases.set_status(db, actor, case_id, status=values["status"], outcome=values["outcome"],
                                     now=utcnow()),
        show_again=lambda errors: _case_page(request, db, actor, case_id, status=422,
                                             status_form=FormState(values, errors)),
        then=f"/beratung/faelle/{case_id}?notice=saved")


@post("/beratung/faelle/{case_id:int}/zuweisung", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def assign_case(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
                data: Form) -> Template | Redirect:
    chosen = [n for n in (as_int(v) for v in form_list(data, "members")) if n is not None]
    return save_or_show_again(
        db, lambda: cases.assign(db, actor, case_id, chosen, now=utcnow()),
        show_again=partial(_case_page_with_errors, request, db, actor, case_id),
        then=f"/beratung/faelle/{case_id}?notice=saved")


@post("/beratung/faelle/{case_id:int}/uebergabe", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def hand_over(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
              data: Form) -> Template | Redirect:
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return _no_key(request)
    target = form_text(data, "target")
    return save_or_show_again(
        db, lambda: cases.hand_over(db, actor, case_id, as_int(target) or 0, centre_key, now=utcnow()),
        show_again=partial(_case_page_with_errors, request, db, actor, case_id),
        then="/beratung?notice=handed_over")


@post("/beratung/faelle/{case_id:int}/frist/{event_id:int}/erledigt", include_in_schema=False, sync_to_thread=True,
      opt=INBOX)
def deadline_done(db: Db, actor: CurrentActor, case_id: FromPath[int], event_id: FromPath[int]) -> Redirect:
    cases.mark_deadline_done(db, actor, case_id, event_id, now=utcnow())
    db.commit()
    return Redirect(f"/beratung/faelle/{case_id}?notice=saved", status_code=303)


@post("/beratung/faelle/{case_id:int}/teilen", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def share(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, case_id: FromPath[int],
          data: Form) -> Template | Redirect:
    case = cases.get_case(db, actor, case_id, "case.write")
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return _no_key(request)
    return save_or_show_again(
        db, lambda: sharing.share_case(db, actor, case, as_int(form_text(data, "partner")) or 0, centre_key,
                                       now=utcnow()),
        show_again=partial(_case_page_with_errors, request, db, actor, case_id),
        then=f"/beratung/faelle/{case_id}?notice=shared")


@post("/beratung/faelle/{case_id:int}/teilen-beenden/{partner_id:int}", include_in_schema=False,
      sync_to_thread=True, opt=INBOX)
def end_share(db: Db, actor: CurrentActor, case_id: FromPath[int], partner_id: FromPath[int]) -> Redirect:
    case = cases.get_case(db, actor, case_id, "case.write")
    sharing.end_share(db, actor, case, partner_id, now=utcnow())
    db.commit()
    return Redirect(f"/beratung/faelle/{case_id}?notice=share_ended", status_code=303)


@post("/beratung/faelle/{case_id:int}/inhalt-loeschen", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def purge_case(db: Db, actor: CurrentActor, case_id: FromPath[int]) -> Redirect:
    retention.delete_case_content_now(db, actor, case_id, now=utcnow())
    db.commit()
    return Redirect(f"/beratung/faelle/{case_id}?notice=content_deleted", status_code=303)


@get("/beratung/statistik", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def figures_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor) -> Template:
    return page(request, "cases/figures.html", figures=centre_figures(db, actor),
                code_labels=code_labels_for(request, db))


@post("/beratung/export", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def export(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, data: Form) -> Response[bytes] | Template:
    with_text = form_text(data, "with_descriptions") == "yes"
    centre_key = centre_key_of(request, db, actor) if with_text else None
    if with_text and centre_key is None:
        return _no_key(request)
    rows = export_rows(db, actor, now=utcnow(), with_descriptions=with_text, centre_key=centre_key)
    db.commit()
    if form_text(data, "format") == "xlsx":
        body, media, suffix = as_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    else:
        body, media, suffix = as_csv(rows), "text/csv; charset=utf-8", "csv"
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="vorort-faelle.{suffix}"'})


@get("/beratung/import", include_in_schema=False, opt=INBOX)
async def import_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "cases/import.html", preview=None, data="", targets=spreadsheet_import.TARGETS)


def _import_preview(request: Request[Any, Any, Any], db: Session, actor: Actor, sheet_data: bytes, filename: str,
                    mapping: dict[str, str] | None, *, status: int = 200,
                    errors: dict[str, str] | None = None) -> Template:
    try:
        sheet = spreadsheet_import.read_sheet(filename, sheet_data)
    except ValidationFailed as exc:
        return page(request, "cases/import.html", status=422, preview=None, data="",
                    targets=spreadsheet_import.TARGETS, form=FormState(errors=exc.errors))
    assert actor.organisation_id is not None
    checked = spreadsheet_import.preview(sheet, mapping or spreadsheet_import.guess_mapping(sheet),
                                         intake_context(db, today=utcnow().date()), actor.organisation_id)
    return page(request, "cases/import.html", status=status if checked.ok else 422, preview=checked,
                data=base64.b64encode(sheet_data).decode(), filename=filename, targets=spreadsheet_import.TARGETS,
                form=FormState(errors=errors or {}), field_messages_map=FIELD_MESSAGES)


@post("/beratung/import", include_in_schema=False, opt=INBOX)
async def import_upload(request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    upload = form.get("file")
    identity_actor = identity_of(request.state).actor
    if not isinstance(upload, UploadFile):
        return page(request, "cases/import.html", status=422, preview=None, data="",
                    targets=spreadsheet_import.TARGETS, form=FormState(errors={"file": "required"}))
    content = await upload.read()
    return await anyio.to_thread.run_sync(partial(_in_session, request, identity_actor, content,
                                                  upload.filename or ""))


def _in_session(request: Request[Any, Any, Any], actor: Actor, content: bytes, filename: str) -> Template:
    with Session(request.app.state.engine) as db:
        return _import_preview(request, db, actor, content, filename, None)


@post("/beratung/import/bestaetigen", include_in_schema=False, sync_to_thread=True, opt=INBOX)
def import_confirm(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, data: Form) -> Template | Redirect:
    try:
        content = base64.b64decode(form_text(data, "data"), validate=True)
    except ValueError:
        return page(request, "cases/import.html", status=422, preview=None, data="",
                    targets=spreadsheet_import.TARGETS, form=FormState(errors={"file": "sheet_unreadable"}))
    mapping = {t: form_text(data, f"map_{t}") for t in spreadsheet_import.TARGETS if form_text(data, f"map_{t}")}
    if form_text(data, "go") != "import":
        return _import_preview(request, db, actor, content, form_text(data, "filename"), mapping)
    state = request.app.state
    now = utcnow()

    def import_sheet() -> int:
        sheet = spreadsheet_import.read_sheet(form_text(data, "filename"), content)
        return spreadsheet_import.import_rows(db, actor, sheet, mapping, intake_context(db, today=now.date()),
                                              tag_key=state.receipt_tag_key, params=state.crypto.argon2, now=now)
    return save_or_show_again(
        db, import_sheet,
        show_again=lambda errors: _import_preview(request, db, actor, content, form_text(data, "filename"), mapping,
                                                  status=422, errors=errors),
        then=lambda count: f"/beratung?notice=imported&count={count}")


@get("/beratung/team", include_in_schema=False, sync_to_thread=True, opt={"permission": "centre.members"})
def team_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
              notice: FromQuery[str | None] = None) -> Template:
    return page(request, "cases/team.html", members=team.team(db, actor), notice=notice,
                has_key=centre_key_of(request, db, actor) is not None)


@post("/beratung/team/{user_id:int}/zugang", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "centre.members"})
def grant(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, user_id: FromPath[int]) -> Redirect | Template:
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return _no_key(request)
    try:
        team.grant_access(db, actor, user_id, centre_key, now=utcnow())
    except ValidationFailed:
        return Redirect("/beratung/team?notice=member_has_no_key", status_code=303)
    db.commit()
    return Redirect("/beratung/team?notice=access_granted", status_code=303)


@post("/beratung/team/{user_id:int}/entzug", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "centre.members"})
def revoke(db: Db, actor: CurrentActor, user_id: FromPath[int]) -> Redirect:
    try:
        team.revoke_access(db, actor, user_id, now=utcnow())
    except NotFound:
        return Redirect("/beratung/team", status_code=303)
    db.commit()
    return Redirect("/beratung/team?notice=access_revoked", status_code=303)


@post("/beratung/team/wiederherstellung", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "centre.members"})
def recover(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, crypto: Keys,
            data: Form) -> Template | Redirect:
    return save_or_show_again(
        db, lambda: team.recover(db, actor, form_text(data, "recovery_key"), crypto.argon2, now=utcnow()),
        show_again=lambda errors: page(request, "cases/team.html", status=422, members=team.team(db, actor),
                                       notice=None, has_key=False, form=FormState(errors=errors)),
        then="/beratung/team?notice=recovered")


@get("/beratung/protokoll", include_in_schema=False, sync_to_thread=True, opt={"permission": "centre.audit"})
def audit_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor) -> Template:
    names = {u.id: u.display_name for u in db.exec(select(User)).all()}
    return page(request, "cases/audit.html", events=team.audit_log(db, actor), names=names)


ROUTES = [deadline_done, share, end_share, hand_over, import_form, import_upload, import_confirm, inbox_page,
          record_form, record_incident, incident_page, triage_incident, reply, coding_form, save_coding,
          open_case, case_page, add_case_event, change_status, assign_case, purge_case, figures_page, export,
          team_page, grant, revoke, recover, audit_page]
