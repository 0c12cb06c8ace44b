"""Public pages anyone may open: start page, language switch, liveness."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.datastructures import Cookie
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from web.deps import Config, safe_next
from web.i18n import LANG_COOKIE
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
    cookie = Cookie(key=LANG_COOKIE, value=lang, max_age=ONE_YEAR, path="/", samesite="lax",
                    secure=settings.https, httponly=True)
    return Redirect(target, status_code=303, cookies=[cookie])


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


ROUTES = [start_page, switch_language, healthz]
