"""How each person wants to be told about things (at once, daily, weekly, never; in which language),
and the notices waiting for their next digest.

A notice is claimed once per person by its key (UNIQUE), whichever job or scheduler gets there first,
exactly like a queued mail; a digest takes the person's waiting notices and marks them digested in the
transaction that queues the digest mail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, update
from sqlmodel import Field, Session, SQLModel, col, select

from core.actors import Actor
from core.audit import record
from core.claims import insert_once
from core.errors import ValidationFailed
from core.permissions import POLICY


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"


DEFAULT_FREQUENCY = Frequency.WEEKLY


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    frequency: str = Field(max_length=20)  # a Frequency value
    # None: the deployment's default language (it may change; the person did not choose).
    language: str | None = Field(default=None, max_length=8)
    updated_at: datetime


class Notice(SQLModel, table=True):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_waiting", "user_id", "digested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", ondelete="CASCADE")
    dedup_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=60)
    # What the digest needs to describe it (titles, dates, ids) as JSON; nothing from a report or case.
    payload: str
    created_at: datetime
    digested_at: datetime | None = None


@dataclass(frozen=True)
class Preference:
    frequency: Frequency
    language: str
    chosen_language: str | None


def preferences_for(session: Session, user_ids: list[int], *, default_language: str) -> dict[int, Preference]:
    """Everyone's preference, the defaults for those who never chose."""
    rows = {row.user_id: row for row in session.exec(
        select(NotificationPreference).where(col(NotificationPreference.user_id).in_(user_ids))).all()}
    result = {}
    for user_id in user_ids:
        row = rows.get(user_id)
        if row is None:
            result[user_id] = Preference(DEFAULT_FREQUENCY, default_language, None)
        else:
            result[user_id] = Preference(Frequency(row.frequency), row.language or default_language, row.language)
    return result


def preference_of(session: Session, user_id: int, *, default_language: str) -> Preference:
    return preferences_for(session, [user_id], default_language=default_language)[user_id]


def set_preference(session: Session, actor: Actor, *, frequency: str, language: str, languages: tuple[str, ...],
                   now: datetime) -> NotificationPreference:
    """The actor's own choice; an empty language means the deployment's default."""
    POLICY.require(actor, "account.self")
    assert actor.user_id is not None
    errors = {}
    if frequency not in set(Frequency):
        errors["frequency"] = "choose_option"
    if language and language not in languages:
        errors["language"] = "choose_option"
    if errors:
        raise ValidationFailed(errors)
    row = session.get(NotificationPreference, actor.user_id)
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, frequency=frequency, updated_at=now)
    row.frequency, row.language, row.updated_at = frequency, language or None, now
    session.add(row)
    session.flush()
    record(session, actor, "notifications.update", "staff_user", actor.user_id, now=now)
    return row


def claim_notice(session: Session, *, user_id: int, dedup_key: str, kind: str, payload: dict[str, Any],
                 now: datetime) -> bool:
    """Keep a notice for the person's digest unless this key was claimed before; True when this call did."""
    return insert_once(session, Notice.__table__, {  # type: ignore[attr-defined]
        "user_id": user_id, "dedup_key": dedup_key[:200], "kind": kind,
        "payload": json.dumps(payload, sort_keys=True), "created_at": now,
    }, key="dedup_key")


@dataclass(frozen=True)
class WaitingNotice:
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


def waiting_notices(session: Session, user_id: int) -> list[WaitingNotice]:
    rows = session.exec(select(Notice).where(Notice.user_id == user_id, col(Notice.digested_at).is_(None))
                        .order_by(col(Notice.created_at), col(Notice.id))).all()
    return [WaitingNotice(row.id or 0, row.kind, json.loads(row.payload), row.created_at) for row in rows]


def users_with_waiting_notices(session: Session) -> list[int]:
    return sorted(set(session.exec(select(Notice.user_id).where(col(Notice.digested_at).is_(None))).all()))


def mark_digested(session: Session, notice_ids: list[int], *, now: datetime) -> None:
    for start in range(0, len(notice_ids), 1000):
        session.execute(update(Notice).where(col(Notice.id).in_(notice_ids[start:start + 1000]))
                        .values(digested_at=now))
