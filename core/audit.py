"""Audit trail: who did what to which object, when; never the content."""

from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from core.actors import Actor


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_organisation_id: int | None = Field(default=None)
    action: str = Field(max_length=80)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=64)
    # Which organisation's log this belongs to, so a centre lead sees only their own.
    organisation_id: int | None = Field(default=None, index=True)


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: object, *,
           now: datetime, organisation_id: int | None = None) -> None:
    """Append one event to the audit log in the caller's transaction."""
    session.add(AuditEvent(
        at=now,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        organisation_id=organisation_id,
    ))
