"""counters get an English name ("Counter 3" on an English lobby), and a print job
remembers the language the citizen took the number in, so the ticket prints in it

Revision ID: b3d8e1f4a6c2
Revises: a7e3c9d2f514
Create Date: 2026-12-07 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b3d8e1f4a6c2"
down_revision = "a7e3c9d2f514"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counters") as batch_op:
        batch_op.add_column(
            sa.Column("name_en", sa.String(length=120), nullable=False, server_default="")
        )
    with op.batch_alter_table("print_jobs") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="vi")
        )


def downgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("counters") as batch_op:
        batch_op.drop_column("name_en")
