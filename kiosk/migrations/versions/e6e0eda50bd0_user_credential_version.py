"""user credential version: a password, role or activity change ends earlier logins

Revision ID: e6e0eda50bd0
Revises: c3f8a2d61e45
Create Date: 2026-11-30 16:38:26
"""

import sqlalchemy as sa
from alembic import op

revision = "e6e0eda50bd0"
down_revision = "c3f8a2d61e45"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("credential_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("credential_version")
