"""Report queries: tickets and ratings of a range of business days, summed by
field (service), counter, clerk and local hour of arrival, and in total.

What each figure means (the same on every database):
- a ticket row is one leg of a visit; `issued` counts first legs (a transfer
  is not a new ticket), `called` legs that reached a counter, and `served`,
  `no_show`, `cancelled`, `transferred`, `closed_unserved` (still waiting when
  the day was closed) legs by how they ended;
- wait = from joining the field's queue (issue, or the transfer that sent the
  citizen there) to the first call; service time = start to finish of a
  served leg (start is the call when the clerk never pressed "start");
- within target = called legs whose wait was at most their field's target;
- hour = local hour the citizen took the number; a leg belongs to the
  business day of its ticket; ratings count toward the day of the ticket
  they rate and its field, counter, clerk and hour.

PostgreSQL computes every figure in SQL: `percentile_cont` over GROUPING
SETS for the medians and 90th percentiles, counts and sums per cell (field ×
counter × clerk × hour) added up by `Groups` (kiosk/store/report_rows.py)
in kiosk/store/reports_postgres.py.
SQLite has no percentile function and sorts the rows for every GROUP BY
(0.45 s per grouping on a year of 500,000 legs, eight groupings needed), so
there one unsorted scan returns each leg's measures, computed in SQL, and they
are summed per cell in one pass in Python (kiosk/store/reports_sqlite.py).
bench/reports.py times both.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.store import reports_postgres, reports_sqlite
from kiosk.store.report_rows import GroupKey, ReportScope, empty_group

__all__ = ["GroupKey", "ReportScope", "empty_group", "figures"]


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    """Every group's figures (the shape of empty_group()); groups without legs are absent."""
    if session.get_bind().dialect.name == "postgresql":
        return reports_postgres.figures(session, scope)
    return reports_sqlite.figures(session, scope)
