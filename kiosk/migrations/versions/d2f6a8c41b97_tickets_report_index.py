"""tickets: a covering index for the province report (ix_tickets_report, PostgreSQL only)

kiosk/store/reports_province.py reads each centre's legs of a range from this index
alone (an index-only scan: the columns the report reads are included), instead of
visiting the heap pages where the centre's tickets lie among every other centre's.
SQLite (a commune box) reads its tickets otherwise and gets no index.  The build
holds writes to tickets back while it runs (about 10 s per 5 million legs).

Revision ID: d2f6a8c41b97
Revises: f7a2c4e9b1d3
Create Date: 2026-12-08 09:00:00
"""

from alembic import op

revision = "d2f6a8c41b97"
down_revision = "f7a2c4e9b1d3"
branch_labels = None
depends_on = None

INCLUDED = ["service_id", "status", "parent_id", "issued_at", "called_at", "started_at"]
INCLUDED += ["finished_at"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_tickets_report",
            "tickets",
            ["centre_id", "business_day"],
            postgresql_include=INCLUDED,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_tickets_report", table_name="tickets")
