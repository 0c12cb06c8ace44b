"""Legal and trust pages of a deployment: texts the administrators keep, defaults until they do."""

from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY

MAX_TEXT = 40_000


class LegalPage(SQLModel, table=True):
    __tablename__ = "legal_page"

    slug: str = Field(primary_key=True, max_length=40)
    lang: str = Field(primary_key=True, max_length=8)
    body: str
    updated_at: datetime
    updated_by: int | None = Field(default=None, foreign_key="staff_user.id")


def stored_text(session: Session, slug: str, lang: str) -> str | None:
    row = session.get(LegalPage, (slug, lang))
    return row.body if row else None


def save_text(session: Session, actor: Actor, slug: str, lang: str, body: str, *, now: datetime) -> None:
    POLICY.require(actor, "legal.edit")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed({"body": "required"})
    if len(body) > MAX_TEXT:
        raise ValidationFailed({"body": "too_long"})
    row = session.get(LegalPage, (slug, lang)) or LegalPage(slug=slug, lang=lang, body=body, updated_at=now)
    row.body, row.updated_at, row.updated_by = body, now, actor.user_id
    session.add(row)
    record(session, actor, "legal.edit", "legal_page", f"{slug}/{lang}", now=now)
