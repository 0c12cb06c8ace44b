"""Application factory: create_app(settings) wires settings, database, security and routes."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Request, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.crypto import Argon2Params, Crypto, derive_key, load_or_create_secret_key
from core.db import make_engine
from core.errors import NotFound, PermissionDenied
from web.anonymous_forms import ANONYMOUS_FORM_PATHS
from web.controllers import (
    account,
    admin,
    api,
    cases,
    chronicle,
    code_lists,
    dashboard,
    follow_up,
    indicators,
    intake,
    legal,
    meetings,
    notifications,
    open_data,
    plan_exchange,
    plans,
    public,
    setup,
)
from web.controllers import situation_report as situation_report_pages
from web.deps import provide_actor, provide_crypto, provide_db, provide_settings
from web.effective_settings import EffectiveSettingsMiddleware, SettingsSource
from web.guards import SecondFactorRequired, permission_guard
from web.identity import IdentityMiddleware
from web.messages import _
from web.metrics import Metrics, MetricsMiddleware, metrics_endpoint
from web.ratelimit import make_limiter
from web.security import SecurityHeaders
from web.settings import Settings, load_settings
from web.templating import make_environment, page

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("vorort.web")

ERROR_TITLES = {
    400: _("The request could not be understood."),
    401: _("Please log in first."),
    403: _("You may not open this page."),
    404: _("This page does not exist."),
    405: _("This action is not possible here."),
    413: _("The upload is too large."),
    422: _("Some input could not be accepted."),
    429: _("Too many attempts. Please wait a moment and try again."),
    500: _("Something went wrong on our side. Nothing you entered is your fault."),
}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/schema")


def _error_response(request: Request[Any, Any, Any], status: int) -> Response[Any]:
    if _wants_json(request):
        return Response({"status_code": status, "detail": ERROR_TITLES.get(status, "Error")},
                        status_code=status, media_type=MediaType.JSON)
    return page(request, "error.html", status=status, status_code=status,  # type: ignore[return-value]
                message=ERROR_TITLES.get(status, ERROR_TITLES[500]))


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and not _wants_json(request):
        target = "/anmelden/zweiter-faktor" if isinstance(exc, SecondFactorRequired) else "/anmelden"
        return Redirect(f"{target}?next={request.url.path}", status_code=303)
    status = exc.status_code if exc.status_code in ERROR_TITLES else 400 if exc.status_code < 500 else 500
    return _error_response(request, status)


def handle_domain_not_found(request: Request[Any, Any, Any], _exc: NotFound) -> Response[Any]:
    return _error_response(request, 404)


def handle_permission_denied(request: Request[Any, Any, Any], _exc: PermissionDenied) -> Response[Any]:
    return _error_response(request, 403)


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Only the exception type and the code location: messages of driver errors can carry
    # submitted values, and the path can carry tokens.
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in frames[-6:])
    log.error("unhandled %s in %s at %s", type(exc).__name__, request.scope.get("path_template", "?"), where)
    return _error_response(request, 500)


def _receipt_tag_key(engine: Engine, secret: bytes) -> bytes:
    from sqlmodel import Session

    from core.server_keys import server_key
    try:
        with Session(engine) as session:
            key = server_key(session, secret, "receipt-tag")
            session.commit()
    except SQLAlchemyError:
        # Migrations are pending (the table is missing): /readyz says so and no traffic should come;
        # the derived key is what the stored key starts as.
        log.warning("server keys unavailable; run `vorort migrate`")
        return derive_key(secret, "receipt-tag")
    return key


def _on_startup_state(settings: Settings, engine: Engine) -> State:
    secret = load_or_create_secret_key(settings.secret_key_file)
    crypto = Crypto(secret, Argon2Params(time_cost=settings.argon2_time_cost,
                                         memory_kib=settings.argon2_memory_kib,
                                         parallelism=settings.argon2_parallelism))
    source = SettingsSource(settings, engine, crypto)
    state = State({
        "settings": settings, "engine": engine, "crypto": crypto, "secret": secret, "settings_source": source,
        "pow_key": derive_key(secret, "proof-of-work"),
        # Stored sealed in the database, so `vorort rotate-secret` keeps receipts working.
        "receipt_tag_key": _receipt_tag_key(engine, secret),
        "intake_limiter": make_limiter(settings, secret, name="intake", limit=settings.intake_limit_per_hour,
                                       window_seconds=3600),
        "metrics": Metrics(),
        "lookup_limiter": make_limiter(settings, secret, name="lookup",
                                       limit=settings.lookup_failures_per_15_minutes, window_seconds=900),
    })
    # The administrators' stored settings over the environment's (web/effective_settings.py).
    source.reload(state)
    return state


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Litestar:
    settings = settings or load_settings()
    engine = engine or make_engine(settings.database_url)
    state = _on_startup_state(settings, engine)
    csrf = CSRFConfig(
        secret=derive_key(state.secret, "csrf").hex(),
        cookie_name="__Host-csrftoken" if settings.https else "csrftoken",
        cookie_secure=settings.https,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["/api/", *ANONYMOUS_FORM_PATHS],
    )
    template_config = TemplateConfig(
        engine=JinjaTemplateEngine.from_environment(make_environment()),
    )
    return Litestar(
        route_handlers=[
            # One router, registered once: Litestar re-registers every handler of a path each time
            # another handler joins it, which wraps sync_to_thread handlers twice (seen in 2.25).
            Router(path="/", route_handlers=[*public.ROUTES, *intake.ROUTES, *follow_up.ROUTES, *account.ROUTES,
                                            *admin.ROUTES, *api.ROUTES, *cases.ROUTES, *legal.ROUTES,
                                            *chronicle.ROUTES,
                                            *setup.ROUTES, *code_lists.ROUTES, *dashboard.ROUTES,
                                            *notifications.ROUTES, *plans.ROUTES, *meetings.ROUTES,
                                            *indicators.ROUTES, *plan_exchange.ROUTES, *open_data.ROUTES,
                                            *situation_report_pages.ROUTES]),
            metrics_endpoint,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static",
                                       include_in_schema=False, send_as_attachment=False),
        ],
        state=state,
        guards=[permission_guard],
        dependencies={
            "db": Provide(provide_db),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "crypto": Provide(provide_crypto, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        middleware=[
            MetricsMiddleware,
            EffectiveSettingsMiddleware,
            IdentityMiddleware,
        ],
        before_send=[SecurityHeaders(https=settings.https)],
        csrf_config=csrf,
        template_config=template_config,
        exception_handlers={
            HTTPException: handle_http_exception,
            NotFound: handle_domain_not_found,
            PermissionDenied: handle_permission_denied,
            Exception: handle_server_error,
        },
        openapi_config=OpenAPIConfig(title="Vor Ort API", version="1", path="/schema",
                                     render_plugins=[JsonRenderPlugin()]),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="never",
        ),
        # Up to five 10 MB attachments plus the form itself.
        request_max_body_size=26 * 1024 * 1024,
        debug=False,
    )
