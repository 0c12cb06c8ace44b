"""joint action plan: plans, measures, roles, status history, decisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:05:24.190067
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("plan_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("adopted_by_decision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"], ),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_plan_adopted_by_decision_id"), ["adopted_by_decision_id"],
                              unique=False)

    op.create_table("plan_action_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_action_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_field_plan_id"), ["plan_id"], unique=False)

    op.create_table("plan_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_meeting_plan_id"), ["plan_id"], unique=False)

    op.create_table("plan_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_field_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_field_id"], ["plan_action_field.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_goal_action_field_id"), ["action_field_id"], unique=False)

    op.create_table("plan_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("health", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress_mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress_manual", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_end", sa.Date(), nullable=True),
        sa.Column("budget_cents", sa.Integer(), nullable=True),
        sa.Column("funding_source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("funding_application_due", sa.Date(), nullable=True),
        sa.Column("funding_ends_on", sa.Date(), nullable=True),
        sa.Column("funding_report_due", sa.Date(), nullable=True),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["plan_goal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_measure_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index("ix_plan_measure_plan_status", ["plan_id", "status"], unique=False)

    op.create_table("plan_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["staff_user.id"], ),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_comment_measure_id"), ["measure_id"], unique=False)

    op.create_table("plan_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["plan_meeting.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff_user.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_decision_number")
    )
    with op.batch_alter_table("plan_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_decision_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_decision_plan_id"), ["plan_id"], unique=False)

    op.create_table("plan_measure_code",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("code_list", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measure_id", "code_list", "code")
    )
    with op.batch_alter_table("plan_measure_code", schema=None) as batch_op:
        batch_op.create_index("ix_plan_measure_code_list_code", ["code_list", "code"], unique=False)

    op.create_table("plan_measure_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measure_id", "number", name="uq_plan_measure_revision")
    )
    with op.batch_alter_table("plan_measure_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_measure_revision_measure_id"), ["measure_id"], unique=False)

    op.create_table("plan_measure_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["accepted_by"], ["staff_user.id"], ),
        sa.ForeignKeyConstraint(["invited_by"], ["staff_user.id"], ),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measure_id", "organisation_id", "role", name="uq_plan_measure_role")
    )
    with op.batch_alter_table("plan_measure_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_measure_role_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index("ix_plan_measure_role_org_state", ["organisation_id", "state"], unique=False)

    op.create_table("plan_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_milestone_measure_id"), ["measure_id"], unique=False)

    op.create_table("plan_progress_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("obstacles", sa.Text(), nullable=False),
        sa.Column("support_needed", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("assessment", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["staff_user.id"], ),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measure_id", "period", "organisation_id", name="uq_plan_progress_update")
    )
    with op.batch_alter_table("plan_progress_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_progress_update_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_progress_update_period"), ["period"], unique=False)

    op.create_table("plan_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["plan_decision.id"], ),
        sa.ForeignKeyConstraint(["measure_id"], ["plan_measure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ),
        sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("plan_status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_status_change_measure_id"), ["measure_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("plan_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_status_change_measure_id"))

    op.drop_table("plan_status_change")
    with op.batch_alter_table("plan_progress_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_progress_update_period"))
        batch_op.drop_index(batch_op.f("ix_plan_progress_update_measure_id"))

    op.drop_table("plan_progress_update")
    with op.batch_alter_table("plan_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_milestone_measure_id"))

    op.drop_table("plan_milestone")
    with op.batch_alter_table("plan_measure_role", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_measure_role_org_state")
        batch_op.drop_index(batch_op.f("ix_plan_measure_role_measure_id"))

    op.drop_table("plan_measure_role")
    with op.batch_alter_table("plan_measure_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_measure_revision_measure_id"))

    op.drop_table("plan_measure_revision")
    with op.batch_alter_table("plan_measure_code", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_measure_code_list_code")

    op.drop_table("plan_measure_code")
    with op.batch_alter_table("plan_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_decision_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_decision_measure_id"))

    op.drop_table("plan_decision")
    with op.batch_alter_table("plan_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_comment_measure_id"))

    op.drop_table("plan_comment")
    with op.batch_alter_table("plan_measure", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_measure_plan_status")
        batch_op.drop_index(batch_op.f("ix_plan_measure_goal_id"))

    op.drop_table("plan_measure")
    with op.batch_alter_table("plan_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_goal_action_field_id"))

    op.drop_table("plan_goal")
    with op.batch_alter_table("plan_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_meeting_plan_id"))

    op.drop_table("plan_meeting")
    with op.batch_alter_table("plan_action_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_field_plan_id"))

    op.drop_table("plan_action_field")
    with op.batch_alter_table("plan_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_plan_adopted_by_decision_id"))

    op.drop_table("plan_plan")
