"""What every report dialect shares: the scope of a report (centre, days, zone),
the shape of one group's figures, and `Groups`, which adds per-cell counts and
duration sums up into groups.  kiosk/store/reports.py says what each figure
means and picks the dialect (reports_postgres.py, reports_sqlite.py); both
import from here, never from each other or from reports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def cell_counts(
    status: str, first: bool, score: int | None, legs: int, waits: int, target_n: int, within: int
) -> dict:
    """One cell of a report statement (outcome × first leg × score: `legs` legs, `waits`
    of them called, `target_n` with a target wait, `within` it) as counts to add up."""
    counts = {"issued": legs if first else 0, "called": waits, "target_n": target_n}
    counts["within_target"] = within
    for name in STATUSES:
        if status == STORED_STATUS.get(name, name):
            counts[name] = legs
    if score:
        counts["rated"] = legs
        counts["scores"] = {str(score): legs}
    return counts


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
