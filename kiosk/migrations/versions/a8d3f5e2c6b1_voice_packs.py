"""voice packs recorded at the hub: voice_packs and voice_clips (display/recorded.py)

Revision ID: a8d3f5e2c6b1
Revises: e4b7c2a9d516
Create Date: 2026-12-07 07:30:00
"""

import sqlalchemy as sa
from alembic import op

from kiosk.store.types import UTCDateTime

revision = "a8d3f5e2c6b1"
down_revision = "e4b7c2a9d516"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("licence", sa.String(length=120), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "voice_clips",
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pack_id"], ["voice_packs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pack_id", "slug"),
    )


def downgrade() -> None:
    op.drop_table("voice_clips")
    op.drop_table("voice_packs")
