"""counselling workspace: cases, timeline, triage coding, session member key

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:51:06.488596
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counselling_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("key_for_centre", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("counselling_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_counselling_case_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("text_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(["case_id"], ["counselling_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_member",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["counselling_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "user_id"),
    )
    op.create_table(
        "case_incident",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["counselling_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "incident_id"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discrimination_form", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("discrimination_level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(sa.Column("duplicate_of", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("triage_note_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_incident_recorded_by_user_id", "staff_user", ["recorded_by_user_id"], ["id"])

    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_key_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_column("member_key_sealed")

    with op.batch_alter_table("incident", schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint("fk_incident_recorded_by_user_id", type_="foreignkey")
        batch_op.drop_column("recorded_by_user_id")
        batch_op.drop_column("triage_note_sealed")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("discrimination_level")
        batch_op.drop_column("discrimination_form")

    op.drop_table("case_incident")
    op.drop_table("case_member")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("counselling_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counselling_case_organisation_id"))

    op.drop_table("counselling_case")
