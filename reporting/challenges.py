"""Proof of work without a third party: the client finds a number whose hash the server chose
(the ALTCHA scheme, our own code). Without JavaScript the challenge's age is the proof instead."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from reporting.models import SpentChallenge

MAX_NUMBER = 50_000  # about a second of hashing on an old phone
VALIDITY = timedelta(hours=3)
# Nobody reads a form, chooses answers and writes a description in less time than this.
NO_SCRIPT_MIN_AGE = timedelta(seconds=20)


@dataclass(frozen=True)
class Challenge:
    salt: str
    challenge: str
    signature: str
    max_number: int = MAX_NUMBER
    algorithm: str = "SHA-256"


def issue(key: bytes, *, now: datetime) -> Challenge:
    issued = int(now.timestamp())
    salt = f"{secrets.token_hex(12)}?issued={issued}&expires={issued + int(VALIDITY.total_seconds())}"
    number = secrets.randbelow(MAX_NUMBER)
    challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
    return Challenge(salt, challenge, _sign(key, challenge))


def _sign(key: bytes, challenge: str) -> str:
    return hmac.new(key, challenge.encode(), hashlib.sha256).hexdigest()


def _times(salt: str) -> tuple[int, int] | None:
    try:
        params = dict(part.split("=", 1) for part in salt.split("?", 1)[1].split("&"))
        return int(params["issued"]), int(params["expires"])
    except (IndexError, KeyError, ValueError):
        return None


def verify(session: Session, key: bytes, *, salt: str, challenge: str, signature: str, number: str,
           now: datetime) -> str | None:
    """None when the proof holds (and the challenge is now spent); otherwise a message id."""
    if not (salt and challenge and signature) or not hmac.compare_digest(_sign(key, challenge), signature):
        return "proof_missing"
    times = _times(salt)
    if times is None:
        return "proof_missing"
    issued, expires = times
    if now.timestamp() > expires:
        return "proof_expired"
    if number:
        if not number.isascii() or not number.isdigit() or \
                hashlib.sha256(f"{salt}{int(number)}".encode()).hexdigest() != challenge:
            return "proof_wrong"
    elif now.timestamp() - issued < NO_SCRIPT_MIN_AGE.total_seconds():
        return "proof_too_fast"
    try:
        with session.begin_nested():
            session.execute(insert(SpentChallenge.__table__).values(  # type: ignore[attr-defined]
                digest=hashlib.sha256(challenge.encode()).hexdigest(),
                expires_at=datetime.fromtimestamp(expires, tz=now.tzinfo)))
    except IntegrityError:
        return "proof_replayed"
    return None


def forget_expired(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(SpentChallenge).where(col(SpentChallenge.expires_at) < now))
    return int(getattr(result, "rowcount", 0) or 0)
