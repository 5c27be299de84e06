"""Report figures on SQLite: one unsorted scan, summed in one pass.

SQL computes each leg's measures (wait, service time) and a single integer
naming its cell (field, counter, clerk, local hour, how it ended, first leg
or not); Python counts the cells, sorts each cell's durations once and
adds the cells up into every group (kiosk.store.reports.Groups), taking the
percentiles straight from the cells' sorted runs (kiosk/core/stats.py).  A
GROUP BY per grouping would make SQLite sort all legs once per grouping; this
reads each leg once and never sorts more than a cell.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable

from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary, percentiles_of_runs, utc_offsets
from kiosk.store.report_rows import (
    STORED_STATUS,
    GroupKey,
    Groups,
    ReportScope,
    empty_group,
    groups_of,
)

# julianday() differences are exact to about a millisecond: a wait of exactly the
# target must count as within it.
TARGET_SLACK_S = 0.001
STATUS_COUNTS = {1: "served", 2: "no_show", 3: "cancelled", 4: "transferred", 5: "closed_unserved"}
STATUS_CODES = (
    "CASE t.status "
    + " ".join(f"WHEN '{STORED_STATUS.get(n, n)}' THEN {c}" for c, n in STATUS_COUNTS.items())
    + " ELSE 0 END"
)
STATUS_RADIX = len(STATUS_COUNTS) + 1

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

    The radixes are fixed: 2^16 fields, counters up to 9999 (the admin pages'
    rule), 2^20 users, 24 hours, `extra`; a leg whose ids do not fit gets a
    text cell "s,c,u,h,extra" instead, so an odd id costs speed, never a figure.
    """

    RADIX = (2**16, 10_000, 2**20, 24)

    def __init__(self, scope: ReportScope, extra: int) -> None:
        self.radix = (*self.RADIX[1:], extra)
        fields, counters, users, hours = self.RADIX
        assert fields * counters * users * hours * extra < 2**63, (
            "cells must fit in SQLite's integer"
        )
        self.hour = _local_hour(scope, "t.issued_at")

    def sql(self, extra: str) -> str:
        service, counter, clerk = (
            "t.service_id",
            "ifnull(t.counter_number, 0)",
            "ifnull(t.user_id, 0)",
        )
        fields, counters, users, hours = self.RADIX
        packed = (
            f"(((({service} * {counters} + {counter}) * {users} + {clerk}) * {hours}"
            f" + {self.hour}) * {self.radix[-1]} + {extra})"
        )
        text = f"printf('%d,%d,%d,%d,%d', {service}, {counter}, {clerk}, {self.hour}, {extra})"
        fits = f"{service} < {fields} AND {counter} < {counters} AND {clerk} < {users}"
        return f"CASE WHEN {fits} THEN {packed} ELSE {text} END"

    def unpack(self, cell: int | str) -> tuple[int, int | None, int | None, int, int]:
        if isinstance(cell, str):
            service, counter, clerk, hour, extra = (int(v) for v in cell.split(","))
        else:
            counters, users, hours, extras = self.radix
            cell, extra = divmod(cell, extras)
            cell, hour = divmod(cell, hours)
            cell, clerk = divmod(cell, users)
            service, counter = divmod(cell, counters)
        return service, counter or None, clerk or None, hour, extra


def _local_hour(scope: ReportScope, column: str) -> str:
    """SQL for the local hour of a stored UTC time (text 'YYYY-MM-DD HH:MM:SS.ffffff')."""

    def shifted(offset: int) -> str:
        hours, minutes = (f"CAST(substr({column}, {at}, 2) AS INTEGER)" for at in (12, 15))
        return f"(({hours} * 60 + {minutes} + {offset + 1440}) / 60 % 24)"

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


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    cells = Cells(scope, extra=STATUS_RADIX * 2 * 6)  # (status * 2 + first) * 6 + score
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
    groups = Groups()
    runs: dict[GroupKey, tuple[list, list]] = {}
    for cell, (counts, waits, took) in merged.items():
        waits.sort()
        took.sort()
        target = targets.get(cell[0])
        if target is not None:
            counts["target_n"] = len(waits)
            counts["within_target"] = bisect_right(waits, target)
        sums = (sum(waits), len(waits), sum(took), len(took))
        for group in groups.add(cell, counts, sums):
            wait_runs, took_runs = runs.setdefault(group, ([], []))
            wait_runs.append(waits)
            took_runs.append(took)
    result = groups.means()
    for group, figures_ in result.items():
        wait_runs, took_runs = runs[group]
        mean_wait, mean_took = figures_["wait_s"]["mean"], figures_["service_s"]["mean"]
        figures_["wait_s"] = duration_summary(mean_wait, *percentiles_of_runs(wait_runs))
        figures_["service_s"] = duration_summary(mean_took, *percentiles_of_runs(took_runs))
    _add_reasons(session, scope, result)
    return result


def _add_reasons(session: Session, scope: ReportScope, result: dict[GroupKey, dict]) -> None:
    """Reasons come with a small share of ratings (the low ones): read just those."""
    cells = Cells(scope, extra=1)
    for cell, reasons in _rows(session, REASONS.format(cell=cells.sql("0")), scope):
        service, counter, clerk, hour, _ = cells.unpack(cell)
        parsed = [str(reason) for reason in json.loads(reasons)]
        for group in groups_of((service, counter, clerk, hour)):
            if group not in result:
                result[group] = empty_group()
            given = result[group]["reasons"]
            for reason in parsed:
                given[reason] = given.get(reason, 0) + 1
