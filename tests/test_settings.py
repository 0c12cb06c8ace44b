"""The settings object, its documentation and its refusals."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from web.settings import Settings, SettingsError, load_settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_every_setting_is_documented_and_every_documented_setting_exists():
    documented = set(re.findall(r"^\| `VORORT_([A-Z0-9_]+)` \|", DOC.read_text(), re.MULTILINE))
    in_code = {f.name.upper() for f in fields(Settings)}
    assert documented == in_code


def test_documented_defaults_match_the_code():
    defaults = Settings()
    for name, default in re.findall(r"^\| `VORORT_([A-Z0-9_]+)` \| `([^`]*)` \|", DOC.read_text(), re.MULTILINE):
        value = getattr(defaults, name.lower())
        shown = ",".join(value) if isinstance(value, tuple) else str(value).lower() if isinstance(
            value, bool) else str(value)
        assert shown == default, name


def test_values_are_read_and_converted():
    settings = load_settings({"VORORT_SUPPRESSION_K": "7", "VORORT_LANGUAGES": "de, en",
                              "VORORT_SMTP_STARTTLS": "yes", "PATH": "/bin"})
    assert settings.suppression_k == 7
    assert settings.languages == ("de", "en")
    assert settings.smtp_starttls is True


@pytest.mark.parametrize(("env", "message"), [
    ({"VORORT_SUPRESSION_K": "5"}, "unknown setting VORORT_SUPRESSION_K"),
    ({"VORORT_SUPPRESSION_K": "five"}, "VORORT_SUPPRESSION_K has an invalid value"),
    ({"VORORT_SUPPRESSION_K": "1"}, "at least 2"),
    ({"VORORT_LANGUAGES": "de,xx"}, "unsupported languages: xx"),
    ({"VORORT_DEBUG": "maybe"}, "VORORT_DEBUG has an invalid value"),
    ({"VORORT_PUBLIC_SUPPRESSION_K": "3"}, "at least VORORT_SUPPRESSION_K"),
    ({"VORORT_PUBLICATION_DELAY_DAYS": "-1"}, "must not be negative"),
    ({"VORORT_AGS": "0999"}, "eight-digit"),
    ({"VORORT_REMINDER_STALE_DAYS": "0"}, "VORORT_REMINDER_STALE_DAYS must be at least 1"),
])
def test_bad_values_are_refused_with_a_clear_message(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_production_refuses_insecure_defaults(tmp_path):
    with pytest.raises(SettingsError) as refused:
        load_settings({"VORORT_PRODUCTION": "true", "VORORT_DEBUG": "true",
                       "VORORT_SECRET_KEY_FILE": str(tmp_path / "missing.key")})
    text = str(refused.value)
    assert "VORORT_DEBUG must be off" in text
    assert "https://" in text
    assert "does not exist" in text
    key = tmp_path / "secret.key"
    key.write_bytes(b"k" * 32)
    ok = load_settings({"VORORT_PRODUCTION": "true", "VORORT_BASE_URL": "https://vorort.example",
                        "VORORT_SECRET_KEY_FILE": str(key)})
    assert ok.https


def test_health_and_readiness(client, engine):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["pending_migrations"] == 0


def test_not_ready_while_a_migration_is_pending(settings, tmp_path):
    from dataclasses import replace

    from litestar.testing import TestClient

    from core.db import make_engine
    from core.migrate import upgrade
    from web.app import create_app
    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    upgrade(engine, "0001")
    with TestClient(create_app(replace(settings, database_url=str(engine.url)), engine=engine)) as old:
        response = old.get("/readyz")
        assert response.status_code == 503 and response.json()["pending_migrations"] >= 1


def test_json_log_lines_and_no_access_log():
    import json
    import logging

    from web.logs import JsonLines, logging_dict
    record = logging.LogRecord("vorort.web", logging.INFO, __file__, 1, "purged %d sessions", (3,), None)
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "purged 3 sessions" and line["level"] == "INFO"
    config = logging_dict(True)
    assert config["loggers"]["uvicorn.access"]["handlers"] == []


def test_generate_secret_writes_once_and_production_then_starts(tmp_path, capsys):
    from web.cli import main
    key = tmp_path / "secret.key"
    assert main(["generate-secret", str(key)]) == 0
    assert len(key.read_bytes()) == 32 and oct(key.stat().st_mode & 0o777) == "0o600"
    before = key.read_bytes()
    assert main(["generate-secret", str(key)]) == 2
    assert key.read_bytes() == before
    load_settings({"VORORT_PRODUCTION": "true", "VORORT_BASE_URL": "https://vorort.example",
                   "VORORT_SECRET_KEY_FILE": str(key)})


def test_metrics_need_the_token_and_carry_no_concrete_paths(settings, engine, db):
    from dataclasses import replace

    from litestar.testing import TestClient

    from web.app import create_app
    with TestClient(create_app(settings, engine=engine)) as closed:
        assert closed.get("/metrics").status_code == 404
    app = create_app(replace(settings, metrics_token="s3cret-token"), engine=engine)
    with TestClient(app) as client:
        client.get("/einladung/some-secret-invite-token")
        client.get("/")
        assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 404
        text = client.get("/metrics", headers={"authorization": "Bearer s3cret-token"}).text
    assert 'vorort_requests_total{method="GET",route="/",status="2xx"} 1' in text
    assert 'route="/einladung/{token}"' in text and "some-secret-invite-token" not in text
    assert "vorort_request_seconds_bucket" in text
