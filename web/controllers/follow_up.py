"""The reporter's way back: /status with the receipt code shows the state and the conversation.

The code is sent in the body of each request (never in a URL, which proxies and browsers keep),
and every look-up takes the same minimum time, found or not."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import anyio
from litestar import Request, Response, get, post
from litestar.response import Template
from sqlmodel import Session

from core.clock import utcnow
from core.errors import NotFound, ValidationFailed
from reporting import dialogue
from reporting.attachments import Upload, clean_uploads
from reporting.receipts import format_receipt, normalise_receipt
from web.anonymous_forms import prepare_token, read_uploads, token_matches, with_cookie
from web.deps import as_int
from web.labels import CODE_LABELS, STATE_EXPLANATIONS
from web.ratelimit import client_address
from web.templating import FormState, page


@get("/status", include_in_schema=False)
async def status_form(request: Request[Any, Any, Any]) -> Template:
    cookie = prepare_token(request)
    return with_cookie(page(request, "status/lookup.html"), cookie)


def open_report(state: Any, code: str) -> dialogue.ContentAccess | None:
    """Look the receipt up, padded to the same minimum duration whatever the outcome."""
    started = time.monotonic()
    with Session(state.engine) as db:
        access = dialogue.open_with_receipt(db, code, tag_key=state.receipt_tag_key, params=state.crypto.argon2)
    remaining = state.settings.lookup_floor_ms / 1000 - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    return access


@post("/status", include_in_schema=False)
async def status(request: Request[Any, Any, Any]) -> Template | Response[bytes]:
    form = await request.form()
    cookie = prepare_token(request)
    raw_code = str(form.get("receipt", ""))
    action = str(form.get("action", "open"))
    if not token_matches(request, str(form.get("_csrf_token", ""))):
        lookup = FormState(values={"receipt": raw_code})
        return with_cookie(page(request, "status/lookup.html", status=422, form=lookup, notice="form_expired"),
                            cookie)
    limiter = request.app.state.lookup_limiter
    identity = limiter.identity(client_address(request.scope))
    if limiter.blocked(identity):
        form_state = FormState(values={"receipt": raw_code}, errors={"receipt": "lookup_limited"})
        return with_cookie(page(request, "status/lookup.html", status=429, form=form_state), cookie)
    code = normalise_receipt(raw_code)
    if code is None:
        form_state = FormState(values={"receipt": raw_code}, errors={"receipt": "receipt_invalid"})
        return with_cookie(page(request, "status/lookup.html", status=422, form=form_state), cookie)
    access = await anyio.to_thread.run_sync(open_report, request.app.state, code)
    if access is None:
        limiter.hit(identity)
        # The same answer for a code that never existed and one that was deleted.
        form_state = FormState(values={"receipt": raw_code}, errors={"receipt": "receipt_unknown"})
        return with_cookie(page(request, "status/lookup.html", status=422, form=form_state), cookie)
    if action == "download":
        return await anyio.to_thread.run_sync(partial(_download, request, access, str(form.get("attachment", ""))))
    uploads = await read_uploads(form)
    return with_cookie(await anyio.to_thread.run_sync(
        partial(_thread_page, request, access, code, action, str(form.get("message", "")), uploads)), cookie)


def _thread_page(request: Request[Any, Any, Any], access: dialogue.ContentAccess, code: str, action: str,
                 message: str, uploads: list[Upload]) -> Template:
    state = request.app.state
    reply = FormState()
    notice = None
    status = 200
    with Session(state.engine) as db:
        if action == "reply":
            try:
                files = clean_uploads(uploads)
                dialogue.add_reporter_message(db, access, message, files, today=utcnow().date())
                db.commit()
                notice = "message_sent"
            except ValidationFailed as exc:
                db.rollback()
                reply = FormState(values={"message": message}, errors=exc.errors)
                status = 422
        view = dialogue.reporter_view(db, access)
    return page(request, "status/thread.html", status=status, view=view, receipt=format_receipt(code),
                form=reply, notice=notice, state_label=CODE_LABELS["state"][view.state],
                state_help=STATE_EXPLANATIONS[view.state])


def _download(request: Request[Any, Any, Any], access: dialogue.ContentAccess, attachment: str) -> Response[bytes]:
    attachment_id = as_int(attachment)
    if attachment_id is None:
        raise NotFound("attachment")
    with Session(request.app.state.engine) as db:
        name, media_type, data = dialogue.attachment_data(db, access, attachment_id)
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._-") or "file"
    return Response(data, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{safe}"'})


ROUTES = [status_form, status]
