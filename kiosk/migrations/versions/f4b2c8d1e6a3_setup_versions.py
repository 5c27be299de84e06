"""setup_versions: a number per centre raised with every change to its set-up, so each
hub process keeps the set-up in memory and reads it again only when the number moved
(kiosk/store/setup_cache.py); a centre without a row is at 0

Revision ID: f4b2c8d1e6a3
Revises: d8a5f3c1e927
Create Date: 2026-12-20 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f4b2c8d1e6a3"
down_revision = "d8a5f3c1e927"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setup_versions",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("centre_id"),
    )


def downgrade() -> None:
    op.drop_table("setup_versions")
