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
counter × clerk × hour) added up by `Groups` below
(kiosk/store/reports_postgres.py).
SQLite has no percentile function and sorts the rows for every GROUP BY
(0.45 s per grouping on a year of 500,000 legs, eight groupings needed), so
there one unsorted scan returns each leg's measures, computed in SQL, and they
are summed per cell in one pass in Python (kiosk/store/reports_sqlite.py).
bench/reports.py times both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

STATUSES = ("served", "no_show", "cancelled", "transferred", "closed_unserved")
STORED_STATUS = {"served": "done"}  # a figure named otherwise than the ticket status it counts
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


COUNTS = ("issued", "called", *STATUSES, "target_n", "within_target", "rated")
# (field id, counter number or None, clerk's user id or None, local hour)
Cell = tuple[int, int | None, int | None, int]


def groups_of(cell: Cell) -> list[GroupKey]:
    """The groups a cell adds to: its field, hour, counter and clerk (legs never
    called have neither), and the total."""
    service, counter, clerk, hour = cell
    groups: list[GroupKey] = [("total", None), ("service", service), ("hour", hour)]
    if counter is not None:
        groups.append(("counter", counter))
    if clerk is not None:
        groups.append(("clerk", clerk))
    return groups


class Groups:
    """Adds up cells into groups: the counts, and the duration sums behind the means
    (both add up exactly; percentiles do not, each dialect finds those itself)."""

    def __init__(self) -> None:
        self.figures: dict[GroupKey, dict] = {}
        self.sums: dict[GroupKey, list[float]] = {}  # wait sum, waits, service sum, services

    def add(self, cell: Cell, counts: dict, sums: tuple[float, int, float, int]) -> list[GroupKey]:
        groups = groups_of(cell)
        for group in groups:
            figures = self.figures.get(group)
            if figures is None:
                figures = self.figures[group] = empty_group()
                self.sums[group] = [0.0, 0, 0.0, 0]
            for name in COUNTS:
                figures[name] += counts.get(name, 0)
            for score, n in counts.get("scores", {}).items():
                figures["scores"][score] += n
            total = self.sums[group]
            for i, value in enumerate(sums):
                total[i] += value
        return groups

    def means(self) -> dict[GroupKey, dict]:
        for group, (wait_sum, waits, took_sum, took) in self.sums.items():
            self.figures[group]["wait_s"]["mean"] = wait_sum / waits if waits else None
            self.figures[group]["service_s"]["mean"] = took_sum / took if took else None
        return self.figures


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    """Every group's figures (the shape of empty_group()); groups without legs are absent."""
    if session.get_bind().dialect.name == "postgresql":
        from kiosk.store import reports_postgres as dialect
    else:
        from kiosk.store import reports_sqlite as dialect
    return dialect.figures(session, scope)
