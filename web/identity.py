"""Who is asking: resolve the staff session cookie into an Actor once per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.accounts import User, actor_for
from core.actors import ANONYMOUS, Actor
from core.clock import utcnow
from core.sessions import resume_session
from web.settings import Settings


@dataclass(frozen=True)
class Identity:
    actor: Actor
    display_name: str | None = None
    # Set between password and second factor: who is logging in, not yet who is acting.
    pending_user_id: int | None = None
    session_token: str | None = None


NOBODY = Identity(actor=ANONYMOUS)


def session_cookie_name(settings: Settings) -> str:
    # The __Host- prefix pins the cookie to our origin, path / and https.
    return "__Host-vorort_session" if settings.https else "vorort_session"


def _resolve(engine: Engine, settings: Settings, token: str) -> Identity:
    with Session(engine, expire_on_commit=False) as db:
        row = resume_session(db, token, now=utcnow(),
                             idle=timedelta(minutes=settings.session_idle_minutes),
                             absolute=timedelta(hours=settings.session_absolute_hours))
        identity = NOBODY
        if row is not None:
            user = db.get(User, row.user_id)
            if user is not None and user.is_active:
                if row.second_factor_done:
                    identity = Identity(actor=actor_for(db, user), display_name=user.display_name,
                                        session_token=token)
                else:
                    identity = Identity(actor=ANONYMOUS, pending_user_id=user.id, session_token=token)
        db.commit()
        return identity


class IdentityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not scope["path"].startswith("/static/"):
            state: dict[str, Any] = scope.setdefault("state", {})
            app = scope["litestar_app"]
            settings: Settings = app.state.settings
            token = _cookie(scope, session_cookie_name(settings))
            identity = NOBODY
            if token:
                identity = await anyio.to_thread.run_sync(_resolve, app.state.engine, settings, token)
            state["identity"] = identity
        await self.app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return v
    return None


def identity_of(state: Any) -> Identity:
    return state.get("identity", NOBODY)  # type: ignore[no-any-return]
