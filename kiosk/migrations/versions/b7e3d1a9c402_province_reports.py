"""Province: users.role holds "province_supervisor" (19 characters; the column had 16,
so PostgreSQL refused the province roles)

Revision ID: b7e3d1a9c402
Revises: c5d9e2f7a013
Create Date: 2026-12-07 07:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e3d1a9c402"
down_revision = "c5d9e2f7a013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column(
            "role", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE length(role) > 16")
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column(
            "role", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False
        )
