"""Public pages anyone may open: start page, language switch, liveness."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from litestar import Request, Response, get
from litestar.datastructures import Cookie
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.migrate import pending
from web.deps import Config, safe_next
from web.i18n import LANG_COOKIE, LANGUAGE_NAMES, translations
from web.messages import POSTER_LINE
from web.qr import qr_svg
from web.settings import Settings
from web.templating import page

ONE_YEAR = 365 * 24 * 3600


@get("/", include_in_schema=False)
async def start_page(request: Request[Any, Any, Any]) -> Template:
    return page(request, "index.html")


@get("/sprache", include_in_schema=False)
async def switch_language(settings: Config, lang: FromQuery[str],
                          next_path: Annotated[str | None, QueryParameter(name="next")] = None) -> Redirect:
    """Remember the chosen language in a cookie that holds nothing but the language code."""
    target = safe_next(next_path, default="/")
    if lang not in settings.languages:
        return Redirect(target, status_code=303)
    return Redirect(target, status_code=303, cookies=[language_cookie(settings, lang)])


def language_cookie(settings: Settings, lang: str) -> Cookie:
    """The switcher's choice, remembered for a year; the cookie holds nothing but the language code."""
    return Cookie(key=LANG_COOKIE, value=lang, max_age=ONE_YEAR, path="/", samesite="lax",
                  secure=settings.https, httponly=True)


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _readiness(engine: Engine) -> dict[str, Any]:
    try:
        todo = pending(engine)
    except SQLAlchemyError:
        return {"status": "unavailable", "database": "unreachable"}
    if todo:
        return {"status": "unavailable", "database": "reachable", "pending_migrations": len(todo)}
    return {"status": "ok", "database": "reachable", "pending_migrations": 0}


@get("/readyz", include_in_schema=False)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Ready when the database answers and no migration is pending (for load balancers)."""
    result = await anyio.to_thread.run_sync(_readiness, request.app.state.engine)
    return Response(result, status_code=200 if result["status"] == "ok" else 503)


@get("/aushang", include_in_schema=False)
async def poster(request: Request[Any, Any, Any], settings: Config) -> Template:
    """A printable poster for waiting rooms: the reporting address, its QR code, every offered language."""
    address = f"{settings.base_url.rstrip('/')}/melden"
    lines = [(code, LANGUAGE_NAMES[code], translations(code).gettext(POSTER_LINE)) for code in settings.languages]
    return page(request, "poster.html", address=address, qr=qr_svg(address), lines=lines)


ROUTES = [start_page, switch_language, healthz, readyz, poster]
