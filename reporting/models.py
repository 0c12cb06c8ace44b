"""Tables of the reporting domain. Coded fields are clear text for statistics; free text is sealed."""

import uuid
from datetime import date, datetime

from sqlalchemy import Index, LargeBinary
from sqlmodel import Column, Field, SQLModel


def new_incident_id() -> str:
    return uuid.uuid4().hex


class District(SQLModel, table=True):
    """The deployment's districts, the finest geography ever published."""

    __tablename__ = "district"

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    position: int = 0


class ReceivingCentre(SQLModel, table=True):
    """A counselling centre that receives reports: its public key, and its private key wrapped for
    recovery (the recovery key is shown once to the centre and never stored)."""

    __tablename__ = "receiving_centre"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    public_key: bytes
    recovery_salt: bytes
    recovery_wrapped: bytes
    is_default: bool = False
    established_at: datetime


class CentreKeyGrant(SQLModel, table=True):
    """The centre's private key sealed to one member's personal public key."""

    __tablename__ = "centre_key_grant"

    organisation_id: int = Field(foreign_key="receiving_centre.organisation_id", primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    sealed_private: bytes
    granted_at: datetime


class Incident(SQLModel, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_centre_state", "centre_id", "state"),
    )

    id: str = Field(default_factory=new_incident_id, primary_key=True, max_length=32)
    taxonomy_version: str = Field(max_length=16)
    # Anonymous reports keep the day only: a time of day could match server or network logs.
    received_on: date
    channel: str = Field(max_length=40)
    reporter_role: str = Field(max_length=40)
    incident_date: date | None = None
    date_precision: str = Field(max_length=16)
    recurrence: str | None = Field(default=None, max_length=16)
    district: str | None = Field(default=None, max_length=40)
    place_type: str | None = Field(default=None, max_length=40)
    life_area: str | None = Field(default=None, max_length=40)
    online: bool = False
    primary_type: str | None = Field(default=None, max_length=40)
    primary_motive: str | None = Field(default=None, max_length=40)
    target_type: str | None = Field(default=None, max_length=40)
    affected_count: int | None = None
    affected_age_band: str | None = Field(default=None, max_length=40)
    perpetrator_type: str | None = Field(default=None, max_length=40)
    police_report: str | None = Field(default=None, max_length=16)
    centre_id: int = Field(foreign_key="organisation.id", index=True)
    state: str = Field(default="received", max_length=20)
    verification: str = Field(default="unverified", max_length=20)
    wants_contact: bool = False
    # The per-incident content key, wrapped for the receiving centre and (if any) for the receipt.
    key_for_centre: bytes
    key_for_receipt: bytes | None = None
    receipt_tag: str | None = Field(default=None, max_length=8, index=True)
    receipt_salt: bytes | None = None
    receipt_verifier: bytes | None = None
    description_sealed: bytes | None = None
    contact_sealed: bytes | None = None
    # Counselling-only coding (advd / AGG §3) and the triage decision.
    discrimination_form: str | None = Field(default=None, max_length=40)
    discrimination_level: str | None = Field(default=None, max_length=20)
    duplicate_of: str | None = Field(default=None, max_length=32)
    triage_note_sealed: bytes | None = None
    recorded_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # Set when the content and keys were deleted; the coded record stays for statistics.
    content_purged_on: date | None = None


class IncidentCode(SQLModel, table=True):
    """One chosen code of a multiple-answer field (types, motives, subcodes, consequences)."""

    __tablename__ = "incident_code"

    incident_id: str = Field(foreign_key="incident.id", primary_key=True, max_length=32, ondelete="CASCADE")
    field: str = Field(primary_key=True, max_length=40)
    code: str = Field(primary_key=True, max_length=40)


class Message(SQLModel, table=True):
    """One message of the receipt channel between the reporter and the centre."""

    __tablename__ = "message"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32, ondelete="CASCADE")
    author: str = Field(max_length=10)  # "reporter" or "centre"
    author_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    sent_on: date
    body_sealed: bytes
    read_by_centre: bool = False


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32, ondelete="CASCADE")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    media_type: str = Field(max_length=40)
    size: int
    name_sealed: bytes
    data_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SpentChallenge(SQLModel, table=True):
    """Proof-of-work challenges already used, so each works once (shared by all workers)."""

    __tablename__ = "spent_challenge"

    digest: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


class Case(SQLModel, table=True):
    """A counselling case (Beratungsfall) of one centre, linked to one or more incidents."""

    __tablename__ = "counselling_case"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default="open", max_length=10)  # open, paused, closed
    outcome: str | None = Field(default=None, max_length=40)
    opened_at: datetime
    closed_at: datetime | None = None
    # The case's own content key, sealed to the centre's public key.
    key_for_centre: bytes
    content_purged_on: date | None = None


class CaseIncident(SQLModel, table=True):
    __tablename__ = "case_incident"

    case_id: int = Field(foreign_key="counselling_case.id", primary_key=True, ondelete="CASCADE")
    incident_id: str = Field(foreign_key="incident.id", primary_key=True, max_length=32)


class CaseMember(SQLModel, table=True):
    """Counsellors assigned to a case (co-counselling)."""

    __tablename__ = "case_member"

    case_id: int = Field(foreign_key="counselling_case.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)


class CaseEvent(SQLModel, table=True):
    """One entry of a case's timeline: request, intervention, deadline, consent, note, status."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="counselling_case.id", index=True, ondelete="CASCADE")
    at: datetime
    kind: str = Field(max_length=20)
    code: str | None = Field(default=None, max_length=40)
    on_date: date | None = None  # the date of an intervention, the due date of a deadline
    done: bool = False
    text_version: str | None = Field(default=None, max_length=20)  # of a consent's wording
    body_sealed: bytes | None = None
    author_user_id: int | None = Field(default=None, foreign_key="staff_user.id")


class CaseShare(SQLModel, table=True):
    """A partner centre reads (and documents in) a case: the case key sealed to that centre."""

    __tablename__ = "case_share"

    case_id: int = Field(foreign_key="counselling_case.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    case_key_sealed: bytes
    shared_at: datetime


class IncidentShare(SQLModel, table=True):
    """A shared case's report, readable by the partner centre: the report key sealed to it."""

    __tablename__ = "incident_share"

    incident_id: str = Field(foreign_key="incident.id", primary_key=True, max_length=32, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    report_key_sealed: bytes
