"""retention: purge marks and job ledger

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:53:42.875571
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("job", "period"),
    )
    with op.batch_alter_table("counselling_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_purged_on", sa.Date(), nullable=True))

    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_purged_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("content_purged_on")

    with op.batch_alter_table("counselling_case", schema=None) as batch_op:
        batch_op.drop_column("content_purged_on")

    op.drop_table("job_run")
