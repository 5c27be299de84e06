"""print jobs without a ticket: an admin's test print, printed by whichever process owns
the printer (the device worker in production)

Revision ID: f2b9c0d4e7a1
Revises: e6e0eda50bd0
Create Date: 2026-11-30 17:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2b9c0d4e7a1"
down_revision = "e6e0eda50bd0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch_op:
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM print_jobs WHERE ticket_id IS NULL")
    with op.batch_alter_table("print_jobs") as batch_op:
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
