"""The settings every reader sees: the environment's, overridden by what administrators stored.

`app.state.settings` is replaced in place when the stored configuration's version moves, so every
existing reader (the `settings: Config` dependency, templates via `request.app.state.settings`, the
language negotiation) sees the effective values without knowing about the database. Each process
checks the version at most every CHECK_SECONDS (one primary-key read); the process that saved a
change reloads at once, the other workers within CHECK_SECONDS."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import anyio
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.crypto import Argon2Params, Crypto, load_or_create_secret_key
from core.deployment import current_version, stored_settings
from web.settings import Settings, SettingsError, validate

log = logging.getLogger("vorort.settings")
CHECK_SECONDS = 2.0


def apply(env: Settings, stored: Mapping[str, object]) -> Settings:
    """The env settings with the stored values over them, checked with the rules of web/settings.py."""
    effective = dataclasses.replace(env, **stored)  # type: ignore[arg-type]
    validate(effective)
    return effective


def setting_of(error: SettingsError) -> str:
    """Which setting a validation message is about (its first VORORT_* name), for a form field."""
    found = re.search(r"VORORT_([A-Z0-9_]+)", str(error))
    return found.group(1).lower() if found else "form"


def load_effective(engine: Engine, env: Settings, crypto: Crypto) -> tuple[Settings, int]:
    """(effective settings, configuration version); the env settings while migrations are pending."""
    try:
        with Session(engine) as session:
            version = current_version(session)
            stored = stored_settings(session, crypto) if version else {}
    except SQLAlchemyError:
        log.warning("stored settings unavailable; run `vorort migrate`")
        return env, -1
    try:
        return apply(env, stored), version
    except SettingsError as exc:  # cannot happen through the forms; never stop serving because of it
        log.error("stored settings rejected (%s); serving the environment's", exc)
        return env, version


def effective_for_job(engine: Engine, env: Settings) -> Settings:
    """For the scheduler's jobs: the effective settings at the moment a job runs."""
    crypto = Crypto(load_or_create_secret_key(env.secret_key_file),
                    Argon2Params(env.argon2_time_cost, env.argon2_memory_kib, env.argon2_parallelism))
    return load_effective(engine, env, crypto)[0]


class SettingsSource:
    """Per process: the env settings, the last version seen, and when it was last checked."""

    def __init__(self, env: Settings, engine: Engine, crypto: Crypto) -> None:
        self.env, self.engine, self.crypto = env, engine, crypto
        self.version = -2
        self.checked = 0.0
        self._lock = threading.Lock()

    def reload(self, state: State) -> Settings:
        with self._lock:
            settings, self.version = load_effective(self.engine, self.env, self.crypto)
            self.checked = time.monotonic()
            state.settings = settings
            return settings

    def refresh_if_due(self, state: State) -> None:
        if time.monotonic() - self.checked < CHECK_SECONDS:
            return
        try:
            with Session(self.engine) as session:
                version = current_version(session)
        except SQLAlchemyError:
            version = -1
        self.checked = time.monotonic()
        if version != self.version:
            self.reload(state)


def source_of(state: State) -> SettingsSource:
    source: SettingsSource = state.settings_source
    return source


class EffectiveSettingsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not scope["path"].startswith("/static/"):
            app: Any = scope["litestar_app"]
            source = source_of(app.state)
            if time.monotonic() - source.checked >= CHECK_SECONDS:
                await anyio.to_thread.run_sync(source.refresh_if_due, app.state)
        await self.app(scope, receive, send)
