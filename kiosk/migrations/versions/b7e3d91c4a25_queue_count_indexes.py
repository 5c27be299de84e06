"""tickets, events: indexes that keep an issue's and a press's counts flat as the queue grows

- ix_tickets_waiting_since (centre_id, status, service_id, issued_at): each field's
  longest wait is one index probe (it was a scan of every waiting ticket);
- ix_tickets_classes (centre_id, status, target_counter, service_id, priority): the
  tickets sent to a counter and a field's priority tickets, which "people ahead"
  counts and "next" looks at the heads of, are a range each;
- ix_events_calls (centre_id, kind, at, counter_number): the counters that called in
  the last hour and today's calls read the calls, not every event of the hour (every
  issue writes one).

Each build holds writes to its table back while it runs, as ix_tickets_report's did
(seconds per million rows on a province database): upgrade out of opening hours.
SQLite's queries name two of these indexes (INDEXED BY, kiosk/store/repository.py): an
issue or a press on a database not yet at this revision fails instead of scanning
(a SQLite hub migrates when it starts unless MOTCUA_AUTO_MIGRATE says no).

Revision ID: b7e3d91c4a25
Revises: d2f6a8c41b97
Create Date: 2026-12-09 19:00:00
"""

from alembic import op

revision = "b7e3d91c4a25"
down_revision = "d2f6a8c41b97"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_waiting_since",
        "tickets",
        ["centre_id", "status", "service_id", "issued_at"],
    )
    op.create_index(
        "ix_tickets_classes",
        "tickets",
        ["centre_id", "status", "target_counter", "service_id", "priority"],
    )
    op.create_index("ix_events_calls", "events", ["centre_id", "kind", "at", "counter_number"])


def downgrade() -> None:
    op.drop_index("ix_events_calls", table_name="events")
    op.drop_index("ix_tickets_classes", table_name="tickets")
    op.drop_index("ix_tickets_waiting_since", table_name="tickets")
