"""audit log and per-field opening hours

Revision ID: c3f8a2d61e45
Revises: b7d41c2e9f10
Create Date: 2026-11-23 15:20:00
"""

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = "c3f8a2d61e45"
down_revision = "b7d41c2e9f10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("at", kiosk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_centre_at", "audit_log", ["centre_id", "at"], unique=False)
    with op.batch_alter_table("services") as batch_op:
        batch_op.add_column(sa.Column("opening_hours", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch_op:
        batch_op.drop_column("opening_hours")
    op.drop_index("ix_audit_log_centre_at", table_name="audit_log")
    op.drop_table("audit_log")
