"""Round-table meetings: list and planning, agenda, attendance, minutes, decisions, register and briefing."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core.actors import Actor
from core.clock import utcnow
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting.statistics import disclosure_from
from strategy import briefing as briefing_domain
from strategy import meetings
from strategy.decisions import create_meeting, record_decision
from strategy.models import DECISION_KINDS, Measure, Meeting, Plan
from strategy.plans import get_plan
from web.briefing_pdf import BriefingPdf
from web.deps import Config, CurrentActor, Db, as_int, form_text
from web.form_pages import save_or_show_again
from web.i18n import gettext_for, language_of
from web.meeting_labels import ATTENDANCE, HEALTHS, MEASURE_STATUSES, MEETING_STATES
from web.meeting_labels import DECISION_KINDS as DECISION_KIND_LABELS
from web.templating import FormState, format_date_for, page
from web.trend_chart import format_number

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Every route names `plan.read` (outsiders get 404); the finer rule is checked next, before any input
# is looked at, so a member without it gets 403 rather than a form error.
READ = {"permission": "plan.read"}
# Kinds a meeting records; adopting the plan itself happens on the plan page.
MEETING_DECISION_KINDS = tuple(kind for kind in DECISION_KINDS if kind != "adopt_plan")


def measure_url(measure_id: int) -> str:
    return f"/plan/massnahmen/{measure_id}"


def plan_url(plan_id: int) -> str:
    return f"/plan/{plan_id}"


def _measures(db: Session, plan_id: int) -> list[Measure]:
    return list(db.exec(select(Measure).where(Measure.plan_id == plan_id)
                        .order_by(col(Measure.position), col(Measure.id))).all())


def _list_page(request: Request[Any, Any, Any], db: Session, actor: Actor, plan: Plan, *, status: int = 200,
               form: FormState | None = None, notice: str | None = None) -> Template:
    assert plan.id is not None
    return page(request, "meetings/list.html", status=status, plan=plan, plan_url=plan_url(plan.id),
                meetings=meetings.meetings_of_plan(db, actor, plan.id), meeting_states=MEETING_STATES,
                form=form or FormState(), notice=notice)


@get("/plan/{plan_id:int}/sitzungen", include_in_schema=False, sync_to_thread=True, opt=READ)
def meeting_list(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                 notice: FromQuery[str | None] = None) -> Template:
    return _list_page(request, db, actor, get_plan(db, actor, plan_id), notice=notice)


@post("/plan/{plan_id:int}/sitzungen", include_in_schema=False, sync_to_thread=True, opt=READ)
def meeting_create(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                   data: Form) -> Template | Redirect:
    plan = get_plan(db, actor, plan_id)
    POLICY.require(actor, "meeting.manage")
    values = {name: form_text(data, name) for name in ("title", "held_on")}
    held_on = meetings.parse_day(values["held_on"])

    def create() -> Meeting:
        if held_on is None:
            raise ValidationFailed({"held_on": "date_needed"})
        return create_meeting(db, actor, plan_id, title=values["title"], held_on=held_on, now=utcnow())

    def show_again(errors: dict[str, str]) -> Template:
        if held_on is None:  # a date field can only show a date; browsers send nothing else anyway
            values["held_on"] = ""
        return _list_page(request, db, actor, plan, status=422, form=FormState(values=values, errors=errors))
    return save_or_show_again(db, create, show_again=show_again,
                              then=lambda meeting: f"/plan/sitzungen/{meeting.id}?notice=meeting_created")


def _meeting_page(request: Request[Any, Any, Any], db: Session, actor: Actor, meeting: Meeting, *,
                  status: int = 200, notice: str | None = None, agenda_form: FormState | None = None,
                  attendance_form: FormState | None = None, minutes_form: FormState | None = None,
                  decision_form: FormState | None = None) -> Template:
    assert meeting.id is not None
    plan = get_plan(db, actor, meeting.plan_id)
    measures = _measures(db, meeting.plan_id)
    titles = {m.id: m.title for m in measures}
    return page(request, "meetings/meeting.html", status=status, meeting=meeting, plan=plan,
                plan_url=plan_url(meeting.plan_id), measure_url=measure_url, measure_titles=titles,
                agenda=meetings.agenda_of(db, meeting.id), attendance=meetings.attendance_of(db, meeting.id),
                minutes=meetings.minutes_of(db, meeting.id),
                decisions=meetings.decision_rows(db, actor, meeting.plan_id, meeting_id=meeting.id),
                measure_options=[(m.id, m.title) for m in measures],
                decision_kind_options=[(k, gettext_for(request, DECISION_KIND_LABELS[k]))
                                       for k in MEETING_DECISION_KINDS],
                decision_kinds=DECISION_KIND_LABELS, meeting_states=MEETING_STATES,
                attendance_statuses=list(meetings.AttendanceStatus), attendance_labels=ATTENDANCE,
                agenda_form=agenda_form or FormState(), attendance_form=attendance_form or FormState(),
                minutes_form=minutes_form or FormState(values={"minutes": meetings.minutes_of(db, meeting.id)}),
                decision_form=decision_form or FormState(), notice=notice)


@get("/plan/sitzungen/{meeting_id:int}", include_in_schema=False, sync_to_thread=True, opt=READ)
def meeting_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int],
                 notice: FromQuery[str | None] = None) -> Template:
    return _meeting_page(request, db, actor, meetings.get_meeting(db, actor, meeting_id), notice=notice)


def _meeting_to_manage(db: Session, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting (404 for outsiders), then the right to manage meetings (403), before any input is read."""
    meeting = meetings.get_meeting(db, actor, meeting_id)
    POLICY.require(actor, "meeting.manage")
    return meeting


def _back_to(meeting_id: int, notice: str) -> str:
    return f"/plan/sitzungen/{meeting_id}?notice={notice}"


@post("/plan/sitzungen/{meeting_id:int}/abgehalten", include_in_schema=False, sync_to_thread=True, opt=READ)
def meeting_held(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int]
                 ) -> Template | Redirect:
    meeting = _meeting_to_manage(db, actor, meeting_id)
    return save_or_show_again(
        db, lambda: meetings.mark_meeting_held(db, actor, meeting, now=utcnow()),
        # The one refusal is a meeting still ahead, told as a notice: the button has no field to mark.
        show_again=lambda _errors: _meeting_page(request, db, actor, meeting, status=422, notice="meeting_in_future"),
        then=_back_to(meeting_id, "meeting_held"))


@post("/plan/sitzungen/{meeting_id:int}/tagesordnung", include_in_schema=False, sync_to_thread=True, opt=READ)
def agenda_add(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int],
               data: Form) -> Template | Redirect:
    meeting = _meeting_to_manage(db, actor, meeting_id)
    # "item_measure_id": the decision form on the same page has its own measure field.
    values = {name: form_text(data, name) for name in ("title", "item_measure_id")}
    allowed = {m.id for m in _measures(db, meeting.plan_id) if m.id is not None}

    def add() -> None:
        measure_id = as_int(values["item_measure_id"]) if values["item_measure_id"] else None
        if values["item_measure_id"] and measure_id is None:
            raise ValidationFailed({"measure_id": "choose_option"})
        meetings.add_agenda_item(db, actor, meeting_id, title=values["title"], measure_id=measure_id,
                                 allowed_measures=allowed, now=utcnow())
    return save_or_show_again(
        db, add,
        show_again=lambda errors: _meeting_page(request, db, actor, meeting, status=422, agenda_form=FormState(
            values=values, errors={("item_measure_id" if name == "measure_id" else name): code
                                   for name, code in errors.items()})),
        then=_back_to(meeting_id, "agenda_saved"))


@post("/plan/sitzungen/{meeting_id:int}/tagesordnung/{item_id:int}", include_in_schema=False,
      sync_to_thread=True, opt=READ)
def agenda_change(db: Db, actor: CurrentActor, meeting_id: FromPath[int], item_id: FromPath[int],
                  data: Form) -> Redirect:
    _meeting_to_manage(db, actor, meeting_id)
    action = form_text(data, "action")
    if action == "remove":
        meetings.remove_agenda_item(db, actor, meeting_id, item_id, now=utcnow())
    elif action in {"up", "down"}:
        meetings.move_agenda_item(db, actor, meeting_id, item_id, up=action == "up", now=utcnow())
    db.commit()
    return Redirect(_back_to(meeting_id, "agenda_saved"), status_code=303)


@post("/plan/sitzungen/{meeting_id:int}/anwesenheit", include_in_schema=False, sync_to_thread=True, opt=READ)
def attendance_save(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int],
                    data: Form) -> Template | Redirect:
    meeting = _meeting_to_manage(db, actor, meeting_id)
    entries: dict[int, tuple[str, str]] = {}
    values: dict[str, str] = {}
    for row in meetings.attendance_of(db, meeting_id):
        status_name, persons_name = f"status-{row.organisation_id}", f"persons-{row.organisation_id}"
        if status_name in data or persons_name in data:
            values[status_name], values[persons_name] = form_text(data, status_name), form_text(data, persons_name)
            entries[row.organisation_id] = (values[status_name], values[persons_name])
    return save_or_show_again(
        db, lambda: meetings.record_attendance(db, actor, meeting_id, entries, now=utcnow()),
        show_again=lambda errors: _meeting_page(request, db, actor, meeting, status=422,
                                                attendance_form=FormState(values=values, errors=errors)),
        then=_back_to(meeting_id, "attendance_saved"))


@post("/plan/sitzungen/{meeting_id:int}/protokoll", include_in_schema=False, sync_to_thread=True, opt=READ)
def minutes_save(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int],
                 data: Form) -> Template | Redirect:
    meeting = _meeting_to_manage(db, actor, meeting_id)
    text = form_text(data, "minutes")
    return save_or_show_again(
        db, lambda: meetings.save_minutes(db, actor, meeting_id, text=text, now=utcnow()),
        show_again=lambda errors: _meeting_page(request, db, actor, meeting, status=422,
                                                minutes_form=FormState(values={"minutes": text}, errors=errors)),
        then=_back_to(meeting_id, "minutes_saved"))


@post("/plan/sitzungen/{meeting_id:int}/beschluesse", include_in_schema=False, sync_to_thread=True,
      opt=READ)
def decision_record(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, meeting_id: FromPath[int],
                    data: Form) -> Template | Redirect:
    meeting = meetings.get_meeting(db, actor, meeting_id)
    POLICY.require(actor, "decision.record")
    values = {name: form_text(data, name) for name in ("kind", "measure_id", "text")}

    def record() -> None:
        measure_id = as_int(values["measure_id"]) if values["measure_id"] else None
        if values["measure_id"] and measure_id is None:
            raise ValidationFailed({"measure_id": "choose_option"})
        if values["kind"] not in MEETING_DECISION_KINDS:
            raise ValidationFailed({"kind": "choose_option"})
        if values["kind"] in meetings.MEASURE_DECISION_KINDS and measure_id is None:
            raise ValidationFailed({"measure_id": "decision_needs_measure"})
        now = utcnow()
        decision = record_decision(db, actor, meeting.plan_id, text=values["text"], kind=values["kind"],
                                   measure_id=measure_id, meeting_id=meeting_id,
                                   decided_on=min(meeting.held_on, now.date()), now=now)
        meetings.apply_decision(db, actor, decision, now=now)
    return save_or_show_again(
        db, record,
        show_again=lambda errors: _meeting_page(request, db, actor, meeting, status=422,
                                                decision_form=FormState(values=values, errors=errors)),
        then=_back_to(meeting_id, "decision_recorded"))


@get("/plan/{plan_id:int}/beschluesse", include_in_schema=False, sync_to_thread=True, opt=READ)
def decision_register(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int]
                      ) -> Template:
    plan = get_plan(db, actor, plan_id)
    return page(request, "meetings/register.html", plan=plan, plan_url=plan_url(plan_id), measure_url=measure_url,
                decisions=meetings.decision_rows(db, actor, plan_id), decision_kinds=DECISION_KIND_LABELS)


def _briefing(db: Session, actor: Actor, plan_id: int, settings: Any) -> briefing_domain.Briefing:
    get_plan(db, actor, plan_id)
    return briefing_domain.briefing(db, actor, plan_id, disclosure_from(settings), today=utcnow().date())


def _shown(request: Request[Any, Any, Any], value: object) -> str:
    from strategy.indicators import SUPPRESSED
    if value is SUPPRESSED:
        return gettext_for(request, "suppressed")
    if value is None:
        return gettext_for(request, "no value")
    assert isinstance(value, float | int)
    return format_number(float(value))


@get("/plan/{plan_id:int}/briefing", include_in_schema=False, sync_to_thread=True, opt=READ)
def briefing_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                  plan_id: FromPath[int]) -> Template:
    brief = _briefing(db, actor, plan_id, settings)
    return page(request, "meetings/briefing.html", brief=brief, plan_url=plan_url(plan_id), measure_url=measure_url,
                status_labels=MEASURE_STATUSES, health_labels=HEALTHS, k=settings.suppression_k,
                shown=partial(_shown, request))


@get("/plan/{plan_id:int}/briefing.pdf", include_in_schema=False, sync_to_thread=True, opt=READ)
def briefing_pdf(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                 plan_id: FromPath[int]) -> Response[bytes]:
    brief = _briefing(db, actor, plan_id, settings)
    lang = language_of(request)
    labels = {"status": MEASURE_STATUSES, "health": HEALTHS}

    def label(kind: str, code: str) -> str:
        return gettext_for(request, labels[kind].get(code, code))

    pdf = BriefingPdf(partial(gettext_for, request), label, partial(_day, lang=lang))
    body = pdf.render(brief, k=settings.suppression_k, now=utcnow())
    return Response(body, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="briefing-{plan_id}-{brief.today.isoformat()}.pdf"',
        "cache-control": "no-store"})


def _day(value: Any, *, lang: str) -> str:
    return format_date_for(value, lang)


ROUTES = [meeting_list, meeting_create, meeting_page, meeting_held, agenda_add, agenda_change, attendance_save,
          minutes_save, decision_record, decision_register, briefing_page, briefing_pdf]
