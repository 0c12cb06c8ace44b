"""The public chronicle's own record: written fresh for publication, never copied from the sealed report."""

import secrets
from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


def new_entry_id() -> str:
    # Random, not a counter: a public id must not tell how many entries were proposed or withdrawn.
    return secrets.token_hex(8)


class ChronicleEntry(SQLModel, table=True):
    """One proposed, approved or withdrawn public entry for an incident.

    Everything shown publicly lives here (the summary in clear, since it is public by design; the shown
    date and district; type and motive as codes), so the reviewer approves exactly what is published."""

    __tablename__ = "chronicle_entry"
    __table_args__ = (
        Index("ix_chronicle_entry_state_shown", "state", "shown_on"),
    )

    id: str = Field(default_factory=new_entry_id, primary_key=True, max_length=16)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32, ondelete="CASCADE")
    centre_id: int = Field(foreign_key="organisation.id", index=True)
    # internal_only (returned for changes), pending_review, approved, withdrawn
    state: str = Field(default="pending_review", max_length=20)
    summary: str = Field(max_length=1500)
    shown_on: date  # the first of the month when only the month is shown
    date_shown: str = Field(max_length=8)  # day, month
    district: str | None = Field(default=None, max_length=40)  # None: withheld
    incident_type: str | None = Field(default=None, max_length=40)
    motive: str | None = Field(default=None, max_length=40)
    proposed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    proposed_at: datetime
    reviewed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    reviewed_at: datetime | None = None
    approved_on: date | None = None
    # Codes only, never free text: this table holds nothing but what is public by design.
    return_reasons: str | None = Field(default=None, max_length=200)  # space-separated codes
    withdrawn_by: int | None = Field(default=None, foreign_key="staff_user.id")
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = Field(default=None, max_length=40)
