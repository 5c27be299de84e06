"""each paired lobby TV's own announcement languages, and a night order (lobby_voices)

Revision ID: f7a2c4e9b1d3
Revises: b7e3d1a9c402
Create Date: 2026-12-07 14:20:00
"""

import sqlalchemy as sa
from alembic import op

from kiosk.store.types import UTCDateTime

revision = "f7a2c4e9b1d3"
down_revision = "b7e3d1a9c402"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lobby_voices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("night_languages", sa.JSON(), nullable=False),
        sa.Column("night_from", sa.String(length=5), nullable=True),
        sa.Column("night_to", sa.String(length=5), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("centre_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("lobby_voices")
