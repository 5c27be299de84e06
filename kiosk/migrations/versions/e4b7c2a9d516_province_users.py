"""users.centre_id may be empty: province roles (province_admin, province_supervisor)
belong to no centre and sign in at every centre of the installation

Revision ID: e4b7c2a9d516
Revises: f4b2c8d1e6a3
Create Date: 2026-12-20 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e4b7c2a9d516"
down_revision = "f4b2c8d1e6a3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("centre_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE centre_id IS NULL")
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("centre_id", existing_type=sa.Integer(), nullable=False)
