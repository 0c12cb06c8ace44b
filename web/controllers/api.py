"""JSON API for partner portals and apps: the same validation and anonymity rules as the form."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import anyio
from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from msgspec import Meta, Struct
from sqlmodel import Session

from core.clock import utcnow
from core.errors import ValidationFailed
from reporting import challenges, dialogue
from reporting.attachments import MAX_FILES, Upload, clean_uploads
from reporting.intake import MAX_CONTACT, MAX_DESCRIPTION, intake_context, parse_report, submit_report
from reporting.receipts import format_receipt, normalise_receipt
from web.controllers.follow_up import open_report
from web.i18n import gettext_for
from web.messages import FIELD_MESSAGES
from web.ratelimit import client_address

Code = Annotated[str, Meta(max_length=40, description="A code of the taxonomy (see the reporting form).")]
Text = Annotated[str, Meta(max_length=MAX_DESCRIPTION)]
Receipt = Annotated[str, Meta(max_length=40, description="The 16-digit receipt code; spaces are ignored.")]


class ChallengeOut(Struct):
    algorithm: str
    salt: str
    challenge: str
    signature: str
    maxnumber: int


class Proof(Struct):
    """The solved challenge: SHA-256(salt + number) == challenge."""

    salt: Annotated[str, Meta(max_length=200)]
    challenge: Annotated[str, Meta(max_length=64)]
    signature: Annotated[str, Meta(max_length=64)]
    number: Annotated[int, Meta(ge=0, le=10_000_000)]


class FileIn(Struct):
    filename: Annotated[str, Meta(max_length=200)]
    content: Annotated[bytes, Meta(description="The file, base64-encoded.")]


class ReportIn(Struct, forbid_unknown_fields=True):
    incident_types: Annotated[list[Code], Meta(min_length=1, max_length=20)]
    description: Annotated[str, Meta(min_length=1, max_length=MAX_DESCRIPTION)]
    proof: Proof
    reporter_role: Code = "affected"
    motives: Annotated[list[Code], Meta(max_length=20)] = []
    racism_subcodes: Annotated[list[Code], Meta(max_length=20)] = []
    antisemitism_forms: Annotated[list[Code], Meta(max_length=20)] = []
    district: Code | None = None
    place_type: Code | None = None
    online: bool = False
    year: Annotated[int, Meta(ge=1, le=9999)] | None = None
    month: Annotated[int, Meta(ge=1, le=12)] | None = None
    day: Annotated[int, Meta(ge=1, le=31)] | None = None
    recurrence: Code | None = None
    target_type: Code | None = None
    affected_count: Annotated[int, Meta(ge=1, le=10_000)] | None = None
    affected_age_band: Code | None = None
    consequences: Annotated[list[Code], Meta(max_length=20)] = []
    police_report: Code | None = None
    centre_id: int | None = None
    contact: Annotated[str, Meta(max_length=MAX_CONTACT)] | None = None
    attachments: Annotated[list[FileIn], Meta(max_length=MAX_FILES)] = []


class ReportOut(Struct):
    receipt: str
    state: str


class ErrorsOut(Struct):
    errors: dict[str, str]
    messages: dict[str, str]


class StatusIn(Struct, forbid_unknown_fields=True):
    receipt: Receipt


class MessageIn(Struct, forbid_unknown_fields=True):
    receipt: Receipt
    message: Annotated[str, Meta(min_length=1, max_length=10_000)]
    attachments: Annotated[list[FileIn], Meta(max_length=MAX_FILES)] = []


class MessageOut(Struct):
    author: str
    sent_on: date
    body: str


class StatusOut(Struct):
    state: str
    received_on: date
    centre: str
    messages: list[MessageOut]


ERROR_RESPONSES = {
    422: ResponseSpec(ErrorsOut, description="Invalid fields; `messages` explains each in the request's language"),
    429: ResponseSpec(ErrorsOut, description="Too many requests from this connection"),
}


def _errors(request: Request[Any, Any, Any], errors: dict[str, str], status: int = 422) -> Response[Any]:
    messages = {name: gettext_for(request, FIELD_MESSAGES.get(code, code)) for name, code in errors.items()}
    return Response(ErrorsOut(errors=errors, messages=messages), status_code=status)


def _as_form(data: JSONBody[ReportIn]) -> dict[str, list[str]]:
    """The API body in the shape the form sends, so one validator decides for both."""
    values: dict[str, list[str]] = {}
    for name in ("incident_types", "motives", "racism_subcodes", "antisemitism_forms", "consequences"):
        values[name] = list(getattr(data, name))
    for name in ("district", "place_type", "recurrence", "reporter_role", "target_type", "affected_age_band",
                 "police_report", "description", "contact"):
        value = getattr(data, name)
        values[name] = [value] if value else []
    for name in ("year", "month", "day", "affected_count", "centre_id"):
        value = getattr(data, name)
        values[name] = [str(value)] if value is not None else []
    values["online"] = ["yes" if data.online else "no"]
    values["wants_contact"] = ["yes" if data.contact else "no"]
    return values


@get("/api/v1/challenge", tags=["reports"], summary="A fresh proof-of-work challenge (single use)")
async def api_challenge(request: Request[Any, Any, Any]) -> ChallengeOut:
    issued = challenges.issue(request.app.state.pow_key, now=utcnow())
    return ChallengeOut(algorithm=issued.algorithm, salt=issued.salt, challenge=issued.challenge,
                        signature=issued.signature, maxnumber=issued.max_number)


@post("/api/v1/reports", tags=["reports"], summary="Submit an anonymous report", status_code=201,
      responses=ERROR_RESPONSES)
async def api_submit(request: Request[Any, Any, Any], data: JSONBody[ReportIn]) -> Response[ReportOut]:
    state = request.app.state
    if not state.intake_limiter.hit(state.intake_limiter.identity(client_address(request.scope))):
        return _errors(request, {"send": "rate_limited"}, status=429)
    uploads = [Upload(f.filename, f.content) for f in data.attachments]
    return await anyio.to_thread.run_sync(_submit, request, data, uploads)


def _submit(request: Request[Any, Any, Any], data: ReportIn, uploads: list[Upload]) -> Response[Any]:
    state = request.app.state
    now = utcnow()
    with Session(state.engine) as db:
        try:
            report = parse_report(_as_form(data), intake_context(db, today=now.date()))
        except ValidationFailed as exc:
            return _errors(request, exc.errors)
        problem = challenges.verify(db, state.pow_key, salt=data.proof.salt, challenge=data.proof.challenge,
                                    signature=data.proof.signature, number=str(data.proof.number), now=now)
        if problem:
            return _errors(request, {"proof": problem})
        try:
            files = clean_uploads(uploads, field="attachments")
        except ValidationFailed as exc:
            return _errors(request, exc.errors)
        submitted = submit_report(db, report, files, tag_key=state.receipt_tag_key, params=state.crypto.argon2,
                                  today=now.date())
        db.commit()
    return Response(ReportOut(receipt=format_receipt(submitted.receipt), state="received"), status_code=201)


async def _open(request: Request[Any, Any, Any], receipt: str) -> dialogue.ContentAccess | Response[Any]:
    limiter = request.app.state.lookup_limiter
    identity = limiter.identity(client_address(request.scope))
    if limiter.blocked(identity):
        return _errors(request, {"receipt": "lookup_limited"}, status=429)
    code = normalise_receipt(receipt)
    if code is None:
        return _errors(request, {"receipt": "receipt_invalid"})
    access = await anyio.to_thread.run_sync(open_report, request.app.state, code)
    if access is None:
        limiter.hit(identity)
        return _errors(request, {"receipt": "receipt_unknown"}, status=404)
    return access


def _status(request: Request[Any, Any, Any], access: dialogue.ContentAccess) -> StatusOut:
    with Session(request.app.state.engine) as db:
        view = dialogue.reporter_view(db, access)
    return StatusOut(state=view.state, received_on=view.received_on, centre=view.centre_name,
                     messages=[MessageOut(author=m.author, sent_on=m.sent_on, body=m.body) for m in view.messages])


@post("/api/v1/status", tags=["reports"], summary="State and messages of a report, by its receipt code",
      status_code=200, responses={**ERROR_RESPONSES, 404: ResponseSpec(ErrorsOut, description="Unknown code")})
async def api_status(request: Request[Any, Any, Any], data: JSONBody[StatusIn]) -> Response[StatusOut]:
    opened = await _open(request, data.receipt)
    if isinstance(opened, Response):
        return opened
    return Response(await anyio.to_thread.run_sync(_status, request, opened))


@post("/api/v1/messages", tags=["reports"], summary="Write to the counselling centre, by receipt code",
      status_code=201, responses={**ERROR_RESPONSES, 404: ResponseSpec(ErrorsOut, description="Unknown code")})
async def api_message(request: Request[Any, Any, Any], data: JSONBody[MessageIn]) -> Response[StatusOut]:
    opened = await _open(request, data.receipt)
    if isinstance(opened, Response):
        return opened
    uploads = [Upload(f.filename, f.content) for f in data.attachments]
    return await anyio.to_thread.run_sync(_add_message, request, opened, data.message, uploads)


def _add_message(request: Request[Any, Any, Any], access: dialogue.ContentAccess, message: str,
                 uploads: list[Upload]) -> Response[Any]:
    with Session(request.app.state.engine) as db:
        try:
            files = clean_uploads(uploads, field="attachments")
            dialogue.add_reporter_message(db, access, message, files, today=utcnow().date())
        except ValidationFailed as exc:
            return _errors(request, exc.errors)
        db.commit()
    return Response(_status(request, access), status_code=201)


ROUTES = [api_challenge, api_submit, api_status, api_message]
