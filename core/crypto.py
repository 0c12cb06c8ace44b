"""The only module that touches keys: password hashing, tokens and symmetric encryption."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


@dataclass(frozen=True)
class Argon2Params:
    """Cost of one Argon2id derivation; defaults follow RFC 9106's second recommendation."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


def load_or_create_secret_key(path: Path) -> bytes:
    """Read the server's 32-byte secret, creating it (mode 0600) on first start."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise ValueError(f"secret key file {path} must hold exactly 32 bytes")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def derive_key(master: bytes, purpose: str) -> bytes:
    """A separate 256-bit key per purpose, so one leaked subkey exposes nothing else."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


def seal(key: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """AES-256-GCM with a random nonce, returned as nonce || ciphertext."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def unseal(key: bytes, sealed: bytes, associated: bytes = b"") -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is a sufficient one-way index."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Crypto:
    """Key material and hashers of one running instance, passed to domain functions."""

    def __init__(self, secret_key: bytes, argon2: Argon2Params) -> None:
        self._secret_key = secret_key
        self._hasher = PasswordHasher(
            time_cost=argon2.time_cost,
            memory_cost=argon2.memory_kib,
            parallelism=argon2.parallelism,
            type=Type.ID,
        )
        # Verifying against this when an account is unknown makes a failed log-in take the
        # same time whether or not the e-mail address exists.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify_password(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def subkey(self, purpose: str) -> bytes:
        return derive_key(self._secret_key, purpose)

    def seal_for_server(self, purpose: str, plaintext: str) -> bytes:
        return seal(self.subkey(purpose), plaintext.encode())

    def unseal_for_server(self, purpose: str, sealed: bytes) -> str:
        return unseal(self.subkey(purpose), sealed).decode()
