"""CSRF for the anonymous forms, checked in the handler instead of the middleware: when a phone
browser restarts mid-report its cookie is gone, and the report must survive that. A failed check
shows the same step again with everything entered and a fresh token, instead of a bare 403."""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, FormMultiDict, UploadFile
from litestar.middleware.csrf import generate_csrf_hash, generate_csrf_token
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from reporting.attachments import Upload

ANONYMOUS_FORM_PATHS = ["/melden", "/status"]
_SECRET_LENGTH = 64


def _decode(token: str, secret: str) -> str | None:
    if len(token) < _SECRET_LENGTH + 1:
        return None
    raw, digest = token[:_SECRET_LENGTH], token[_SECRET_LENGTH:]
    return raw if compare_digest(digest, generate_csrf_hash(token=raw, secret=secret)) else None


def prepare_token(request: Request[Any, Any, Any]) -> Cookie | None:
    """Make `csrf_token()` work in templates; returns a cookie to set when the browser has none."""
    config = request.app.csrf_config
    assert config is not None
    existing = request.cookies.get(config.cookie_name)
    valid = existing if existing and _decode(existing, config.secret) else None
    token = valid or generate_csrf_token(secret=config.secret)
    ScopeState.from_scope(request.scope).csrf_token = token
    if valid:
        return None
    return Cookie(key=config.cookie_name, value=token, path=config.cookie_path, secure=config.cookie_secure,
                  httponly=config.cookie_httponly, samesite=config.cookie_samesite)


def token_matches(request: Request[Any, Any, Any], submitted: str) -> bool:
    config = request.app.csrf_config
    assert config is not None
    cookie = request.cookies.get(config.cookie_name)
    sent = submitted or request.headers.get(config.header_name, "")
    if not cookie or not sent:
        return False
    a, b = _decode(sent, config.secret), _decode(cookie, config.secret)
    return a is not None and b is not None and compare_digest(a, b)


async def read_uploads(form: FormMultiDict) -> list[Upload]:
    """The files of a multipart form; an empty file input sends one nameless empty part."""
    items = form.getall("files") if "files" in form else []
    return [Upload(item.filename or "", await item.read()) for item in items if isinstance(item, UploadFile)]


def with_cookie(response: Template, cookie: Cookie | None) -> Template:
    """The page, setting the CSRF cookie when `prepare_token` made a new one."""
    if cookie:
        response.cookies.append(cookie)
    return response
