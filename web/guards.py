"""Deny by default: a route is public only when listed here, otherwise it names a permission."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core.permissions import POLICY
from web.identity import identity_of

# Every path reachable without an account. Anything else must declare opt={"permission": ...}.
PUBLIC_PATHS = frozenset({
    "/",
    "/sprache",
    "/anmelden",
    "/einladung/{token}",
    "/healthz",
    "/readyz",
    "/metrics",  # answers 404 unless VORORT_METRICS_TOKEN is set and sent as a bearer token
    "/melden",
    "/aushang",
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/meldungen-nutzung",
    "/zahlen",  # answers 404 unless VORORT_PUBLIC_STATISTICS is on
    "/melden/danke",
    "/status",
    "/fortschritt",  # public progress of the action plan: public measures of adopted plans only
    "/api/v1/challenge",
    "/api/v1/reports",
    "/api/v1/status",
    "/api/v1/messages",
    "/static/{file_path}",
    # The public chronicle answers 404 unless VORORT_PUBLIC_CHRONICLE is on.
    "/chronik",
    "/chronik/feed.atom",
    "/chronik/{entry_id}",
    "/schema",
    "/schema/openapi.json",
    "/schema/{path}",
    # Open data and the public situation report: 404 unless VORORT_PUBLIC_STATISTICS is on; the schema always.
    "/offene-daten/schema/1.0.json",
    "/offene-daten/{file}",
    "/zahlen/lagebild/{report}",
})

# Reachable after the password step, before the second factor.
SECOND_FACTOR_PATHS = frozenset({
    "/anmelden/zweiter-faktor",
    "/anmelden/zweiter-faktor/einrichten",
    "/abmelden",
})


class SecondFactorRequired(NotAuthorizedException):
    """The password was right but the log-in is not finished."""


def permission_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    path = connection.scope.get("path_template", "")
    if path in PUBLIC_PATHS:
        return
    identity = identity_of(connection.state)
    if path in SECOND_FACTOR_PATHS and identity.pending_user_id is not None:
        return
    permission = handler.opt.get("permission")
    if path in SECOND_FACTOR_PATHS and identity.actor.is_anonymous:
        raise NotAuthorizedException()
    if not isinstance(permission, str):
        # A route that forgot to declare its permission is unreachable, not open.
        raise NotFoundException()
    if identity.actor.is_anonymous:
        if identity.pending_user_id is not None:
            raise SecondFactorRequired()
        raise NotAuthorizedException()
    if not POLICY.can(identity.actor, permission):
        rule = POLICY.rules.get(permission)
        if rule is not None and rule.hide:
            raise NotFoundException()
        raise PermissionDeniedException()
