"""Server-side staff sessions: an opaque cookie token, stored only as a digest."""

from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, col, delete, select

from core.clock import as_utc
from core.crypto import derive_key, new_token, seal, token_digest, unseal


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    created_at: datetime
    last_seen_at: datetime
    # False between password and second factor: such a session may only finish the log-in.
    second_factor_done: bool = False
    failed_second_factor: int = 0
    # The member's personal private key, sealed under a key derived from the cookie token: the
    # database alone cannot open it, the browser holding the cookie can (for this session only).
    member_key_sealed: bytes | None = None


def _token_key(token: str) -> bytes:
    return derive_key(token.encode(), "session-member-key")


def start_session(session: Session, user_id: int, *, second_factor_done: bool, now: datetime,
                  replaces: str | None = None, member_key: bytes | None = None) -> str:
    """Open a new session (a new token on every log-in step, so a fixated one is useless).

    The member key of the session being replaced moves over unless a new one is given."""
    if replaces:
        if member_key is None:
            member_key = session_member_key(session, replaces)
        end_session(session, replaces)
    token = new_token()
    session.add(StaffSession(token_digest=token_digest(token), user_id=user_id, created_at=now,
                             last_seen_at=now, second_factor_done=second_factor_done,
                             member_key_sealed=seal(_token_key(token), member_key) if member_key else None))
    session.flush()
    return token


def session_member_key(session: Session, token: str) -> bytes | None:
    """The member's private key held by this session, if it holds one."""
    row = session.exec(select(StaffSession).where(StaffSession.token_digest == token_digest(token))).first()
    if row is None or row.member_key_sealed is None:
        return None
    return unseal(_token_key(token), row.member_key_sealed)


def resume_session(session: Session, token: str, *, now: datetime, idle: timedelta,
                   absolute: timedelta) -> StaffSession | None:
    """The live session for `token`, touched; None (and deleted) when timed out."""
    row = session.exec(select(StaffSession).where(StaffSession.token_digest == token_digest(token))).first()
    if row is None:
        return None
    if now - as_utc(row.last_seen_at) > idle or now - as_utc(row.created_at) > absolute:
        session.delete(row)
        return None
    # Touch at most once a minute: a write per request would serialise all reads on SQLite.
    if now - as_utc(row.last_seen_at) > timedelta(minutes=1):
        row.last_seen_at = now
        session.add(row)
    return row


def end_session(session: Session, token: str) -> None:
    session.exec(delete(StaffSession).where(col(StaffSession.token_digest) == token_digest(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    session.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))


def purge_expired_sessions(session: Session, *, now: datetime, idle: timedelta, absolute: timedelta) -> int:
    result = session.exec(delete(StaffSession).where(
        (col(StaffSession.last_seen_at) < now - idle) | (col(StaffSession.created_at) < now - absolute)))
    return int(result.rowcount or 0)


def count_second_factor_failure(session: Session, token: str) -> int:
    """Add one failed second-factor attempt to the half-open session; returns the total."""
    row = session.exec(select(StaffSession).where(StaffSession.token_digest == token_digest(token))).one()
    row.failed_second_factor += 1
    session.add(row)
    return row.failed_second_factor
