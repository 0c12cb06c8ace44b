"""Request dependencies: a database session, the actor, the instance's crypto and settings."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel import Session

from core.actors import Actor
from core.crypto import Crypto
from web.identity import identity_of
from web.settings import Settings


def provide_db(state: State) -> Generator[Session, None, None]:
    # Handlers commit explicitly before they answer, so an acknowledgement is never sent
    # for a write that did not reach the disk; anything uncommitted is rolled back here.
    with Session(state.engine, expire_on_commit=False) as session:
        yield session


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return identity_of(request.state).actor


def provide_crypto(state: State) -> Crypto:
    crypto: Crypto = state.crypto
    return crypto


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def form_list(data: dict[str, Any], name: str) -> list[str]:
    """All values of a repeated form field (checkboxes), whether one or many were sent."""
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def form_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def as_int(text: str) -> int | None:
    """An ASCII whole number, or None ("²" and "٣" count as digits to str.isdigit, not to int)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def safe_next(target: str | None, default: str = "/start") -> str:
    """Only same-site paths, so a crafted link cannot send someone elsewhere after log-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


# Explicit dependency markers (Litestar 2.23+ deprecates inferring them from the name).
Db = NamedDependency[Session]
CurrentActor = NamedDependency[Actor]
Keys = NamedDependency[Crypto]
Config = NamedDependency[Settings]
