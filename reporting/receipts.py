"""Receipt codes: 16 digits held only by the reporter; the server keeps a short tag and a verifier."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from core.crypto import Argon2Params, derive_from_secret, keyed_tag

RECEIPT_DIGITS = 16
# 2^20 tags: with 10^5 reports a look-up meets ~0.1 other candidates, while someone holding the
# database and the tag key still faces ~10^10 codes per tag, each costing one Argon2id run.
TAG_BITS = 20
_DUMMY_SALT = b"\x00" * 16


def new_receipt_code() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def format_receipt(code: str) -> str:
    """'1234567890123456' -> '1234 5678 9012 3456', easy to read aloud and copy by hand."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_receipt(text: str) -> str | None:
    """Digits only (people type spaces and dashes); None unless exactly 16 digits remain."""
    digits = re.sub(r"[\s\-.]", "", text or "")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


@dataclass(frozen=True)
class ReceiptSecrets:
    tag: str
    salt: bytes
    verifier: bytes
    wrapping_key: bytes


def secrets_for(code: str, tag_key: bytes, params: Argon2Params, salt: bytes | None = None) -> ReceiptSecrets:
    """Derive what is stored (tag, salt, verifier) and the key that wraps the report key."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    verifier, wrapping = derive_from_secret(code, salt, params)
    return ReceiptSecrets(keyed_tag(tag_key, code, bits=TAG_BITS), salt, verifier, wrapping)


def burn_equal_time(code: str, params: Argon2Params) -> None:
    """Spend one derivation when no candidate exists, so unknown codes answer as slowly as known ones."""
    derive_from_secret(code, _DUMMY_SALT, params)
