"""Personal key pairs of staff: the private key is wrapped with a key derived from the password,
so the server at rest cannot use it; a live session holds it sealed under the session cookie."""

import secrets
from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from core.crypto import Argon2Params, derive_from_secret, new_keypair, seal, unseal


class UserKey(SQLModel, table=True):
    __tablename__ = "user_key"

    user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    public_key: bytes
    salt: bytes
    wrapped_private: bytes
    created_at: datetime


def create_user_key(session: Session, user_id: int, password: str, params: Argon2Params, *,
                    now: datetime) -> bytes:
    """Give the user a key pair; returns the private key for the caller's immediate use."""
    private, public = new_keypair()
    salt = secrets.token_bytes(16)
    _verifier, wrapping = derive_from_secret(password, salt, params)
    session.add(UserKey(user_id=user_id, public_key=public, salt=salt,
                        wrapped_private=seal(wrapping, private, b"user-key"), created_at=now))
    session.flush()
    return private


def unlock_user_key(session: Session, user_id: int, password: str, params: Argon2Params) -> bytes | None:
    row = session.get(UserKey, user_id)
    if row is None:
        return None
    _verifier, wrapping = derive_from_secret(password, row.salt, params)
    return unseal(wrapping, row.wrapped_private, b"user-key")


def rewrap_user_key(session: Session, user_id: int, private: bytes, new_password: str,
                    params: Argon2Params) -> None:
    """After a password change the same private key is wrapped under the new password."""
    row = session.get(UserKey, user_id)
    if row is None:
        return
    row.salt = secrets.token_bytes(16)
    _verifier, wrapping = derive_from_secret(new_password, row.salt, params)
    row.wrapped_private = seal(wrapping, private, b"user-key")
    session.add(row)


def public_key_of(session: Session, user_id: int) -> bytes | None:
    row = session.get(UserKey, user_id)
    return row.public_key if row else None
