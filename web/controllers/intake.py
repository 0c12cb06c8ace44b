"""The public reporting flow at /melden: a few short steps that work with and without JavaScript.

Everything entered so far travels in the form itself (hidden fields), so nothing is stored on the
server before the report is sent, and nothing is lost when a step fails or the cookie is gone."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Template
from sqlmodel import Session

from core.clock import utcnow
from core.errors import ValidationFailed
from reporting import challenges
from reporting.attachments import Upload, clean_uploads
from reporting.centres import receiving_centres
from reporting.code_lists import effective_lists
from reporting.intake import (
    ALL_FIELDS,
    MULTI_FIELDS,
    STEP_KEYS,
    STEPS,
    IntakeContext,
    intake_context,
    parse_report,
    submit_report,
    validate_fields,
)
from reporting.models import District
from reporting.receipts import format_receipt
from web.anonymous_forms import prepare_token, read_uploads, token_matches, with_cookie
from web.controllers.public import language_cookie
from web.labels import MONTHS, code_labels_for, options_for
from web.ratelimit import client_address
from web.templating import FormState, page

CHALLENGE_FIELDS = ("pow_salt", "pow_challenge", "pow_signature", "pow_number")
STEP_FIELDS = dict(STEPS)


@dataclass
class Flow:
    """The state of one person's report as it travels through the steps."""

    step: str
    values: dict[str, list[str]]
    errors: dict[str, str] = field(default_factory=dict)
    challenge: dict[str, str] = field(default_factory=dict)
    notice: str | None = None


def _form_state(flow: Flow) -> FormState:
    shown = {name: (vals if name in MULTI_FIELDS else (vals[0] if vals else "")) for name, vals in flow.values.items()}
    return FormState(values=shown, errors=flow.errors)


def _hidden(flow: Flow) -> list[tuple[str, str]]:
    """Every answer of the other steps, as hidden inputs of this step's form."""
    own = set(STEP_FIELDS[flow.step])
    return [(name, value) for name in ALL_FIELDS if name not in own for value in flow.values.get(name, []) if value]


def _reference_data(db: Session) -> dict[str, Any]:
    from sqlmodel import col, select
    districts = db.exec(select(District).order_by(col(District.position), col(District.name))).all()
    return {"districts": [(d.code, d.name) for d in districts], "centres": receiving_centres(db),
            "code_lists": effective_lists(db)}


def _render(request: Request[Any, Any, Any], flow: Flow, reference: dict[str, Any], *, status: int = 200,
            cookie: Cookie | None = None) -> Template:
    number = STEP_KEYS.index(flow.step) + 1
    default_centre = next((str(org) for org, _n, is_default in reference["centres"] if is_default),
                          str(reference["centres"][0][0]) if reference["centres"] else "")
    if not flow.values.get("centre_id") and default_centre:
        flow.values["centre_id"] = [default_centre]
    if not flow.values.get("reporter_role"):
        flow.values["reporter_role"] = ["affected"]
    response = page(request, "report/flow.html", status=status, flow=flow, form=_form_state(flow),
                    language_form="report-form",
                    step_number=number, step_count=len(STEP_KEYS), step_keys=STEP_KEYS, hidden=_hidden(flow),
                    options=options_for(request, reference["code_lists"]),
                    code_labels=code_labels_for(request, reference["code_lists"]), months=MONTHS, values=flow.values,
                    centre_names={str(org): name for org, name, _d in reference["centres"]},
                    district_names=dict(reference["districts"]), **reference)
    return with_cookie(response, cookie)


def _new_challenge(request: Request[Any, Any, Any]) -> dict[str, str]:
    issued = challenges.issue(request.app.state.pow_key, now=utcnow())
    return {"pow_salt": issued.salt, "pow_challenge": issued.challenge, "pow_signature": issued.signature,
            "pow_number": "", "pow_max": str(issued.max_number)}


def _load_reference(engine: Any) -> dict[str, Any]:
    with Session(engine) as db:
        return _reference_data(db)


@get("/melden", include_in_schema=False)
async def report_start(request: Request[Any, Any, Any]) -> Template:
    cookie = prepare_token(request)
    reference = await anyio.to_thread.run_sync(_load_reference, request.app.state.engine)
    flow = Flow(step="what", values={}, challenge=_new_challenge(request))
    return _render(request, flow, reference, cookie=cookie)


@post("/melden", include_in_schema=False)
async def report_step(request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    values = {name: [v for v in form.getall(name) if isinstance(v, str)] for name in ALL_FIELDS if name in form}
    step = str(form.get("step", "what"))
    step = step if step in STEP_KEYS else "what"
    go = str(form.get("go", "next"))
    challenge = {name: str(form.get(name, "")) for name in (*CHALLENGE_FIELDS, "pow_max")}
    flow = Flow(step=step, values=values, challenge=challenge if challenge["pow_salt"] else _new_challenge(request))
    cookie = prepare_token(request)
    state = request.app.state
    if not token_matches(request, str(form.get("_csrf_token", ""))):
        reference = await anyio.to_thread.run_sync(_load_reference, state.engine)
        flow.notice = "form_expired"
        return _render(request, flow, reference, status=422, cookie=cookie)
    if go == "send" and step == "review":
        uploads = await read_uploads(form)
        honeypot = str(form.get("website", ""))
        allowed = state.intake_limiter.hit(state.intake_limiter.identity(client_address(request.scope)))
        return await anyio.to_thread.run_sync(partial(_send, request, flow, uploads, honeypot=honeypot,
                                                      allowed=allowed, cookie=cookie))
    return await anyio.to_thread.run_sync(partial(_navigate, request, flow, go, cookie=cookie))


def _navigate(request: Request[Any, Any, Any], flow: Flow, go: str, *, cookie: Cookie | None) -> Template:
    state = request.app.state
    with Session(state.engine) as db:
        reference = _reference_data(db)
        ctx = intake_context(db, today=utcnow().date())
    index = STEP_KEYS.index(flow.step)
    chosen_language = go.removeprefix("lang:") if go.startswith("lang:") else None
    if chosen_language is not None:
        if chosen_language in state.settings.languages:
            request.state["lang"] = chosen_language
            cookie = language_cookie(state.settings, chosen_language)
        return _render(request, flow, reference, cookie=cookie)
    if go == "back":
        flow.step = STEP_KEYS[max(index - 1, 0)]
    elif go.startswith("edit:") and go[5:] in STEP_KEYS:
        flow.step = go[5:]
    else:
        flow.errors = validate_fields(flow.values, STEP_FIELDS[flow.step], ctx)
        if flow.errors:
            return _render(request, flow, reference, status=422, cookie=cookie)
        flow.step = STEP_KEYS[min(index + 1, len(STEP_KEYS) - 1)]
        if flow.step == "review":
            # Everything is re-checked before the review, so the summary shows only valid answers.
            flow.errors = validate_fields(flow.values, ALL_FIELDS, ctx)
            if flow.errors:
                flow.step = _first_step_with_error(flow.errors)
                return _render(request, flow, reference, status=422, cookie=cookie)
    return _render(request, flow, reference, cookie=cookie)


def _first_step_with_error(errors: dict[str, str]) -> str:
    return next((key for key, names in STEPS if set(names) & set(errors)), "review")


def _send(request: Request[Any, Any, Any], flow: Flow, uploads: list[Upload], *, honeypot: str, allowed: bool,
          cookie: Cookie | None) -> Template:
    state = request.app.state
    now = utcnow()
    with Session(state.engine) as db:
        reference = _reference_data(db)
        ctx: IntakeContext = intake_context(db, today=now.date())
        if honeypot:
            flow.errors = {"website": "honeypot"}
            return _render(request, flow, reference, status=422, cookie=cookie)
        if not allowed:
            flow.errors = {"send": "rate_limited"}
            return _render(request, flow, reference, status=429, cookie=cookie)
        try:
            report = parse_report(flow.values, ctx)
        except ValidationFailed as exc:
            flow.errors = exc.errors
            flow.step = _first_step_with_error(exc.errors)
            return _render(request, flow, reference, status=422, cookie=cookie)
        problem = challenges.verify(db, state.pow_key, salt=flow.challenge["pow_salt"],
                                    challenge=flow.challenge["pow_challenge"],
                                    signature=flow.challenge["pow_signature"],
                                    number=flow.challenge["pow_number"], now=now)
        if problem:
            if problem != "proof_too_fast":
                flow.challenge = _new_challenge(request)
            flow.errors = {"send": problem}
            return _render(request, flow, reference, status=422, cookie=cookie)
        try:
            files = clean_uploads(uploads)
        except ValidationFailed as exc:
            db.rollback()  # the challenge stays unspent, so sending again works
            flow.errors = exc.errors
            return _render(request, flow, reference, status=422, cookie=cookie)
        submitted = submit_report(db, report, files, tag_key=state.receipt_tag_key, params=state.crypto.argon2,
                                  today=now.date())
        db.commit()
    response = page(request, "report/receipt.html", receipt=format_receipt(submitted.receipt),
                    centre_name=dict((str(o), n) for o, n, _d in reference["centres"]).get(str(report.centre_id), ""))
    return with_cookie(response, cookie)


@get("/melden/danke", include_in_schema=False)
async def report_next_steps(request: Request[Any, Any, Any]) -> Template:
    cookie = prepare_token(request)
    reference = await anyio.to_thread.run_sync(_load_reference, request.app.state.engine)
    return with_cookie(page(request, "report/next_steps.html", centres=reference["centres"]), cookie)


ROUTES = [report_start, report_step, report_next_steps]
