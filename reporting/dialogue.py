"""The receipt channel: the reporter reads and writes with the receipt, the centre with its key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.accounts import Organisation
from core.actors import Actor
from core.audit import record
from core.crypto import Argon2Params, constant_time_equal, seal, unseal
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting import permissions  # noqa: F401  (registers the reporting rules)
from reporting.attachments import CleanFile
from reporting.intake import store_attachments
from reporting.models import Attachment, Incident, Message
from reporting.receipts import burn_equal_time, secrets_for
from reporting.schemas import AttachmentView, MessageView, ReporterView
from reporting.sharing import incident_guard, report_key

MAX_MESSAGE = 10_000


@dataclass(frozen=True)
class ContentAccess:
    """An opened report: whoever holds this can read and write its sealed content."""

    incident_id: str
    report_key: bytes


def open_with_receipt(session: Session, code: str, *, tag_key: bytes, params: Argon2Params) -> ContentAccess | None:
    """The report this receipt belongs to, or None; the work done does not depend on which."""
    probe = secrets_for(code, tag_key, params, salt=b"\x00" * 16)
    candidates = session.exec(select(Incident).where(Incident.receipt_tag == probe.tag)).all()
    if not candidates:
        burn_equal_time(code, params)
        return None
    for incident in candidates:
        if incident.receipt_salt is None or incident.receipt_verifier is None or incident.key_for_receipt is None:
            continue
        held = secrets_for(code, tag_key, params, salt=incident.receipt_salt)
        if constant_time_equal(held.verifier.hex(), incident.receipt_verifier.hex()):
            key = unseal(held.wrapping_key, incident.key_for_receipt, incident.id.encode() + b"/receipt")
            return ContentAccess(incident.id, key)
    return None


def open_as_centre(session: Session, actor: Actor, incident_id: str, centre_private: bytes) -> ContentAccess:
    incident = session.get(Incident, incident_id)
    POLICY.require(actor, "case.read", incident_guard(session, incident))
    assert incident is not None
    return ContentAccess(incident.id, report_key(session, actor, incident, centre_private))


def _open(access: ContentAccess, sealed: bytes, purpose: str) -> str:
    return unseal(access.report_key, sealed, access.incident_id.encode() + purpose.encode()).decode()


def description_of(session: Session, access: ContentAccess) -> str:
    incident = session.get(Incident, access.incident_id)
    if incident is None or incident.description_sealed is None:
        raise NotFound("incident")
    return _open(access, incident.description_sealed, "/description")


def contact_of(session: Session, access: ContentAccess) -> str | None:
    incident = session.get(Incident, access.incident_id)
    if incident is None or incident.contact_sealed is None:
        return None
    return _open(access, incident.contact_sealed, "/contact")


def _attachments(session: Session, access: ContentAccess) -> dict[int | None, list[AttachmentView]]:
    """Attachments by the message they came with; None for those sent with the report itself."""
    files = session.exec(select(Attachment).where(Attachment.incident_id == access.incident_id)
                         .order_by(col(Attachment.id))).all()
    by_message: dict[int | None, list[AttachmentView]] = {}
    for f in files:
        by_message.setdefault(f.message_id, []).append(AttachmentView(
            id=f.id or 0, name=_open(access, f.name_sealed, "/attachment"), media_type=f.media_type, size=f.size))
    return by_message


def thread(session: Session, access: ContentAccess) -> list[MessageView]:
    messages = session.exec(select(Message).where(Message.incident_id == access.incident_id)
                            .order_by(col(Message.id))).all()
    by_message = _attachments(session, access)
    return [MessageView(author=m.author, sent_on=m.sent_on, body=_open(access, m.body_sealed, "/message"),
                        attachments=by_message.get(m.id, [])) for m in messages]


def reporter_view(session: Session, access: ContentAccess) -> ReporterView:
    incident = session.get(Incident, access.incident_id)
    if incident is None:
        raise NotFound("incident")
    centre = session.get(Organisation, incident.centre_id)
    return ReporterView(state=incident.state, received_on=incident.received_on,
                        centre_name=centre.name if centre else "", messages=thread(session, access),
                        report_attachments=_attachments(session, access).get(None, []))


def attachment_data(session: Session, access: ContentAccess, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of one attachment of this report."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.incident_id != access.incident_id:
        raise NotFound("attachment")
    aad = access.incident_id.encode() + b"/attachment"
    return (unseal(access.report_key, row.name_sealed, aad).decode(), row.media_type,
            unseal(access.report_key, row.data_sealed, aad))


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed({"message": "message_empty"})
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed({"message": "too_long"})
    return text


def add_reporter_message(session: Session, access: ContentAccess, text: str, files: list[CleanFile], *,
                         today: date) -> None:
    """The reporter answers or adds information; the centre sees it as unread."""
    if not text.strip() and files:
        text = "📎"
    body = _check_text(text)
    result: Any = session.execute(insert(Message.__table__).values(  # type: ignore[attr-defined]
        incident_id=access.incident_id, author="reporter", author_user_id=None, sent_on=today,
        body_sealed=seal(access.report_key, body.encode(), access.incident_id.encode() + b"/message"),
        read_by_centre=False))
    message_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if files:
        store_attachments(session, access.incident_id, access.report_key, files, message_id=message_id)


def reply_as_centre(session: Session, actor: Actor, access: ContentAccess, text: str, *, now: datetime) -> None:
    incident = session.get(Incident, access.incident_id)
    POLICY.require(actor, "case.reply", incident)
    assert incident is not None
    body = _check_text(text)
    session.add(Message(incident_id=incident.id, author="centre", author_user_id=actor.user_id, sent_on=now.date(),
                        body_sealed=seal(access.report_key, body.encode(), incident.id.encode() + b"/message"),
                        read_by_centre=True))
    if incident.state == "received":
        incident.state = "in_review"
        session.add(incident)
    record(session, actor, "case.reply", "incident", incident.id, now=now, organisation_id=incident.centre_id)
