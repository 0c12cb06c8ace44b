"""reporting: incidents, codes, messages, attachments, centre keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:31:53.429929
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "district",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "spent_challenge",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    with op.batch_alter_table("spent_challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spent_challenge_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("taxonomy_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reporter_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("date_precision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recurrence", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("place_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("life_area", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("primary_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("primary_motive", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("affected_count", sa.Integer(), nullable=True),
        sa.Column("affected_age_band", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("perpetrator_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("police_report", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("verification", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("wants_contact", sa.Boolean(), nullable=False),
        sa.Column("key_for_centre", sa.LargeBinary(), nullable=False),
        sa.Column("key_for_receipt", sa.LargeBinary(), nullable=True),
        sa.Column("receipt_tag", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("receipt_salt", sa.LargeBinary(), nullable=True),
        sa.Column("receipt_verifier", sa.LargeBinary(), nullable=True),
        sa.Column("description_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index("ix_incident_centre_state", ["centre_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_receipt_tag"), ["receipt_tag"], unique=False)

    op.create_table(
        "receiving_centre",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("recovery_salt", sa.LargeBinary(), nullable=False),
        sa.Column("recovery_wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("established_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    op.create_table(
        "centre_key_grant",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed_private", sa.LargeBinary(), nullable=False),
        sa.Column("granted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["receiving_centre.organisation_id"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id", "user_id"),
    )
    op.create_table(
        "incident_code",
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("incident_id", "field", "code"),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("read_by_centre", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "user_key",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_private", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("data_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_incident_id"))

    op.drop_table("attachment")
    op.drop_table("user_key")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_incident_id"))

    op.drop_table("message")
    op.drop_table("incident_code")
    op.drop_table("centre_key_grant")
    op.drop_table("receiving_centre")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_receipt_tag"))
        batch_op.drop_index("ix_incident_centre_state")
        batch_op.drop_index(batch_op.f("ix_incident_centre_id"))

    op.drop_table("incident")
    with op.batch_alter_table("spent_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spent_challenge_expires_at"))

    op.drop_table("spent_challenge")
    op.drop_table("district")
