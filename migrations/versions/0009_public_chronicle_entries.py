"""public chronicle entries

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chronicle_entry",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=1500), nullable=False),
        sa.Column("shown_on", sa.Date(), nullable=False),
        sa.Column("date_shown", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("incident_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("motive", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("return_reasons", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("withdrawal_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposed_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["reviewed_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chronicle_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronicle_entry_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chronicle_entry_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_chronicle_entry_state_shown", ["state", "shown_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chronicle_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_chronicle_entry_state_shown")
        batch_op.drop_index(batch_op.f("ix_chronicle_entry_incident_id"))
        batch_op.drop_index(batch_op.f("ix_chronicle_entry_centre_id"))
    op.drop_table("chronicle_entry")
