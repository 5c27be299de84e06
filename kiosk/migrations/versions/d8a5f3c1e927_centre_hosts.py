"""centre_hosts: the host names that mean one centre (a province installation serves
every centre of its database; a request for one of these names is that centre's)

Revision ID: d8a5f3c1e927
Revises: c9e4a7b1d2f3
Create Date: 2026-12-20 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d8a5f3c1e927"
down_revision = "c9e4a7b1d2f3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "centre_hosts",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("host"),
    )
    op.create_index("ix_centre_hosts_centre_id", "centre_hosts", ["centre_id"])


def downgrade() -> None:
    op.drop_index("ix_centre_hosts_centre_id", table_name="centre_hosts")
    op.drop_table("centre_hosts")
