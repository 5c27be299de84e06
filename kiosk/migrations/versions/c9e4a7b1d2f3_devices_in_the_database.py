"""devices in the database: printers, scanners, kiosks and agents, changed on
/admin/devices; the centre file seeds them once (a `device_setups` row marks a centre
seeded, its `version` tells device owners in other processes that something changed)

Revision ID: c9e4a7b1d2f3
Revises: b3d8e1f4a6c2
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = "c9e4a7b1d2f3"
down_revision = "b3d8e1f4a6c2"
branch_labels = None
depends_on = None


def _named(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("centre_id", "name"),
    )


def upgrade() -> None:
    op.create_table(
        "device_setups",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", kiosk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("centre_id"),
    )
    _named("agents")
    _named(
        "printers",
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("paper_mm", sa.Integer(), nullable=False),
        sa.Column("text_mode", sa.String(length=16), nullable=False),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("codepage", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
    )
    _named(
        "scanners",
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("use", sa.String(length=80), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
    )
    _named("kiosks", sa.Column("printer", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for name in ("kiosks", "scanners", "printers", "agents", "device_setups"):
        op.drop_table(name)
