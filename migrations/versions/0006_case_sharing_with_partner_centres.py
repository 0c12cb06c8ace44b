"""case sharing with partner centres

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 20:26:47.978761
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_share",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("case_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("shared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["counselling_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "organisation_id"),
    )
    op.create_table(
        "incident_share",
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("report_key_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("incident_id", "organisation_id"),
    )


def downgrade() -> None:
    op.drop_table("incident_share")
    op.drop_table("case_share")
