"""Long-lived keys of the installation, stored sealed under the secret key file, so that the file can
be rotated without breaking what depends on them (the receipt look-up tags)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from core.accounts import TOTP_PURPOSE, User
from core.crypto import Crypto, derive_key, seal, unseal
from core.deployment import reseal_secrets

WRAP_PURPOSE = "server-key-wrap"


class ServerKey(SQLModel, table=True):
    __tablename__ = "server_key"

    purpose: str = Field(primary_key=True, max_length=40)
    sealed: bytes


def server_key(session: Session, secret: bytes, purpose: str) -> bytes:
    """The stored key for `purpose`; created on first use as the secret's derived key (which is what
    installations before this table used, so existing receipt tags keep matching)."""
    row = session.get(ServerKey, purpose)
    if row is None:
        key = derive_key(secret, purpose)
        try:
            with session.begin_nested():
                session.add(ServerKey(purpose=purpose, sealed=seal(derive_key(secret, WRAP_PURPOSE), key,
                                                                   purpose.encode())))
        except IntegrityError:  # another worker created it at the same moment
            row = session.get(ServerKey, purpose)
        else:
            return key
    assert row is not None
    return unseal(derive_key(secret, WRAP_PURPOSE), row.sealed, purpose.encode())


def rotate_secret(session: Session, old: Crypto, new: Crypto, old_secret: bytes, new_secret: bytes) -> int:
    """Re-seal everything the old secret protected under the new one; returns how many items moved."""
    moved = 0
    for row in session.exec(select(ServerKey)).all():
        key = unseal(derive_key(old_secret, WRAP_PURPOSE), row.sealed, row.purpose.encode())
        row.sealed = seal(derive_key(new_secret, WRAP_PURPOSE), key, row.purpose.encode())
        session.add(row)
        moved += 1
    for user in session.exec(select(User)).all():
        if user.totp_secret_sealed is not None:
            user.totp_secret_sealed = new.seal_for_server(TOTP_PURPOSE, old.unseal_for_server(TOTP_PURPOSE,
                                                                                              user.totp_secret_sealed))
            session.add(user)
            moved += 1
    # The SMTP password stored by administrators (core/deployment.py).
    moved += reseal_secrets(session, old, new)
    return moved
