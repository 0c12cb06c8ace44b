"""open data imports and situation reports

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_aggregate",
        sa.Column("ags", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("schema_version", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("municipality_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("generated_on", sa.Date(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("ags", "schema_version", "year"),
    )
    op.create_table(
        "situation_report",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("generated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("year", "lang"),
    )


def downgrade() -> None:
    op.drop_table("situation_report")
    op.drop_table("imported_aggregate")
