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

PostgreSQL computes the figures in one `GROUPING SETS` query (with
`percentile_cont`), plus one for the reasons given with low ratings.  SQLite has no percentile function and sorts
the rows for every GROUP BY (0.45 s per grouping on a year of 500,000 legs,
eight groupings needed), so there one unsorted scan returns each leg's
measures, computed in SQL, and they are summed in one pass in Python:
kiosk/store/reports_sqlite.py.  bench/reports.py times both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

DIMENSIONS = ("service", "counter", "clerk", "hour")
STATUSES = ("served", "no_show", "cancelled", "transferred", "closed_unserved")
SCORES = (1, 2, 3, 4, 5)

# (dimension, key): ("service", service id), ("counter", number), ("clerk", user id),
# ("hour", 0..23), ("total", None)
GroupKey = tuple[str, int | None]


@dataclass(frozen=True)
class ReportScope:
    centre_id: int
    first_day: date
    last_day: date
    timezone: str

    @property
    def utc_start(self) -> datetime:
        return datetime.combine(self.first_day, time(), ZoneInfo(self.timezone))

    @property
    def utc_end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time(), ZoneInfo(self.timezone))

    def params(self) -> dict:
        return {"centre": self.centre_id, "first": self.first_day, "last": self.last_day}


def empty_group() -> dict:
    return {
        "issued": 0,
        "called": 0,
        **dict.fromkeys(STATUSES, 0),
        "wait_s": {"mean": None, "median": None, "p90": None},
        "service_s": {"mean": None, "median": None, "p90": None},
        "target_n": 0,
        "within_target": 0,
        "rated": 0,
        "scores": {str(s): 0 for s in SCORES},
        "reasons": {},
    }


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    """Every group's figures (the shape of empty_group()); groups without legs are absent."""
    if session.get_bind().dialect.name == "postgresql":
        from kiosk.store import reports_postgres as dialect
    else:
        from kiosk.store import reports_sqlite as dialect
    return dialect.figures(session, scope)
