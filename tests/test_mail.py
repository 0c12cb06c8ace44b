"""The mailer against a real SMTP server on 127.0.0.1: parts, language, once only, retries when the server is down."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlmodel import Session, select

from core.mail import MailOutbox, OutgoingMail, SmtpSettings, deliver_queued, enqueue, send_mail
from tests.smtp_server import free_port, smtp_server

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _queue(db: Session, user_id: int, key: str = "test:1") -> bool:
    return enqueue(db, recipient_user_id=user_id, kind="test", dedup_key=key, subject="Erinnerung",
                   text="Hallo Text", html="<p>Hallo <b>HTML</b></p>", language="de", now=NOW)


def test_a_mail_has_a_text_and_an_html_part_and_names_its_language():
    with smtp_server() as (server, port):
        send_mail(SmtpSettings(host="127.0.0.1", port=port, sender="plan@musterstadt.example"),
                  OutgoingMail(to="petra@example.org", subject="Meilenstein fällig", text="Bitte prüfen.",
                               html="<p>Bitte <em>prüfen</em>.</p>", language="de"))
    [message] = server.messages
    assert message["From"] == "plan@musterstadt.example"
    assert message["Subject"] == "Meilenstein fällig"
    assert message["Content-Language"] == "de"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Bitte prüfen." in text.get_content()
    assert "<em>prüfen</em>" in html.get_content()


def test_a_key_is_queued_once(db, personas):
    user = personas["strategy_member"]
    assert _queue(db, user.user_id)
    assert not _queue(db, user.user_id)
    db.commit()
    assert len(db.exec(select(MailOutbox)).all()) == 1


def test_without_a_server_mail_stays_queued(db, personas):
    _queue(db, personas["strategy_member"].user_id)
    db.commit()
    result = deliver_queued(db, SmtpSettings(host=""), now=NOW)
    assert (result.sent, result.waiting) == (0, 1)
    assert db.exec(select(MailOutbox)).one().sent_at is None


def test_a_server_that_is_down_keeps_the_mail_for_the_next_run_and_logs_no_address(db, personas, caplog):
    user = personas["strategy_member"]
    _queue(db, user.user_id)
    db.commit()
    with caplog.at_level(logging.WARNING, logger="vorort.mail"):
        result = deliver_queued(db, SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=2), now=NOW)
    assert (result.sent, result.failed, result.waiting) == (0, 1, 1)
    row = db.exec(select(MailOutbox)).one()
    assert row.attempts == 1 and row.last_error == "ConnectionRefusedError"
    assert user.email not in caplog.text and "Hallo" not in caplog.text and "Erinnerung" not in caplog.text
    with smtp_server() as (server, port):
        result = deliver_queued(db, SmtpSettings(host="127.0.0.1", port=port), now=NOW)
        assert result.sent == 1
        assert deliver_queued(db, SmtpSettings(host="127.0.0.1", port=port), now=NOW).sent == 0
    assert [m["To"] for m in server.messages] == [user.email]


def test_a_server_that_refuses_keeps_the_mail_queued(db, personas):
    _queue(db, personas["strategy_member"].user_id)
    db.commit()
    with smtp_server() as (server, port):
        server.refuse = True
        assert deliver_queued(db, SmtpSettings(host="127.0.0.1", port=port), now=NOW).failed == 1
        server.refuse = False
        assert deliver_queued(db, SmtpSettings(host="127.0.0.1", port=port), now=NOW).sent == 1
    assert len(server.messages) == 1


def test_two_deliverers_at_once_send_each_mail_once(db, personas, engine):
    user = personas["strategy_member"]
    for n in range(5):
        _queue(db, user.user_id, key=f"test:{n}")
    db.commit()
    with smtp_server() as (server, port):
        smtp = SmtpSettings(host="127.0.0.1", port=port)
        barrier = threading.Barrier(2)

        def deliver() -> None:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                deliver_queued(session, smtp, now=NOW)

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert len(server.messages) == 5
