"""Report figures on SQLite: one unsorted scan, summed in one pass.

SQL computes each leg's measures (wait, service time) and a single integer
naming its cell (field, counter, clerk, local hour, how it ended, first leg
or not); Python counts the cells, sorts each cell's durations once and
builds every group from its cells (percentiles straight from the cells'
sorted runs, kiosk/core/stats.py).  A GROUP BY
per grouping would make SQLite sort all legs once per grouping; this reads
each leg once and never sorts more than a cell.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable

from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary, percentiles_of_runs, utc_offsets
from kiosk.store.reports import (
    GroupKey,
    ReportScope,
    empty_group,
)

# julianday() differences are exact to about a millisecond: a wait of exactly the
# target must count as within it.
TARGET_SLACK_S = 0.001
STATUS_COUNTS = {1: "served", 2: "no_show", 3: "cancelled", 4: "transferred", 5: "closed_unserved"}
STORED_STATUS = {"served": "done"}
STATUS_CODES = (
    "CASE t.status "
    + " ".join(f"WHEN '{STORED_STATUS.get(n, n)}' THEN {c}" for c, n in STATUS_COUNTS.items())
    + " ELSE 0 END"
)
STATUS_RADIX = len(STATUS_COUNTS) + 1
LIMIT = 2**62
COUNTER_RADIX = 10_000

LEGS = """
SELECT {cell},
  (julianday(t.called_at) - julianday(CASE WHEN t.parent_id IS NULL THEN t.issued_at
     ELSE (SELECT p.finished_at FROM tickets p WHERE p.id = t.parent_id) END)) * 86400.0,
  CASE WHEN t.status = 'done' THEN (julianday(t.finished_at) - julianday(t.started_at)) * 86400.0
  END
FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id
WHERE t.centre_id = :centre AND t.business_day BETWEEN :first AND :last
"""

# CROSS JOIN keeps ratings outermost: few carry reasons; looking each leg's rating
# up instead would visit every leg of the range.
REASONS = """
SELECT {cell}, r.reasons
FROM ratings r CROSS JOIN tickets t ON t.id = r.ticket_id
WHERE r.centre_id = :centre AND r.reasons NOT IN ('[]', '')
  AND t.business_day BETWEEN :first AND :last
"""


class Cells:
    """Packs (field id, counter, clerk id, hour, extra) into one SQL integer and back.

    Radixes come from the centre's largest ids; should they ever overflow 62 bits,
    the cell is a text "s,c,u,h,extra" instead (slower, same result).
    """

    def __init__(self, session: Session, scope: ReportScope, extra: int) -> None:
        cursor = _cursor(session)
        cursor.execute(
            "SELECT (SELECT max(id) FROM services WHERE centre_id = :c),"
            " (SELECT max(number) FROM counters WHERE centre_id = :c),"
            " (SELECT max(id) FROM users WHERE centre_id = :c)",
            {"c": scope.centre_id},
        )
        services, counters, users = (v or 0 for v in cursor.fetchone())
        cursor.close()
        # counter numbers stop at 9999 (the admin pages' rule); a deleted counter's tickets still fit
        self.radix = (services + 1, max(counters + 1, COUNTER_RADIX), users + 1, 24, extra)
        self.packed = services * self.radix[1] * self.radix[2] * 24 * extra < LIMIT
        self.hour = _local_hour(scope, "t.issued_at")

    def sql(self, extra: str) -> str:
        parts = ("t.service_id", "ifnull(t.counter_number, 0)", "ifnull(t.user_id, 0)")
        if not self.packed:
            return f"printf('%d,%d,%d,%d,%d', {', '.join(parts)}, {self.hour}, {extra})"
        _, counters, users, hours, extras = self.radix
        return (
            f"(((({parts[0]} * {counters} + {parts[1]}) * {users} + {parts[2]}) * {hours}"
            f" + {self.hour}) * {extras} + {extra})"
        )

    def unpack(self, cell: int | str) -> tuple[int, int | None, int | None, int, int]:
        if isinstance(cell, str):
            service, counter, clerk, hour, extra = (int(v) for v in cell.split(","))
        else:
            _, counters, users, hours, extras = self.radix
            cell, extra = divmod(cell, extras)
            cell, hour = divmod(cell, hours)
            cell, clerk = divmod(cell, users)
            service, counter = divmod(cell, counters)
        return service, counter or None, clerk or None, hour, extra


def _local_hour(scope: ReportScope, column: str) -> str:
    """SQL for the local hour of a stored UTC time (text 'YYYY-MM-DD HH:MM:SS.ffffff')."""

    def shifted(offset: int) -> str:
        minutes = f"CAST(substr({column}, 12, 2) AS INTEGER) * 60 + CAST(substr({column}, 15, 2) AS INTEGER)"
        return f"(({minutes} + {offset + 1440}) / 60 % 24)"

    segments = utc_offsets(scope.timezone, scope.utc_start, scope.utc_end)
    if len(segments) == 1:
        return shifted(segments[0][1])
    cases = " ".join(
        f"WHEN {column} < '{start.strftime('%Y-%m-%d %H:%M:%S')}' THEN {shifted(previous[1])}"
        for previous, (start, _) in zip(segments, segments[1:], strict=False)
    )
    return f"(CASE {cases} ELSE {shifted(segments[-1][1])} END)"


def _cursor(session: Session):
    """A plain DB-API cursor: building a SQLAlchemy Row per leg would cost more than the scan."""
    return session.connection().connection.dbapi_connection.cursor()


def _rows(session: Session, sql: str, scope: ReportScope) -> Iterable[tuple]:
    cursor = _cursor(session)
    try:
        cursor.execute(
            sql,
            {
                "centre": scope.centre_id,
                "first": scope.first_day.isoformat(),
                "last": scope.last_day.isoformat(),
            },
        )
        while batch := cursor.fetchmany(50_000):
            yield from batch
    finally:
        cursor.close()


def _targets(session: Session, scope: ReportScope) -> dict[int, float]:
    cursor = _cursor(session)
    cursor.execute(
        "SELECT id, target_wait_s FROM services WHERE centre_id = ? AND target_wait_s > 0",
        (scope.centre_id,),
    )
    targets = {service: target + TARGET_SLACK_S for service, target in cursor.fetchall()}
    cursor.close()
    return targets


def _groups(service: int, counter: int | None, clerk: int | None, hour: int) -> list[GroupKey]:
    """The groups a leg adds to besides the total (legs never called have no counter or clerk)."""
    groups: list[GroupKey] = [("service", service), ("hour", hour)]
    if counter is not None:
        groups.append(("counter", counter))
    if clerk is not None:
        groups.append(("clerk", clerk))
    return groups


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    cells = Cells(session, scope, extra=STATUS_RADIX * 2 * 6)  # (status * 2 + first) * 6 + score
    extra = f"({STATUS_CODES} * 2 + (t.parent_id IS NULL)) * 6 + ifnull(r.score, 0)"
    raw: dict[int | str, list] = {}
    get = raw.get
    for cell, wait, took in _rows(session, LEGS.format(cell=cells.sql(extra)), scope):
        found = get(cell)
        if found is None:
            found = raw[cell] = [0, [], []]
        found[0] += 1
        if wait is not None:
            found[1].append(wait)
        if took is not None:
            found[2].append(took)

    # cells without status and score: (service, counter, clerk, hour) → figures, durations
    merged: dict[tuple, list] = {}
    for cell, (count, waits, took) in raw.items():
        service, counter, clerk, hour, extra_ = cells.unpack(cell)
        kind, score = divmod(extra_, 6)
        status, first = divmod(kind, 2)
        into = merged.setdefault((service, counter, clerk, hour), [empty_group(), [], []])
        counts = into[0]
        counts["issued"] += count * first
        counts["called"] += len(waits)
        if status in STATUS_COUNTS:
            counts[STATUS_COUNTS[status]] += count
        if score:
            counts["rated"] += count
            counts["scores"][str(score)] += count
        into[1].extend(waits)
        into[2].extend(took)

    targets = _targets(session, scope)
    sums: dict[GroupKey, _Sum] = {}
    for (service, counter, clerk, hour), (counts, waits, took) in merged.items():
        waits.sort()
        took.sort()
        target = targets.get(service)
        if target is not None:
            counts["target_n"] = len(waits)
            counts["within_target"] = bisect_right(waits, target)
        wait_sum, took_sum = sum(waits), sum(took)
        for group in (*_groups(service, counter, clerk, hour), ("total", None)):
            sums.setdefault(group, _Sum()).add(counts, waits, took, wait_sum, took_sum)
    result = {group: part.finish() for group, part in sums.items()}
    _add_reasons(session, scope, result)
    return result


class _Sum:
    """One group's counts, its cells' sorted durations, and duration sums (for the means)."""

    def __init__(self) -> None:
        self.counts = empty_group()
        self.wait_runs: list[list[float]] = []
        self.took_runs: list[list[float]] = []
        self.wait_sum = self.took_sum = 0.0

    def add(self, counts: dict, waits: list, took: list, wait_sum: float, took_sum: float):
        for name, value in counts.items():
            if isinstance(value, int):
                self.counts[name] += value
        for score, n in counts["scores"].items():
            self.counts["scores"][score] += n
        self.wait_runs.append(waits)
        self.took_runs.append(took)
        self.wait_sum += wait_sum
        self.took_sum += took_sum

    def finish(self) -> dict:
        self.counts["wait_s"] = _durations(self.wait_runs, self.wait_sum)
        self.counts["service_s"] = _durations(self.took_runs, self.took_sum)
        return self.counts


def _durations(runs: list[list[float]], total: float) -> dict:
    count = sum(len(run) for run in runs)
    return duration_summary(total / count if count else None, *percentiles_of_runs(runs))


def _add_reasons(session: Session, scope: ReportScope, result: dict[GroupKey, dict]) -> None:
    """Reasons come with a small share of ratings (the low ones): read just those."""
    cells = Cells(session, scope, extra=1)
    for cell, reasons in _rows(session, REASONS.format(cell=cells.sql("0")), scope):
        service, counter, clerk, hour, _ = cells.unpack(cell)
        parsed = [str(reason) for reason in json.loads(reasons)]
        for group in (*_groups(service, counter, clerk, hour), ("total", None)):
            if group not in result:
                result[group] = empty_group()
            given = result[group]["reasons"]
            for reason in parsed:
                given[reason] = given.get(reason, 0) + 1
