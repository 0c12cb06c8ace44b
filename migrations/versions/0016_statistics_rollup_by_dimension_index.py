"""statistics rollup: index by dimension, so totals and taxonomy versions are found without a scan

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statistics_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_statistics_rollup_dimension", ["dim_a", "year", "month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statistics_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_statistics_rollup_dimension")
