"""Demo of reminders: who wants which mail, and the mails of the demo day waiting in the outbox.

The demo has no SMTP server, so the queued mails stay visible to the administrator at /admin/post.
Run after the demo plan exists (its milestones and deadlines lie around today)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from core.accounts import User
from core.notifications import Frequency, NotificationPreference
from web.reminder_mail import queue_digests, queue_reminders
from web.settings import Settings

SUBSCRIPTIONS = {
    "murat@bruecke.example": Frequency.WEEKLY,
    "petra@musterstadt.example": Frequency.DAILY,
    # Anna wants each reminder at once, so the outbox shows single reminders as well as digests.
    "anna@jugendamt.example": Frequency.IMMEDIATE,
}


def seed_reminders(session: Session, *, now: datetime, settings: Settings | None = None) -> int:
    """Subscriptions of the demo people, then the day's reminders and Petra's daily digest; returns mails queued."""
    settings = replace(settings or Settings(), smtp_host="")
    for email, frequency in SUBSCRIPTIONS.items():
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None and user.id is not None:
            session.merge(NotificationPreference(user_id=user.id, frequency=frequency.value, updated_at=now))
    session.flush()
    queued = queue_reminders(session, settings, today=now.date(), now=now).immediate
    queued += queue_digests(session, settings, Frequency.DAILY, today=now.date(), now=now)
    return queued
