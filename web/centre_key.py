"""The centre key of the logged-in member, opened from the session's sealed personal key."""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlmodel import Session

from core.actors import Actor
from core.sessions import session_member_key
from reporting.centres import centre_key_for_member
from web.identity import identity_of


def centre_key_of(request: Request[Any, Any, Any], db: Session, actor: Actor) -> bytes | None:
    token = identity_of(request.state).session_token
    if token is None or actor.user_id is None or actor.organisation_id is None:
        return None
    member_key = session_member_key(db, token)
    if member_key is None:
        return None
    return centre_key_for_member(db, actor.organisation_id, actor.user_id, member_key)
