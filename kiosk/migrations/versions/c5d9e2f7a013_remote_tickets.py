"""remote_tickets: numbers taken on a phone before leaving home (issue 17)

Revision ID: c5d9e2f7a013
Revises: a8d3f5e2c6b1
Create Date: 2026-12-07 07:10:00
"""

import sqlalchemy as sa
from alembic import op

from kiosk.store.types import UTCDateTime

revision = "c5d9e2f7a013"
down_revision = "a8d3f5e2c6b1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("person_key", sa.String(length=32), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("lost_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(length=16), nullable=True),
        sa.Column("near_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_remote_tickets_day", "remote_tickets", ["centre_id", "business_day"])
    op.create_index("ix_remote_tickets_token", "remote_tickets", ["centre_id", "token"])


def downgrade() -> None:
    op.drop_index("ix_remote_tickets_token", table_name="remote_tickets")
    op.drop_index("ix_remote_tickets_day", table_name="remote_tickets")
    op.drop_table("remote_tickets")
