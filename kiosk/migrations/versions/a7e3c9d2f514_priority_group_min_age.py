"""priority groups may name an age: a citizen ID card whose holder has reached it proposes
the group at the kiosk (the default elderly group: 60, Luật Người cao tuổi 2009)

Revision ID: a7e3c9d2f514
Revises: d4c1f7a2b8e3
Create Date: 2026-12-07 01:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7e3c9d2f514"
down_revision = "d4c1f7a2b8e3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("priority_groups") as batch_op:
        batch_op.add_column(sa.Column("min_age", sa.Integer(), nullable=True))
    op.execute("UPDATE priority_groups SET min_age = 60 WHERE code = 'elderly'")


def downgrade() -> None:
    with op.batch_alter_table("priority_groups") as batch_op:
        batch_op.drop_column("min_age")
