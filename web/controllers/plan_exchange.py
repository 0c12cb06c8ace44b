"""Spreadsheet exchange of a plan's measures (export for everyone in the strategy group, re-import for
coordinators) and the ECCAR progress report per commitment (page and XLSX)."""

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
from sqlmodel import Session

from core.actors import Actor
from core.clock import utcnow
from core.errors import ValidationFailed
from core.permissions import POLICY
from strategy import exchange
from strategy.eccar import eccar_report, report_xlsx
from strategy.plans import get_plan
from web.deps import CurrentActor, Db, form_text
from web.identity import identity_of
from web.messages import _
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
READ = {"permission": "plan.read"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATUS_LABELS = {
    "proposed": _("Proposed"), "agreed": _("Agreed"), "planned": _("Planned"), "in_progress": _("In progress"),
    "on_hold": _("On hold"), "completed": _("Completed"), "evaluated": _("Evaluated"), "cancelled": _("Cancelled"),
}
ASSESSMENT_LABELS = {"on_track": _("on track"), "at_risk": _("at risk"), "off_track": _("off track")}
REPORT_HEADERS = {
    "commitment": _("Commitment"), "measure": _("Measure"), "status": _("Status"), "progress": _("Progress (%)"),
    "lead": _("Lead"), "planned_end": _("Planned end"), "last_update": _("Last progress update"),
    "no_commitment": _("Without a commitment"), "none_yet": _("No measure yet"),
}

# Row problems raised by strategy.exchange (English message ids), listed here for the catalogues.
ROW_MESSAGES = (
    _("No measure of this plan has this number."),
    _("This measure appears twice in the file."),
    _("The measure was changed after the export. Export again and repeat your edits."),
    _("The status can be changed only on the measure's page, where the workflow asks for decisions."),
    _("Enter a commitment from 1 to 10, or leave the cell empty."),
)


def _gettext(request: Request[Any, Any, Any]) -> Any:
    from web.i18n import language_of, translations
    return translations(language_of(request)).gettext


@get("/plan/{plan_id:int}/export.csv", include_in_schema=False, sync_to_thread=True, opt=READ)
def export_csv(db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Response[bytes]:
    rows = exchange.export_measures(db, actor, plan_id)
    return Response(exchange.as_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="massnahmen-plan-{plan_id}.csv"'})


@get("/plan/{plan_id:int}/export.xlsx", include_in_schema=False, sync_to_thread=True, opt=READ)
def export_xlsx(db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Response[bytes]:
    rows = exchange.export_measures(db, actor, plan_id)
    return Response(exchange.as_xlsx(rows), media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="massnahmen-plan-{plan_id}.xlsx"'})


def _import_page(request: Request[Any, Any, Any], db: Session, actor: Actor, plan_id: int, *, status: int = 200,
                 check: exchange.ImportCheck | None = None, data: str = "", form: FormState | None = None,
                 notice: str | None = None) -> Template:
    plan = get_plan(db, actor, plan_id)
    POLICY.require(actor, "plan.exchange", plan)
    return page(request, "exchange/import.html", status=status, plan=plan, check=check, data=data,
                form=form or FormState(), notice=notice, columns=exchange.COLUMNS, editable=exchange.EDITABLE)


@get("/plan/{plan_id:int}/import", include_in_schema=False, sync_to_thread=True, opt=READ)
def import_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                notice: FromQuery[str | None] = None) -> Template:
    return _import_page(request, db, actor, plan_id, notice=notice)


def _check(request: Request[Any, Any, Any], db: Session, actor: Actor, plan_id: int, content: bytes) -> Template:
    try:
        rows = exchange.read_rows(content)
    except ValidationFailed as exc:
        return _import_page(request, db, actor, plan_id, status=422, form=FormState(errors=exc.errors))
    check = exchange.check_import(db, actor, plan_id, rows)
    return _import_page(request, db, actor, plan_id, status=200 if check.ok else 422, check=check,
                        data=base64.b64encode(content).decode())


def _check_in_session(request: Request[Any, Any, Any], actor: Actor, plan_id: int, content: bytes | None) -> Template:
    with Session(request.app.state.engine) as db:
        if content is None:
            return _import_page(request, db, actor, plan_id, status=422, form=FormState(errors={"file": "required"}))
        return _check(request, db, actor, plan_id, content)


@post("/plan/{plan_id:int}/import", include_in_schema=False, opt=READ)
async def import_upload(request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
    form = await request.form()
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else None
    actor = identity_of(request.state).actor
    return await anyio.to_thread.run_sync(partial(_check_in_session, request, actor, plan_id, content or None))


@post("/plan/{plan_id:int}/import/bestaetigen", include_in_schema=False, sync_to_thread=True, opt=READ)
def import_confirm(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                   data: Form) -> Template | Redirect:
    try:
        content = base64.b64decode(form_text(data, "data"), validate=True)
        rows = exchange.read_rows(content)
    except (ValueError, ValidationFailed):
        return _import_page(request, db, actor, plan_id, status=422,
                            form=FormState(errors={"file": "sheet_unreadable"}))
    try:
        result = exchange.import_measures(db, actor, plan_id, rows, now=utcnow())
    except exchange.ImportRejected as exc:
        db.rollback()
        return _import_page(request, db, actor, plan_id, status=422, check=exc.check, data=form_text(data, "data"))
    db.commit()
    return Redirect(f"/plan/{plan_id}/import?notice=measures_imported&created={result.created}"
                    f"&updated={result.updated}", status_code=303)


@get("/plan/{plan_id:int}/eccar", include_in_schema=False, sync_to_thread=True, opt=READ)
def eccar_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Template:
    return page(request, "exchange/eccar.html", report=eccar_report(db, actor, plan_id),
                status_labels=STATUS_LABELS, assessment_labels=ASSESSMENT_LABELS)


@get("/plan/{plan_id:int}/eccar.xlsx", include_in_schema=False, sync_to_thread=True, opt=READ)
def eccar_download(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                   plan_id: FromPath[int]) -> Response[bytes]:
    gettext = _gettext(request)
    body = report_xlsx(eccar_report(db, actor, plan_id), {k: gettext(v) for k, v in REPORT_HEADERS.items()},
                       {k: gettext(v) for k, v in STATUS_LABELS.items()})
    return Response(body, media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="eccar-bericht-plan-{plan_id}.xlsx"'})


ROUTES = [export_csv, export_xlsx, import_form, import_upload, import_confirm, eccar_page, eccar_download]
