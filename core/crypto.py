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
from argon2.low_level import hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

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
        self.argon2 = argon2
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


# --- public-key wrapping (X25519 + HKDF-SHA256 + AES-256-GCM) ------------------------------

def new_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair as (private, public) raw bytes."""
    private = X25519PrivateKey.generate()
    return (private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
            private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _wrap_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient_public,
                info=b"vorort/seal-to-public/v1").derive(shared)


def seal_to_public(recipient_public: bytes, plaintext: bytes) -> bytes:
    """Encrypt so that only the holder of the matching private key can read: eph_pub || nonce || ct."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    return ephemeral_public + seal(_wrap_key(shared, ephemeral_public, recipient_public), plaintext)


def open_with_private(private: bytes, sealed: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private)
    recipient_public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ephemeral_public, rest = sealed[:32], sealed[32:]
    shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    return unseal(_wrap_key(shared, ephemeral_public, recipient_public), rest)


# --- secrets people hold (receipt codes, passwords, recovery keys) ----------------------------

def derive_from_secret(secret: str, salt: bytes, params: Argon2Params) -> tuple[bytes, bytes]:
    """One Argon2id run gives a verifier (stored, hashed again) and a wrapping key (never stored)."""
    raw = hash_secret_raw(secret.encode(), salt, time_cost=params.time_cost, memory_cost=params.memory_kib,
                          parallelism=params.parallelism, hash_len=64, type=Type.ID)
    return hashlib.sha256(raw[:32]).digest(), raw[32:]


def keyed_tag(key: bytes, value: str, *, bits: int) -> str:
    """A short keyed hash: finds candidates without identifying the value (many values share a tag)."""
    digest = int.from_bytes(hmac.new(key, value.encode(), hashlib.sha256).digest()[:8], "big")
    return format(digest >> (64 - bits), "x")
