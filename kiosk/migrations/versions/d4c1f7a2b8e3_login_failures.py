"""login failures per account: wrong passwords counted per user name, shared by every
hub process (kiosk/ratelimit.py)

Revision ID: d4c1f7a2b8e3
Revises: f2b9c0d4e7a1
Create Date: 2026-12-07 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = "d4c1f7a2b8e3"
down_revision = "f2b9c0d4e7a1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", kiosk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", kiosk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("centre_id", "username_key"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
