"""The anonymous reporting flow over HTTP, without JavaScript."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.clock import utcnow
from reporting import dialogue
from reporting.centres import centre_key_for_member
from reporting.models import Attachment, Incident, IncidentCode, Message
from tests.intake_flow import FULL_REPORT, post_step, receipt_from, send, walk_to_review
from tests.personas import add_districts, establish_centres


@pytest.fixture
def centres(db, crypto, personas):
    add_districts(db)
    return establish_centres(db, crypto, personas)


def test_resident_reports_and_gets_a_receipt(client, db, centres):
    review = walk_to_review(client, FULL_REPORT)
    assert "In der Bäckerei wurde ich beleidigt" in review
    done = send(client, review)
    assert done.status_code == 200, done.text
    receipt = receipt_from(done.text)
    assert len(receipt.replace(" ", "")) == 16 and receipt.count(" ") == 3
    incident = db.exec(select(Incident)).one()
    assert incident.verification == "unverified"
    assert incident.primary_type == "physical_attack"  # the most severe of the chosen types
    assert incident.primary_motive == "racism"
    assert incident.centre_id == centres["A"]  # the default centre
    assert incident.district == "altstadt"
    assert str(incident.incident_date) == "2026-10-03" and incident.date_precision == "day"
    assert incident.received_on == utcnow().date()
    codes = {(c.field, c.code) for c in db.exec(select(IncidentCode)).all()}
    assert ("racism_subcodes", "anti_muslim") in codes and ("incident_types", "insult_verbal_abuse") in codes


def test_invalid_step_keeps_everything_and_explains(client, centres):
    client.cookies.set("lang", "en", domain="testserver.local")
    page = client.get("/melden")
    step = post_step(client, page.text, {"incident_types": [], "motives": ["racism"]})
    assert step.status_code == 422
    assert "Please choose at least one answer" in step.text
    assert 'value="racism" checked' in step.text
    where = post_step(client, post_step(client, page.text, {"incident_types": ["other"]}).text,
                      {"year": "2026", "month": "2", "day": "30", "place_type": "police"})
    assert where.status_code == 422
    assert "This date does not exist" in where.text
    assert 'value="police" selected' in where.text
    assert 'name="incident_types" value="other"' in where.text  # the earlier step travels along


def test_going_back_and_changing_loses_nothing(client, centres):
    review = walk_to_review(client, FULL_REPORT)
    back = post_step(client, review, {}, go="edit:what")
    assert back.status_code == 200
    assert 'value="physical_attack" checked' in back.text
    assert "In der Bäckerei" in back.text  # carried in a hidden field


def test_lost_cookie_mid_report_keeps_the_answers(client, centres):
    review = walk_to_review(client, FULL_REPORT)
    client.cookies.clear()
    response = post_step(client, review, {}, go="send")  # the page's token, but no cookie any more
    assert response.status_code == 422
    assert "Nothing you entered is lost" in response.text or "Eingaben" in response.text
    assert "In der Bäckerei" in response.text
    again = send(client, response.text)
    assert again.status_code == 200


def test_reporter_reads_the_answer_and_replies(client, db, crypto, centres, personas):
    receipt = receipt_from(send(client, walk_to_review(client, FULL_REPORT)).text)
    incident = db.exec(select(Incident)).one()
    counsellor = personas["counsellor_a"]
    from core.keyring import unlock_user_key
    member_key = unlock_user_key(db, counsellor.user_id, counsellor.password, crypto.argon2)
    centre_key = centre_key_for_member(db, centres["A"], counsellor.user_id, member_key)
    access = dialogue.open_as_centre(db, counsellor.actor, incident.id, centre_key)
    assert dialogue.description_of(db, access).startswith("In der Bäckerei")
    dialogue.reply_as_centre(db, counsellor.actor, access, "Danke für Ihre Meldung. Wie geht es Ihnen?",
                             now=utcnow())
    db.commit()
    client.get("/status")
    view = client.post("/status", data={"receipt": receipt, "action": "open", "_csrf_token": client.csrf()})
    assert view.status_code == 200
    assert "Wie geht es Ihnen?" in view.text
    answer = client.post("/status", data={"receipt": receipt.replace(" ", "-"), "action": "reply",
                                          "message": "Mir geht es besser, danke.", "_csrf_token": client.csrf()})
    assert answer.status_code == 200
    assert "Mir geht es besser" in answer.text
    db.expire_all()
    reporter_message = db.exec(select(Message).where(Message.author == "reporter")).one()
    assert reporter_message.read_by_centre is False
    assert dialogue.thread(db, access)[-1].body == "Mir geht es besser, danke."


def test_wrong_code_gets_the_same_calm_answer(client, centres):
    client.get("/status")
    send(client, walk_to_review(client, FULL_REPORT))
    unknown = client.post("/status", data={"receipt": "1234 5678 9012 3456", "_csrf_token": client.csrf()})
    assert unknown.status_code == 422
    malformed = client.post("/status", data={"receipt": "12345", "_csrf_token": client.csrf()})
    assert malformed.status_code == 422
    assert 'value="1234 5678 9012 3456"' in unknown.text


def test_another_centre_cannot_open_the_report(client, db, crypto, centres, personas):
    from core.errors import NotFound
    send(client, walk_to_review(client, FULL_REPORT))
    incident = db.exec(select(Incident)).one()
    other = personas["counsellor_b"]
    with pytest.raises(NotFound):
        dialogue.open_as_centre(db, other.actor, incident.id, b"\x00" * 32)


def test_attachment_is_stored_encrypted(client, db, centres):
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    done = send(client, walk_to_review(client, FULL_REPORT),
                files=[("files", ("foto.png", buffer.getvalue(), "image/png"))])
    assert done.status_code == 200, done.text
    stored = db.exec(select(Attachment)).one()
    assert stored.media_type == "image/png"
    assert b"foto" not in stored.name_sealed and b"PNG" not in stored.data_sealed


def test_switching_language_mid_report_keeps_the_answers(client, centres):
    page = client.get("/melden")
    step = post_step(client, page.text, {"incident_types": ["physical_attack"], "motives": ["antisemitism"]})
    switched = post_step(client, step.text, {"year": "2026", "place_type": "police"}, go="lang:ar")
    assert switched.status_code == 200
    assert 'lang="ar" dir="rtl"' in switched.text
    assert 'value="police" selected' in switched.text
    assert 'name="incident_types" value="physical_attack"' in switched.text
    assert switched.cookies.get("lang") == "ar" or client.cookies.get("lang") == "ar"
