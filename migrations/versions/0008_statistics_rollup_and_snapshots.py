"""statistics rollup, members and suppressed snapshots

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "statistics_rollup",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("dim_a", _text(20), nullable=False),
        sa.Column("code_a", _text(40), nullable=False),
        sa.Column("dim_b", _text(20), nullable=False),
        sa.Column("code_b", _text(40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "month", "dim_a", "code_a", "dim_b", "code_b"),
    )
    op.create_table(
        "statistics_member",
        sa.Column("incident_id", _text(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        *[sa.Column(name, _text(length), nullable=False) for name, length in (
            ("incident_type", 40), ("motive", 40), ("life_area", 40), ("district", 40), ("place_type", 40),
            ("perpetrator_type", 40), ("reporter_role", 40), ("channel", 40), ("police_report", 16),
            ("online", 3), ("incident_types", 400), ("motives", 400), ("taxonomy_version", 16))],
        sa.PrimaryKeyConstraint("incident_id"),
    )
    with op.batch_alter_table("statistics_member", schema=None) as batch_op:
        batch_op.create_index("ix_statistics_member_year", ["year"], unique=False)
    op.create_table(
        "statistics_stale",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "statistics_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("audience", _text(10), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("published_months", sa.Integer(), nullable=False),
        sa.Column("token", _text(16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("statistics_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_statistics_snapshot_family", ["year", "audience", "k", "published_months"],
                              unique=True)
    op.create_table(
        "statistics_snapshot_cell",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("period", _text(10), nullable=False),
        sa.Column("dim_a", _text(20), nullable=False),
        sa.Column("code_a", _text(40), nullable=False),
        sa.Column("dim_b", _text(20), nullable=False),
        sa.Column("code_b", _text(40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["snapshot_id"], ["statistics_snapshot.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("snapshot_id", "period", "dim_a", "code_a", "dim_b", "code_b"),
    )


def downgrade() -> None:
    op.drop_table("statistics_snapshot_cell")
    with op.batch_alter_table("statistics_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_statistics_snapshot_family")
    op.drop_table("statistics_snapshot")
    op.drop_table("statistics_stale")
    with op.batch_alter_table("statistics_member", schema=None) as batch_op:
        batch_op.drop_index("ix_statistics_member_year")
    op.drop_table("statistics_member")
    op.drop_table("statistics_rollup")
