"""Tables of the joint action plan (prefix `plan_`): plan → action field → goal → measure → milestones,
co-ownership roles, status history, progress updates, revisions, comments, meetings and decisions."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

# Code lists of the plan domain. Stored as plain strings (like every code in this project).
PLAN_TEMPLATES = ("integration_vor_ort", "eccar", "empty")
PLAN_STATES = ("draft", "adopted", "archived")
MEASURE_STATUSES = ("proposed", "agreed", "planned", "in_progress", "on_hold", "completed", "evaluated",
                    "cancelled")
HEALTHS = ("on_track", "at_risk", "off_track")
PROGRESS_MODES = ("manual", "milestones")
VISIBILITIES = ("internal", "public")
ROLE_KINDS = ("lead", "co_lead", "contributor", "funder")
ROLE_STATES = ("invited", "active", "declined", "withdrawn")
SIDES = ("municipal", "civil_society")
COMMENT_VISIBILITIES = ("own_organisation", "strategy_group")
MEETING_STATES = ("planned", "held")
DECISION_KINDS = ("adopt_plan", "agree", "change", "reassign", "close", "cancel", "other")
# The code lists a measure addresses: the reporting taxonomy's life areas and motives, and the districts.
MEASURE_CODE_LISTS = ("life_area", "ground", "district")


class Plan(SQLModel, table=True):
    """One action plan of the strategy group, for a period."""

    __tablename__ = "plan_plan"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    template: str = Field(max_length=40)
    period_start: date
    period_end: date
    state: str = Field(default="draft", max_length=16)
    # The decision (a row of plan_decision of this plan) that adopted it. No foreign key constraint:
    # decisions reference their plan, and a cycle of constraints would complicate creating both.
    adopted_by_decision_id: int | None = Field(default=None, index=True)
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")


class ActionField(SQLModel, table=True):
    """Handlungsfeld: a thematic field of the plan."""

    __tablename__ = "plan_action_field"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan_plan.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0
    weight: int = 1


class Goal(SQLModel, table=True):
    """Ziel within an action field."""

    __tablename__ = "plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    action_field_id: int = Field(foreign_key="plan_action_field.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0
    weight: int = 1


class Measure(SQLModel, table=True):
    """Maßnahme: what is done, by whom, when, with what money, for whom and where."""

    __tablename__ = "plan_measure"
    __table_args__ = (Index("ix_plan_measure_plan_status", "plan_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    # The plan is denormalised from goal → field so that board, timeline and reports need one query.
    plan_id: int = Field(foreign_key="plan_plan.id", ondelete="CASCADE")
    goal_id: int = Field(foreign_key="plan_goal.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="proposed", max_length=16)
    health: str = Field(default="on_track", max_length=16)
    progress_mode: str = Field(default="milestones", max_length=16)
    progress_manual: int = 0  # percent, used when progress_mode == "manual"
    weight: int = 1
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    budget_cents: int | None = None
    funding_source: str = Field(default="", max_length=200)
    funding_application_due: date | None = None  # Antragsfrist
    funding_ends_on: date | None = None  # end of the funding period
    funding_report_due: date | None = None  # Verwendungsnachweis
    visibility: str = Field(default="internal", max_length=16)
    position: int = 0
    # Bumped on every change; edit forms send it back so a stale form is refused instead of overwriting.
    version: int = 1
    created_at: datetime
    updated_at: datetime


class MeasureCode(SQLModel, table=True):
    """A life area, ground (a reporting MOTIVE code) or district a measure addresses."""

    __tablename__ = "plan_measure_code"
    __table_args__ = (Index("ix_plan_measure_code_list_code", "code_list", "code"),)

    measure_id: int = Field(foreign_key="plan_measure.id", primary_key=True, ondelete="CASCADE")
    code_list: str = Field(primary_key=True, max_length=16)  # one of MEASURE_CODE_LISTS
    code: str = Field(primary_key=True, max_length=40)


class Milestone(SQLModel, table=True):
    __tablename__ = "plan_milestone"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    due_on: date | None = None
    done_on: date | None = None
    weight: int = 1
    position: int = 0


class MeasureRole(SQLModel, table=True):
    """An organisation's role on a measure; it counts only once a member of that organisation accepted it."""

    __tablename__ = "plan_measure_role"
    __table_args__ = (UniqueConstraint("measure_id", "organisation_id", "role", name="uq_plan_measure_role"),
                      Index("ix_plan_measure_role_org_state", "organisation_id", "state"))

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    role: str = Field(max_length=16)
    state: str = Field(default="invited", max_length=16)
    invited_by: int | None = Field(default=None, foreign_key="staff_user.id")
    invited_at: datetime
    # Who answered the invitation (accepted or declined) and when.
    accepted_by: int | None = Field(default=None, foreign_key="staff_user.id")
    accepted_at: datetime | None = None
    ended_at: datetime | None = None


class StatusChange(SQLModel, table=True):
    """One transition of a measure's status: who, when, why, on which decision, with what evidence."""

    __tablename__ = "plan_status_change"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    at: datetime
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision_id: int | None = Field(default=None, foreign_key="plan_decision.id")
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ProgressUpdate(SQLModel, table=True):
    """One organisation's report on a measure for a reporting period (e.g. "2026-Q3")."""

    __tablename__ = "plan_progress_update"
    __table_args__ = (UniqueConstraint("measure_id", "period", "organisation_id", name="uq_plan_progress_update"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    period: str = Field(max_length=16, index=True)
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    obstacles: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    support_needed: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence_link: str = Field(default="", max_length=500)
    # The side's own view of how the measure stands (one of HEALTHS).
    assessment: str = Field(default="on_track", max_length=16)
    author_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    side: str = Field(max_length=16)  # derived from the organisation's kind when written
    at: datetime


class MeasureRevision(SQLModel, table=True):
    """A snapshot of a measure's fields after a change, so any two can be compared."""

    __tablename__ = "plan_measure_revision"
    __table_args__ = (UniqueConstraint("measure_id", "number", name="uq_plan_measure_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    number: int
    at: datetime
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    action: str = Field(max_length=40)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Comment(SQLModel, table=True):
    __tablename__ = "plan_comment"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="plan_measure.id", index=True, ondelete="CASCADE")
    author_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    visibility: str = Field(max_length=20)
    body: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime


class Meeting(SQLModel, table=True):
    """A meeting of the strategy group; agenda, attendance and minutes live in tables of `meetings`."""

    __tablename__ = "plan_meeting"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan_plan.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    held_on: date
    state: str = Field(default="planned", max_length=16)


class Decision(SQLModel, table=True):
    """A numbered decision of the strategy group (e.g. "2026/7"), the ground of agreeing or cancelling."""

    __tablename__ = "plan_decision"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_decision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan_plan.id", index=True, ondelete="CASCADE")
    number: str = Field(max_length=20)
    meeting_id: int | None = Field(default=None, foreign_key="plan_meeting.id", ondelete="SET NULL")
    decided_on: date
    text: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=16)
    measure_id: int | None = Field(default=None, foreign_key="plan_measure.id", index=True, ondelete="SET NULL")
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    recorded_at: datetime


__all__ = ["ActionField", "Comment", "Decision", "Goal", "Measure", "MeasureCode", "MeasureRevision",
           "MeasureRole", "Meeting", "Milestone", "Plan", "ProgressUpdate", "StatusChange"]
