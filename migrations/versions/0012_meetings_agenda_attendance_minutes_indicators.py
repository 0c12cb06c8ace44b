"""round-table meetings (agenda, attendance, minutes) and indicators of goals and measures

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
# The tables reference the plan's meetings, goals and measures, so they follow the plan's migration; naming
# the statistics migration too keeps one head while both branches sit side by side (the integrator relinks).
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["plan_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_agenda_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "plan_meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["plan_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "organisation_id"),
    )
    with op.batch_alter_table("plan_meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_meeting_attendance_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "plan_meeting_minutes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["plan_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )

    op.create_table(
        "plan_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("granularity", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("figure_filters", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plan_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["goal_id"], ["plan_goal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_indicator_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_indicator_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_indicator_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "plan_indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("entered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["plan_indicator.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entered_by_user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id", "period_key"),
    )
    with op.batch_alter_table("plan_indicator_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_indicator_value_indicator_id"), ["indicator_id"], unique=False)


def downgrade() -> None:
    op.drop_table("plan_indicator_value")
    op.drop_table("plan_indicator")
    op.drop_table("plan_meeting_minutes")
    op.drop_table("plan_meeting_attendance")
    op.drop_table("plan_agenda_item")
