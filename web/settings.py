"""One frozen settings object, read from VORORT_* environment variables (documented in docs/settings.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

# Every language with a complete catalogue. "ls" is German in Leichte Sprache (plain language) for
# the public pages; other pages fall back to standard German.
SUPPORTED_LANGUAGES = ("de", "ls", "en", "tr", "ar", "uk", "ru")
RIGHT_TO_LEFT = frozenset({"ar"})


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/vorort.sqlite3"
    secret_key_file: Path = Path("var/secret.key")
    base_url: str = "http://127.0.0.1:8000"
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    default_language: str = "de"
    suppression_k: int = 5
    public_suppression_k: int = 10
    publication_delay_days: int = 14
    public_statistics: bool = False
    public_chronicle: bool = False
    retention_unverified_days: int = 90
    retention_closed_case_days: int = 1095
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    lookup_floor_ms: int = 1000
    intake_limit_per_hour: int = 10
    lookup_failures_per_15_minutes: int = 10
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "vorort@localhost"
    reminder_stale_days: int = 90
    redis_url: str = ""
    trusted_proxies: str = ""
    metrics_token: str = ""
    site_name: str = "Vor Ort"
    municipality_name: str = "Musterstadt"
    # Amtlicher Gemeindeschlüssel; 09999999 is no real municipality (the demo city).
    ags: str = "09999999"
    debug: bool = False
    log_json: bool = False
    production: bool = False

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")


PREFIX = "VORORT_"


def _convert(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name.upper()} has an invalid value {raw!r}") from exc
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment; unknown VORORT_* variables are an error (typos)."""
    env = os.environ if env is None else env
    defaults = Settings()
    values: dict[str, object] = {}
    known = {f.name for f in fields(Settings)}
    for key, raw in env.items():
        if not key.startswith(PREFIX):
            continue
        name = key.removeprefix(PREFIX).lower()
        if name.startswith("test_"):  # VORORT_TEST_* belongs to the test suite (docs/settings.md)
            continue
        if name not in known:
            raise SettingsError(f"unknown setting {key}; see docs/settings.md")
        values[name] = _convert(name, raw, getattr(defaults, name))
    settings = Settings(**values)  # type: ignore[arg-type]
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    unknown = [lang for lang in settings.languages if lang not in SUPPORTED_LANGUAGES]
    if unknown:
        raise SettingsError(f"VORORT_LANGUAGES names unsupported languages: {', '.join(unknown)}")
    if settings.default_language not in settings.languages:
        raise SettingsError("VORORT_DEFAULT_LANGUAGE must be one of VORORT_LANGUAGES")
    if settings.suppression_k < 2:
        raise SettingsError("VORORT_SUPPRESSION_K must be at least 2")
    if settings.public_suppression_k < settings.suppression_k:
        raise SettingsError("VORORT_PUBLIC_SUPPRESSION_K must be at least VORORT_SUPPRESSION_K")
    if settings.publication_delay_days < 0:
        raise SettingsError("VORORT_PUBLICATION_DELAY_DAYS must not be negative")
    if settings.reminder_stale_days < 1:
        raise SettingsError("VORORT_REMINDER_STALE_DAYS must be at least 1")
    if not (len(settings.ags) == 8 and settings.ags.isascii() and settings.ags.isdigit()):
        raise SettingsError("VORORT_AGS must be the eight-digit Amtlicher Gemeindeschlüssel")
    if settings.production:
        problems = []
        if settings.debug:
            problems.append("VORORT_DEBUG must be off")
        if not settings.https:
            problems.append("VORORT_BASE_URL must start with https://")
        if not settings.secret_key_file.exists():
            problems.append(f"VORORT_SECRET_KEY_FILE {settings.secret_key_file} does not exist")
        if settings.argon2_memory_kib < 19456:
            problems.append("VORORT_ARGON2_MEMORY_KIB below the OWASP minimum of 19456")
        if problems:
            raise SettingsError("refusing to start in production: " + "; ".join(problems))
