"""Legal and trust pages: good defaults, edited by administrators only, never HTML."""

from __future__ import annotations

from sqlmodel import select

from core.audit import AuditEvent


def test_defaults_in_german_english_and_leichte_sprache(client):
    german = client.get("/datenschutz")
    assert german.status_code == 200 and "IP-Adresse" in german.text
    client.cookies.set("lang", "en", domain="testserver.local")
    assert "We do not store your IP address" in client.get("/datenschutz").text
    client.cookies.set("lang", "ls", domain="testserver.local")
    assert "Geheim-Schrift" in client.get("/datenschutz").text
    assert "Impressum" in client.get("/impressum").text or "Imprint" in client.get("/impressum").text
    client.cookies.set("lang", "tr", domain="testserver.local")
    assert "WCAG 2.1" in client.get("/barrierefreiheit").text  # English default until edited
    for path in ("/impressum", "/datenschutz", "/barrierefreiheit", "/meldungen-nutzung"):
        assert f'href="{path}"' in client.get("/").text


def test_admin_edits_a_page_and_markup_stays_text(client, personas, db):
    client.login(personas["admin"])
    form = client.get("/admin/rechtliches/impressum/de")
    assert form.status_code == 200 and "[Anschrift]" in form.text
    assert client.submit("/admin/rechtliches/impressum/de", {"body": "   "}).status_code == 422
    done = client.submit("/admin/rechtliches/impressum/de", {
        "body": "## Stadt Musterstadt\nRathausplatz 1\n\n<script>alert(1)</script>"})
    assert done.status_code == 303
    shown = client.get("/impressum").text
    assert "<h2>Stadt Musterstadt</h2>" in shown and "<p>Rathausplatz 1</p>" in shown
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown
    assert any(e.action == "legal.edit" for e in db.exec(select(AuditEvent)).all())
    assert client.get("/admin/rechtliches/unbekannt/de").status_code == 404


def test_only_admins_edit(client, personas):
    client.login(personas["coordinator"])
    assert client.get("/admin/rechtliches/impressum/de").status_code == 403
