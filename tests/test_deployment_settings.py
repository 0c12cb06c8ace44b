"""Settings stored by administrators override the environment's, are validated, audited, sealed when
secret, and every app instance (worker) sees the same values after a change."""

from __future__ import annotations

import dataclasses

from sqlmodel import select

from core.audit import AuditEvent
from core.clock import utcnow
from core.deployment import DeploymentChange, DeploymentSetting, save_settings, stored_settings
from web.effective_settings import load_effective


def _save(db, crypto, actor, settings, **changes):
    save_settings(db, actor, crypto, changes, dataclasses.asdict(settings), now=utcnow())
    db.commit()


def test_stored_settings_override_the_environment_defaults(db, crypto, personas, settings, engine):
    admin = personas["admin"]
    _save(db, crypto, admin.actor, settings, municipality_name="Neustadt", ags="05315000", suppression_k=7,
          public_suppression_k=12, languages=("de", "en"), public_statistics=True)
    effective, version = load_effective(engine, settings, crypto)
    assert version > 0
    assert (effective.municipality_name, effective.ags, effective.suppression_k) == ("Neustadt", "05315000", 7)
    assert effective.languages == ("de", "en") and effective.public_statistics is True
    # What administrators cannot change stays the environment's.
    assert effective.database_url == settings.database_url and effective.argon2_time_cost == settings.argon2_time_cost
    assert effective.publication_delay_days == settings.publication_delay_days


def test_the_pages_use_the_effective_settings(client, db, crypto, personas, settings):
    admin = personas["admin"]
    _save(db, crypto, admin.actor, settings, municipality_name="Neustadt an der Probe", languages=("de", "en", "tr"))
    client.app.state.settings_source.reload(client.app.state)
    home = client.get("/", headers={"accept-language": "de"})
    assert "Neustadt an der Probe" in home.text
    assert 'lang="ar"' not in home.text and "العربية" not in home.text


def test_invalid_values_are_refused_next_to_the_field_keeping_what_was_entered(client, personas):
    client.login(personas["admin"])
    bad = client.submit("/admin/einstellungen/schwellen", {
        "suppression_k": "6", "public_suppression_k": "4", "publication_delay_days": "14",
        "retention_unverified_days": "90", "retention_closed_case_days": "zwei"})
    assert bad.status_code == 422
    assert 'id="error-retention_closed_case_days"' in bad.text and 'value="zwei"' in bad.text
    bad = client.submit("/admin/einstellungen/schwellen", {
        "suppression_k": "6", "public_suppression_k": "4", "publication_delay_days": "14",
        "retention_unverified_days": "90", "retention_closed_case_days": "1000"})
    assert bad.status_code == 422
    assert 'id="error-public_suppression_k"' in bad.text and 'value="4"' in bad.text and 'value="6"' in bad.text
    bad = client.submit("/admin/einstellungen/gemeinde", {"municipality_name": "Neustadt", "ags": "0531500"})
    assert bad.status_code == 422 and 'id="error-ags"' in bad.text and 'value="Neustadt"' in bad.text
    bad = client.submit("/admin/einstellungen/sprachen", {"languages": ["de", "en"], "default_language": "tr"})
    assert bad.status_code == 422 and 'id="error-default_language"' in bad.text


def test_every_change_is_audited_old_to_new(client, db, personas, settings):
    client.login(personas["admin"])
    saved = client.submit("/admin/einstellungen/oeffentlich", {"public_statistics": "on"})
    assert saved.status_code == 303
    changes = db.exec(select(DeploymentChange)).all()
    assert [(c.name, c.old_value, c.new_value) for c in changes] == [("public_statistics", "false", "true")]
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "deployment.setting_change")).all()
    assert [(e.object_id, e.actor_user_id) for e in events] == [("public_statistics", personas["admin"].user_id)]
    overview = client.get("/admin/einstellungen")
    assert "public_statistics" in overview.text
    # Saving the same values again is no change.
    client.submit("/admin/einstellungen/oeffentlich", {"public_statistics": "on"})
    assert len(db.exec(select(DeploymentChange)).all()) == 1


def test_the_smtp_password_is_stored_sealed_and_never_shown(client, db, crypto, personas, settings):
    client.login(personas["admin"])
    secret = "s3cret-mail-passwort"
    saved = client.submit("/admin/einstellungen/e-mail", {
        "smtp_host": "mail.example.org", "smtp_port": "587", "smtp_user": "vorort", "smtp_password": secret,
        "smtp_starttls": "on", "mail_from": "vorort@example.org"})
    assert saved.status_code == 303
    row = db.get(DeploymentSetting, "smtp_password")
    assert row is not None and row.value == "" and row.sealed and secret.encode() not in row.sealed
    assert stored_settings(db, crypto)["smtp_password"] == secret
    change = db.exec(select(DeploymentChange).where(DeploymentChange.name == "smtp_password")).one()
    assert (change.old_value, change.new_value) == (None, "changed")
    page = client.get("/admin/einstellungen/e-mail")
    assert secret not in page.text and "never shown again" in client.get(
        "/admin/einstellungen/e-mail", headers={"accept-language": "en"}).text
    assert secret not in client.get("/admin/einstellungen").text
    # An empty password field keeps the stored one.
    client.submit("/admin/einstellungen/e-mail", {
        "smtp_host": "mail.example.org", "smtp_port": "2525", "smtp_user": "vorort", "smtp_password": "",
        "smtp_starttls": "on", "mail_from": "vorort@example.org"})
    assert stored_settings(db, crypto)["smtp_password"] == secret
    assert stored_settings(db, crypto)["smtp_port"] == 2525


def test_several_app_instances_agree_after_a_change(settings, engine, db, crypto, personas, monkeypatch):
    from litestar.testing import TestClient

    import web.effective_settings
    from web.app import create_app
    first, second = create_app(settings, engine=engine), create_app(settings, engine=engine)
    monkeypatch.setattr(web.effective_settings, "CHECK_SECONDS", 0.0)
    with TestClient(first) as one, TestClient(second) as two:
        assert "Musterstadt" in two.get("/").text
        _save(db, crypto, personas["admin"].actor, settings, municipality_name="Zweistadt")
        assert "Zweistadt" in one.get("/").text
        assert "Zweistadt" in two.get("/").text
        assert second.state.settings.municipality_name == first.state.settings.municipality_name == "Zweistadt"


def test_a_process_checks_the_version_at_most_every_few_seconds(settings, engine, monkeypatch):
    import web.effective_settings
    from web.app import create_app
    app = create_app(settings, engine=engine)
    queries = []
    real = web.effective_settings.current_version

    def counting(session):
        queries.append(1)
        return real(session)
    monkeypatch.setattr(web.effective_settings, "current_version", counting)
    import time
    app.state.settings_source.checked = time.monotonic()  # as just after a check
    for _ in range(100):
        app.state.settings_source.refresh_if_due(app.state)
    assert len(queries) == 0
    app.state.settings_source.checked -= web.effective_settings.CHECK_SECONDS
    for _ in range(100):
        app.state.settings_source.refresh_if_due(app.state)
    assert len(queries) == 1


def test_the_sealed_password_survives_a_secret_rotation(db, crypto, personas, settings):
    from core.crypto import Argon2Params, Crypto
    from core.server_keys import rotate_secret
    _save(db, crypto, personas["admin"].actor, settings, smtp_password="mail-geheimnis")
    new_secret = b"n" * 32
    new = Crypto(new_secret, Argon2Params(1, 8, 1))
    rotate_secret(db, crypto, new, settings.secret_key_file.read_bytes(), new_secret)
    db.commit()
    assert stored_settings(db, new)["smtp_password"] == "mail-geheimnis"
