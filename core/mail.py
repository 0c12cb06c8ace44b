"""Outgoing e-mail: one message format (text + HTML), SMTP delivery and an outbox that sends each mail once.

A mail is *claimed* by inserting its dedup key into `mail_outbox` (UNIQUE): a second run of a job, or a
second scheduler, hits the unique constraint and queues nothing. Delivery takes a short lease on each
row before talking to the server, so two deliverers never send the same row, and a failed attempt
leaves the row queued for the next run. Logs name the row and the kind of error, never an address or
any content."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, or_, select

from core.accounts import User
from core.actors import Actor
from core.claims import insert_once
from core.clock import as_utc
from core.permissions import POLICY

log = logging.getLogger("vorort.mail")

# A delivery attempt that has not finished within this time is presumed dead (a killed process).
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes; an empty host means no server is configured and mail stays queued."""

    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "vorort@localhost"
    timeout_seconds: float = 20.0

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    language: str


class MailOutbox(SQLModel, table=True):
    __tablename__ = "mail_outbox"

    id: int | None = Field(default=None, primary_key=True)
    recipient_user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=60)
    dedup_key: str = Field(max_length=200, unique=True)
    language: str = Field(max_length=8)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str
    created_at: datetime = Field(index=True)
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    # The class of the last failure (e.g. "SMTPRecipientsRefused", "no_server"), never its message.
    last_error: str | None = Field(default=None, max_length=60)
    leased_until: datetime | None = None


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML version preferred by clients that show it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    # Reminders are automatic: auto-responders should not answer them (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    # After the parts: set_content() drops every Content-* header set before it.
    message["Content-Language"] = "de" if mail.language == "ls" else mail.language
    return message


def send_mail(smtp: SmtpSettings, mail: OutgoingMail) -> None:
    """Hand one mail to the SMTP server; raises OSError or smtplib.SMTPException when it fails."""
    message = build_message(mail, smtp.sender)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.user:
            server.login(smtp.user, smtp.password)
        server.send_message(message)


def enqueue(session: Session, *, recipient_user_id: int, kind: str, dedup_key: str, subject: str, text: str,
            html: str, language: str, now: datetime) -> bool:
    """Queue a mail unless one with this key was ever queued; True when this call queued it."""
    return insert_once(session, MailOutbox.__table__, {  # type: ignore[attr-defined]
        "recipient_user_id": recipient_user_id, "kind": kind, "dedup_key": dedup_key[:200], "language": language,
        "subject": subject[:300], "text_body": text, "html_body": html, "created_at": now, "attempts": 0,
    }, key="dedup_key")


def is_claimed(session: Session, dedup_key: str) -> bool:
    return session.exec(select(MailOutbox.id).where(MailOutbox.dedup_key == dedup_key)).first() is not None


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int
    waiting: int  # still queued afterwards (no server, or failed this time)


def _lease(session: Session, mail_id: int, now: datetime) -> bool:
    """Take the row for one attempt; False when another deliverer holds it or it was sent meanwhile."""
    result = session.execute(
        update(MailOutbox)
        .where(col(MailOutbox.id) == mail_id, col(MailOutbox.sent_at).is_(None),
               or_(col(MailOutbox.leased_until).is_(None), col(MailOutbox.leased_until) < now))
        .values(leased_until=now + LEASE, attempts=MailOutbox.attempts + 1))  # type: ignore[operator]
    session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def deliver_queued(session: Session, smtp: SmtpSettings, *, now: datetime, limit: int = 200) -> DeliveryResult:
    """Send queued mails (oldest first). Commits per mail: a sent mail must never be sent again."""
    if not smtp.configured:
        waiting = len(session.exec(select(MailOutbox.id).where(col(MailOutbox.sent_at).is_(None))).all())
        return DeliveryResult(0, 0, waiting)
    candidates = session.exec(
        select(MailOutbox.id).where(col(MailOutbox.sent_at).is_(None), MailOutbox.attempts < MAX_ATTEMPTS)
        .order_by(col(MailOutbox.created_at), col(MailOutbox.id)).limit(limit)).all()
    sent = failed = 0
    for mail_id in candidates:
        assert mail_id is not None
        if not _lease(session, mail_id, now):
            continue
        row = session.get(MailOutbox, mail_id)
        user = session.get(User, row.recipient_user_id) if row else None
        if row is None:
            continue
        if user is None or not user.is_active:
            row.last_error, row.leased_until = "recipient_inactive", None
            row.attempts = MAX_ATTEMPTS  # nobody to send it to; keep it visible, stop trying
            session.add(row)
            session.commit()
            failed += 1
            continue
        mail = OutgoingMail(to=user.email, subject=row.subject, text=row.text_body, html=row.html_body,
                            language=row.language)
        try:
            send_mail(smtp, mail)
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            row.last_error, row.leased_until = type(exc).__name__[:60], None
            session.add(row)
            session.commit()
            log.warning("mail %s (%s) not sent: %s, attempt %s", row.id, row.kind, type(exc).__name__, row.attempts)
            failed += 1
            continue
        row.sent_at, row.leased_until, row.last_error = now, None, None
        session.add(row)
        session.commit()
        sent += 1
    waiting = len(session.exec(select(MailOutbox.id).where(col(MailOutbox.sent_at).is_(None))).all())
    return DeliveryResult(sent, failed, waiting)


@dataclass(frozen=True)
class QueuedMailView:
    id: int
    recipient: str
    kind: str
    subject: str
    created_at: datetime
    attempts: int
    last_error: str | None


def queued_mails(session: Session, actor: Actor, *, limit: int = 200) -> list[QueuedMailView]:
    """Mails not sent yet, for the administrators (who see subject and recipient, not the body)."""
    POLICY.require(actor, "mail.outbox")
    rows = session.exec(
        select(MailOutbox, User.display_name).join(User, col(User.id) == MailOutbox.recipient_user_id)
        .where(col(MailOutbox.sent_at).is_(None)).order_by(col(MailOutbox.created_at)).limit(limit)).all()
    return [QueuedMailView(row.id or 0, name, row.kind, row.subject, as_utc(row.created_at), row.attempts,
                           row.last_error) for row, name in rows]


def count_queued(session: Session) -> int:
    return len(session.exec(select(MailOutbox.id).where(col(MailOutbox.sent_at).is_(None))).all())
