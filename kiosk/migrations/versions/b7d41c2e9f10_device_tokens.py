"""device tokens

Revision ID: b7d41c2e9f10
Revises: 85a33e746507
Create Date: 2026-11-23 14:40:00
"""

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = "b7d41c2e9f10"
down_revision = "85a33e746507"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", kiosk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("last_seen_at", kiosk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", kiosk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_device_tokens_centre_id", "device_tokens", ["centre_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_device_tokens_centre_id", table_name="device_tokens")
    op.drop_table("device_tokens")
