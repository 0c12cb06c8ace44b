"""The joint action plan: plans from templates, overview, timeline, board, measures, co-owners, workflow,
progress updates, comments and history; and the public progress page.

Every route declares `plan.read`, so people outside the strategy group get 404; the domain functions check
the finer rules (coordinator, organisation holding the measure, invited organisation) and answer 403."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core.accounts import list_organisations
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, ValidationFailed
from core.permissions import POLICY
from reporting.models import District
from strategy import comments, decisions, history, measures, ownership, plans, updates
from strategy.meetings import decision_rows_of_measure
from strategy.models import ActionField, Goal, Measure
from strategy.overview import board, my_measures, plan_measures, plan_overview, public_progress
from strategy.progress import milestones_by_measure, progress_of
from strategy.templates import TEMPLATES
from strategy.workflow import TransitionNotAllowed, allowed_targets, needs_decision
from web import plan_labels as labels
from web.deps import CurrentActor, Db, as_int, form_list, form_text
from web.form_pages import save_or_show_again
from web.i18n import gettext_for
from web.labels import CODE_LABELS, options_for
from web.messages import _
from web.plan_timeline import timeline_svg
from web.templating import FormState, page
from web.trend_chart import goal_indicators, indicator_panel

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
READ = {"permission": "plan.read"}
NOT_POSSIBLE = _("This step is not possible from the current status.")


def _page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    def translated(mapping: dict[str, str]) -> list[tuple[str, str]]:
        """(code, label in the request's language) pairs for radios and selects."""
        return [(code, gettext_for(request, text)) for code, text in mapping.items()]
    return page(request, template, status=status, pl=labels, code_labels=CODE_LABELS, options=options_for(request),
                translated=translated, **context)


def _date(text: str) -> date | None:
    try:
        return measures.parse_date(text.strip())
    except ValueError:
        return None


# --- plans -------------------------------------------------------------------------------------------------

def _plans_page(request: Request[Any, Any, Any], db: Session, actor: Actor, *, status: int = 200,
                form: FormState | None = None, notice: str | None = None) -> Template:
    rows = plans.list_plans(db, actor)
    counts = plans.measure_counts(db)
    today = utcnow().date()
    return _page(request, "plans/list.html", status=status, plans=rows, counts=counts,
                 templates=list(TEMPLATES.values()), notice=notice,
                 form=form or FormState(values={"template": "integration_vor_ort",
                                                "period_start": date(today.year, 1, 1).isoformat(),
                                                "period_end": date(today.year + 2, 12, 31).isoformat()}))


@get("/plan", include_in_schema=False, sync_to_thread=True, opt=READ)
def plan_list(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
              notice: FromQuery[str | None] = None) -> Template:
    return _plans_page(request, db, actor, notice=notice)


@post("/plan", include_in_schema=False, sync_to_thread=True, opt=READ)
def create_plan(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("template", "title", "period_start", "period_end")}
    return save_or_show_again(
        db, lambda: plans.create_plan(db, actor, template=values["template"], title=values["title"],
                                      period_start=_date(values["period_start"]),
                                      period_end=_date(values["period_end"]), now=utcnow()),
        show_again=lambda errors: _plans_page(request, db, actor, status=422, form=FormState(values, errors)),
        then=lambda plan: f"/plan/{plan.id}?notice=plan_created")


def _overview_page(request: Request[Any, Any, Any], db: Session, actor: Actor, plan_id: int, *, status: int = 200,
                   decision_form: FormState | None = None, adopt_form: FormState | None = None,
                   structure_form: FormState | None = None, notice: str | None = None) -> Template:
    overview = plan_overview(db, actor, plan_id)
    plan_decisions = decisions.list_decisions(db, actor, plan_id)
    progress_by_field = {f.field_id: f for f in overview.progress.fields}
    progress_by_goal = {g.goal_id: g for f in overview.progress.fields for g in f.goals}
    measure_options = [(str(m.id), m.title) for f in overview.fields for g in f.goals for m in g.measures]
    return _page(request, "plans/overview.html", status=status, overview=overview, plan=overview.plan,
                 progress=overview.progress, progress_by_field=progress_by_field, progress_by_goal=progress_by_goal,
                 decisions=plan_decisions, measure_options=measure_options,
                 goal_indicators=goal_indicators(db, request.app.state.settings, plan_id),
                 decision_kind_options=[(k, gettext_for(request, v)) for k, v in labels.DECISION_KIND_LABELS.items()],
                 field_options=[(str(f.field.id), f.field.title) for f in overview.fields],
                 adopt_options=[(str(d.id), f"{d.number} – {d.text[:80]}") for d in plan_decisions
                                if d.kind == "adopt_plan"],
                 decision_form=decision_form or FormState(values={"decided_on": utcnow().date().isoformat(),
                                                                  "kind": "agree"}),
                 adopt_form=adopt_form or FormState(), structure_form=structure_form or FormState(),
                 notice=notice)


@get("/plan/{plan_id:int}", include_in_schema=False, sync_to_thread=True, opt=READ)
def plan_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
              notice: FromQuery[str | None] = None) -> Template:
    return _overview_page(request, db, actor, plan_id, notice=notice)


@post("/plan/{plan_id:int}/beschluesse", include_in_schema=False, sync_to_thread=True, opt=READ)
def record_decision(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                    data: Form) -> Template | Redirect:
    POLICY.require(actor, "decision.record")
    values = {n: form_text(data, n) for n in ("text", "kind", "measure_id", "decided_on", "number")}
    decided_on = _date(values["decided_on"])

    def record() -> None:
        if decided_on is None:
            raise ValidationFailed({"decided_on": "Enter a date."})
        decisions.record_decision(db, actor, plan_id, text=values["text"], kind=values["kind"],
                                  measure_id=as_int(values["measure_id"]), meeting_id=None, decided_on=decided_on,
                                  number=values["number"], now=utcnow())
    return save_or_show_again(
        db, record,
        show_again=lambda errors: _overview_page(request, db, actor, plan_id, status=422,
                                                 decision_form=FormState(values, errors)),
        then=f"/plan/{plan_id}?notice=decision_recorded#decisions")


@post("/plan/{plan_id:int}/annehmen", include_in_schema=False, sync_to_thread=True, opt=READ)
def adopt_plan(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
               data: Form) -> Template | Redirect:
    values = {"decision_id": form_text(data, "decision_id")}
    try:
        plans.adopt_plan(db, actor, plan_id, decision_id=as_int(values["decision_id"]), now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        return _overview_page(request, db, actor, plan_id, status=422, adopt_form=FormState(values, exc.errors))
    except Conflict:
        db.rollback()
        return _overview_page(request, db, actor, plan_id, status=409,
                              adopt_form=FormState(values, {"decision_id": NOT_POSSIBLE}))
    db.commit()
    return Redirect(f"/plan/{plan_id}?notice=plan_adopted", status_code=303)


@post("/plan/{plan_id:int}/archivieren", include_in_schema=False, sync_to_thread=True, opt=READ)
def archive_plan(db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Redirect:
    try:
        plans.archive_plan(db, actor, plan_id, now=utcnow())
    except Conflict:
        db.rollback()
        return Redirect(f"/plan/{plan_id}", status_code=303)
    db.commit()
    return Redirect(f"/plan/{plan_id}?notice=plan_archived", status_code=303)


@post("/plan/{plan_id:int}/handlungsfelder", include_in_schema=False, sync_to_thread=True, opt=READ)
def add_action_field(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                     data: Form) -> Template | Redirect:
    values = {"field_title": form_text(data, "field_title"), "field_description": form_text(data, "field_description")}
    return save_or_show_again(
        db, lambda: plans.add_action_field(db, actor, plan_id, title=values["field_title"],
                                           description=values["field_description"], now=utcnow()),
        show_again=lambda errors: _overview_page(request, db, actor, plan_id, status=422, structure_form=FormState(
            values, {f"field_{k}": v for k, v in errors.items()})),
        then=f"/plan/{plan_id}?notice=saved")


@post("/plan/{plan_id:int}/ziele", include_in_schema=False, sync_to_thread=True, opt=READ)
def add_goal(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
             data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("action_field_id", "goal_title", "goal_weight")}
    POLICY.require(actor, "plan.manage")
    plans.get_plan(db, actor, plan_id)
    action_field = db.get(ActionField, as_int(values["action_field_id"]) or 0)

    def add() -> None:
        if action_field is None or action_field.plan_id != plan_id:
            raise ValidationFailed({"action_field_id": "Choose one of the options."})
        plans.add_goal(db, actor, action_field.id or 0, title=values["goal_title"],
                       weight=as_int(values["goal_weight"] or "1") or 0, now=utcnow())
    return save_or_show_again(
        db, add,
        show_again=lambda errors: _overview_page(request, db, actor, plan_id, status=422, structure_form=FormState(
            values, {("goal_" + k if k in {"title", "weight"} else k): v for k, v in errors.items()})),
        then=f"/plan/{plan_id}?notice=saved")


@get("/plan/{plan_id:int}/zeitplan", include_in_schema=False, sync_to_thread=True, opt=READ)
def timeline(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Template:
    plan = plans.get_plan(db, actor, plan_id)
    rows = plan_measures(db, actor, plan_id)
    dated = [m for m in rows if m.planned_start or m.actual_start]
    status_labels = {code: gettext_for(request, text) for code, text in labels.STATUS_LABELS.items()}
    svg = timeline_svg(rows, first=plan.period_start, last=plan.period_end, today=utcnow().date(),
                       title=gettext_for(request, _("Timeline of the measures of %(plan)s"), plan=plan.title),
                       description=gettext_for(request, _("Light bars show the planned period, dark bars the "
                                                          "actual one. The table below lists the same dates.")),
                       status_labels=status_labels, today_label=gettext_for(request, _("today")))
    return _page(request, "plans/timeline.html", plan=plan, svg=svg, rows=rows, dated=dated,
                 undated=[m for m in rows if m not in dated])


@get("/plan/{plan_id:int}/tafel", include_in_schema=False, sync_to_thread=True, opt=READ)
def status_board(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int]) -> Template:
    plan = plans.get_plan(db, actor, plan_id)
    return _page(request, "plans/board.html", plan=plan, columns=board(db, actor, plan_id))


# --- measures ----------------------------------------------------------------------------------------------

def _goal_options(db: Session, plan_id: int) -> list[tuple[str, str]]:
    return [(str(g.id), f"{f.title} › {g.title}") for f, goals in plans.fields_and_goals(db, plan_id) for g in goals]


def _districts(db: Session) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in db.exec(select(District).order_by(col(District.position))).all()]


def _measure_form_page(request: Request[Any, Any, Any], db: Session, actor: Actor, plan_id: int, form: FormState,
                       *, measure: Measure | None, status: int = 200, notice: str | None = None) -> Template:
    return _page(request, "plans/measure_form.html", status=status, plan=plans.get_plan(db, actor, plan_id),
                 measure=measure, form=form, goal_options=_goal_options(db, plan_id), districts=_districts(db),
                 notice=notice)


MEASURE_FIELDS = measures.FORM_FIELDS


def _measure_values(data: dict[str, Any]) -> dict[str, list[str]]:
    return {n: form_list(data, n) for n in MEASURE_FIELDS}


def _shown(values: dict[str, list[str]]) -> dict[str, Any]:
    return {n: (v if n in measures.MULTI else (v[0] if v else "")) for n, v in values.items()}


@get("/plan/{plan_id:int}/massnahmen/neu", include_in_schema=False, sync_to_thread=True, opt=READ)
def new_measure_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                     goal: FromQuery[int | None] = None) -> Template:
    POLICY.require(actor, "measure.propose")
    values = {"goal_id": str(goal or ""), "health": "on_track", "progress_mode": "milestones",
              "visibility": "internal", "weight": "1", "progress_manual": "0"}
    return _measure_form_page(request, db, actor, plan_id, FormState(values=values), measure=None)


@post("/plan/{plan_id:int}/massnahmen/neu", include_in_schema=False, sync_to_thread=True, opt=READ)
def propose_measure(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, plan_id: FromPath[int],
                    data: Form) -> Template | Redirect:
    POLICY.require(actor, "measure.propose")
    values = _measure_values(data)
    goal_ids, district_codes = measures.measure_form_context(db, plan_id)
    return save_or_show_again(
        db, lambda: measures.propose_measure(
            db, actor, plan_id, measures.parse_measure(values, goal_ids=goal_ids, district_codes=district_codes),
            now=utcnow()),
        show_again=lambda errors: _measure_form_page(request, db, actor, plan_id, FormState(_shown(values), errors),
                                                     measure=None, status=422),
        then=lambda measure: f"/plan/massnahmen/{measure.id}?notice=measure_proposed")


@get("/plan/massnahmen/{measure_id:int}/bearbeiten", include_in_schema=False, sync_to_thread=True, opt=READ)
def edit_measure_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                      measure_id: FromPath[int]) -> Template:
    measure = measures.get_measure(db, actor, measure_id)
    measures.require_edit(db, actor, measure)
    form = FormState(values={**_shown(measures.form_values(db, measure)), "version": str(measure.version)})
    return _measure_form_page(request, db, actor, measure.plan_id, form, measure=measure)


@post("/plan/massnahmen/{measure_id:int}/bearbeiten", include_in_schema=False, sync_to_thread=True, opt=READ)
def save_measure(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
                 data: Form) -> Template | Redirect:
    measure = measures.get_measure(db, actor, measure_id)
    measures.require_edit(db, actor, measure)
    values = _measure_values(data)
    version = form_text(data, "version")
    goal_ids, district_codes = measures.measure_form_context(db, measure.plan_id)
    try:
        parsed = measures.parse_measure(values, goal_ids=goal_ids, district_codes=district_codes)
        measures.update_measure(db, actor, measure_id, parsed, version=as_int(version), now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        return _measure_form_page(request, db, actor, measure.plan_id, FormState({**_shown(values), "version": version},
                                                                          exc.errors), measure=measure, status=422)
    except Conflict:
        # Someone saved in between: show their values, keep nothing silently overwritten.
        db.rollback()
        db.refresh(measure)
        form = FormState(values={**_shown(measures.form_values(db, measure)), "version": str(measure.version)})
        return _measure_form_page(request, db, actor, measure.plan_id, form, measure=measure, status=409,
                                  notice="stale")
    db.commit()
    return Redirect(f"/plan/massnahmen/{measure_id}?notice=saved", status_code=303)


def _measure_page(request: Request[Any, Any, Any], db: Session, actor: Actor, measure_id: int, *,
                  status: int = 200, forms: dict[str, FormState] | None = None,
                  notice: str | None = None) -> Template:
    measure = measures.get_measure(db, actor, measure_id)
    plan = plans.get_plan(db, actor, measure.plan_id)
    goal = db.get(Goal, measure.goal_id)
    action_field = db.get(ActionField, goal.action_field_id) if goal else None
    access = ownership.measure_access(db, measure_id)
    milestones = measures.milestones_of(db, measure_id)
    progress = progress_of(measure, milestones_by_measure(db, [measure_id]).get(measure_id, []))
    targets = allowed_targets(measure.status)
    decision_options = [(str(d.id), f"{d.number} – {d.text[:80]}") for d in decisions.list_decisions(
        db, actor, measure.plan_id, kinds=("agree", "adopt_plan", "cancel", "close"), measure_id=measure_id)]
    taken = {(r.organisation_id, r.role) for r in ownership.roles_of_measure(db, actor, measure_id)
             if r.state in {"invited", "active"}}
    forms = forms or {}
    return _page(
        request, "plans/measure.html", status=status, measure=measure, plan=plan, goal=goal,
        action_field=action_field, codes=measures.codes_of(db, measure_id), districts=dict(_districts(db)),
        roles=ownership.roles_of_measure(db, actor, measure_id), milestones=milestones, progress=progress,
        history=measures.status_history(db, actor, measure_id), targets=targets,
        needs_decision={t: needs_decision(t) for t in targets}, decision_options=decision_options,
        periods=updates.updates_by_period(db, actor, measure_id),
        comments=comments.visible_comments(db, actor, measure_id),
        revisions=history.measure_history(db, actor, measure_id),
        can_edit=POLICY.can(actor, "measure.edit", access), can_invite=POLICY.can(actor, "measure.invite", access),
        can_comment=POLICY.can(actor, "measure.comment"),
        organisation_options=[(str(o.id), o.name) for o in list_organisations(db)
                              if any((o.id, kind) not in taken for kind in labels.ROLE_KIND_LABELS)],
        status_form=forms.get("status") or FormState(),
        invite_form=forms.get("invite") or FormState(values={"role": "contributor"}),
        milestone_form=forms.get("milestone") or FormState(values={"milestone_weight": "1"}),
        update_form=forms.get("update") or FormState(values={"period": updates.current_period(utcnow()),
                                                             "assessment": "on_track"}),
        comment_form=forms.get("comment") or FormState(values={"visibility": "strategy_group"}),
        # Indicators with their trends and the decisions about the measure (the `meetings` part).
        indicator_panel=indicator_panel(db, request.app.state.settings, measure_id=measure_id),
        measure_decisions=decision_rows_of_measure(db, actor, measure), decision_kinds=labels.DECISION_KIND_LABELS,
        notice=notice)


@get("/plan/massnahmen/{measure_id:int}", include_in_schema=False, sync_to_thread=True, opt=READ)
def measure_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
                 notice: FromQuery[str | None] = None) -> Template:
    return _measure_page(request, db, actor, measure_id, notice=notice)


@post("/plan/massnahmen/{measure_id:int}/einladung", include_in_schema=False, sync_to_thread=True, opt=READ)
def invite(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
           data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("organisation_id", "role")}
    return save_or_show_again(
        db, lambda: ownership.invite_organisation(db, actor, measure_id,
                                                  organisation_id=as_int(values["organisation_id"]),
                                                  role=values["role"], now=utcnow()),
        show_again=lambda errors: _measure_page(request, db, actor, measure_id, status=422,
                                                forms={"invite": FormState(values, errors)}),
        then=f"/plan/massnahmen/{measure_id}?notice=invited#roles")


@post("/plan/massnahmen/{measure_id:int}/status", include_in_schema=False, sync_to_thread=True, opt=READ)
def change_status(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
                  data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("target", "reason", "decision_id", "evidence")}
    try:
        measures.change_status(db, actor, measure_id, target=values["target"], reason=values["reason"],
                               decision_id=as_int(values["decision_id"]), evidence=values["evidence"], now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        return _measure_page(request, db, actor, measure_id, status=422,
                             forms={"status": FormState(values, exc.errors)})
    except TransitionNotAllowed:
        db.rollback()
        return _measure_page(request, db, actor, measure_id, status=422,
                             forms={"status": FormState(values, {"target": NOT_POSSIBLE})})
    db.commit()
    return Redirect(f"/plan/massnahmen/{measure_id}?notice=status_changed", status_code=303)


@post("/plan/massnahmen/{measure_id:int}/meilensteine", include_in_schema=False, sync_to_thread=True, opt=READ)
def add_milestone(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
                  data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("milestone_title", "due_on", "milestone_weight")}
    return save_or_show_again(
        db, lambda: measures.add_milestone(db, actor, measure_id, title=values["milestone_title"],
                                           due_on=values["due_on"], weight=values["milestone_weight"], now=utcnow()),
        show_again=lambda errors: _measure_page(request, db, actor, measure_id, status=422,
                                                forms={"milestone": FormState(values, errors)}),
        then=f"/plan/massnahmen/{measure_id}?notice=saved#milestones")


@post("/plan/massnahmen/{measure_id:int}/meilensteine/{milestone_id:int}", include_in_schema=False,
      sync_to_thread=True, opt=READ)
def milestone_done(db: Db, actor: CurrentActor, measure_id: FromPath[int], milestone_id: FromPath[int],
                   data: Form) -> Redirect:
    measures.set_milestone_done(db, actor, measure_id, milestone_id, done=form_text(data, "done") != "no",
                                now=utcnow())
    db.commit()
    return Redirect(f"/plan/massnahmen/{measure_id}?notice=saved#milestones", status_code=303)


# Form names; "update_evidence" because the status form on the same page has its own "evidence".
UPDATE_FIELDS = ("period", "narrative", "obstacles", "support_needed", "update_evidence", "evidence_link",
                 "assessment")


@post("/plan/massnahmen/{measure_id:int}/fortschritt", include_in_schema=False, sync_to_thread=True, opt=READ)
def progress_update(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
                    data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in UPDATE_FIELDS}
    return save_or_show_again(
        db, lambda: updates.submit_update(db, actor, measure_id, period=values["period"], narrative=values["narrative"],
                                          obstacles=values["obstacles"], support_needed=values["support_needed"],
                                          evidence=values["update_evidence"], evidence_link=values["evidence_link"],
                                          assessment=values["assessment"], now=utcnow()),
        show_again=lambda errors: _measure_page(request, db, actor, measure_id, status=422, forms={"update": FormState(
            values, {("update_evidence" if k == "evidence" else k): v for k, v in errors.items()})}),
        then=f"/plan/massnahmen/{measure_id}?notice=update_saved#updates")


@post("/plan/massnahmen/{measure_id:int}/kommentare", include_in_schema=False, sync_to_thread=True, opt=READ)
def comment(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, measure_id: FromPath[int],
            data: Form) -> Template | Redirect:
    values = {n: form_text(data, n) for n in ("body", "visibility")}
    return save_or_show_again(
        db, lambda: comments.add_comment(db, actor, measure_id, body=values["body"], visibility=values["visibility"],
                                         now=utcnow()),
        show_again=lambda errors: _measure_page(request, db, actor, measure_id, status=422,
                                                forms={"comment": FormState(values, errors)}),
        then=f"/plan/massnahmen/{measure_id}?notice=commented#comments")


# --- my organisation ---------------------------------------------------------------------------------------

@get("/plan/meine-massnahmen", include_in_schema=False, sync_to_thread=True, opt=READ)
def mine(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
         notice: FromQuery[str | None] = None) -> Template:
    return _page(request, "plans/mine.html", rows=my_measures(db, actor),
                 invitations=ownership.open_invitations(db, actor), notice=notice)


@post("/plan/rollen/{role_id:int}/antwort", include_in_schema=False, sync_to_thread=True, opt=READ)
def answer_invitation(db: Db, actor: CurrentActor, role_id: FromPath[int], data: Form) -> Redirect:
    accept = form_text(data, "answer") == "accept"
    try:
        ownership.respond_to_role(db, actor, role_id, accept=accept, now=utcnow())
    except Conflict:
        db.rollback()
        return Redirect("/plan/meine-massnahmen?notice=already_answered", status_code=303)
    db.commit()
    return Redirect(f"/plan/meine-massnahmen?notice={'accepted' if accept else 'declined'}", status_code=303)


@post("/plan/rollen/{role_id:int}/beenden", include_in_schema=False, sync_to_thread=True, opt=READ)
def end_role(db: Db, actor: CurrentActor, role_id: FromPath[int]) -> Redirect:
    try:
        role = ownership.withdraw_role(db, actor, role_id, now=utcnow())
    except Conflict:
        db.rollback()
        return Redirect("/plan/meine-massnahmen?notice=already_answered", status_code=303)
    db.commit()
    return Redirect(f"/plan/massnahmen/{role.measure_id}?notice=withdrawn#roles", status_code=303)


# --- public ------------------------------------------------------------------------------------------------

@get("/fortschritt", include_in_schema=False, sync_to_thread=True)
def public_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor) -> Template:
    return _page(request, "plans/public.html", public_plans=public_progress(db, actor))


ROUTES = [plan_list, create_plan, plan_page, record_decision, adopt_plan, archive_plan, add_action_field, add_goal,
          timeline, status_board, new_measure_form, propose_measure, edit_measure_form, save_measure, measure_page,
          invite, change_status, add_milestone, milestone_done, progress_update, comment, mine, answer_invitation,
          end_role, public_page]
