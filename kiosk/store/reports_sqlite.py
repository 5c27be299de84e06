"""Report figures on SQLite: one unsorted scan, summed in one pass.

SQL computes each leg's measures (wait, service time, local hour, how it
ended); Python adds them up per cell (field × counter × clerk × hour), sorts
each cell's durations once, and builds every field, counter, clerk and hour
group from the cells by merging their sorted runs.  A GROUP BY per grouping
would make SQLite sort all legs eight times; this touches each leg once.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable

from sqlalchemy.orm import Session

from kiosk.core.stats import durations, merge_sorted, utc_offsets
from kiosk.store.reports import (
    DIMENSIONS,
    GroupKey,
    ReportScope,
    empty_ratings,
    empty_tickets,
)

# julianday() differences are exact to about a millisecond: a wait of exactly the
# target must count as within it.
TARGET_SLACK_S = 0.001
STATUS_SLOT = {"done": 2, "no_show": 3, "cancelled": 4, "transferred": 5}
COUNT_NAMES = ("issued", "called", "served", "no_show", "cancelled", "transferred")

LEGS = """
SELECT t.service_id, t.counter_number, t.user_id, {hour}, t.status, t.parent_id IS NULL,
  (julianday(t.called_at) - julianday(CASE WHEN t.parent_id IS NULL THEN t.issued_at
     ELSE (SELECT p.finished_at FROM tickets p WHERE p.id = t.parent_id) END)) * 86400.0,
  CASE WHEN t.status = 'done' THEN (julianday(t.finished_at) - julianday(t.started_at)) * 86400.0
  END
FROM tickets t
WHERE t.centre_id = :centre AND t.business_day BETWEEN :first AND :last
"""

RATINGS = """
SELECT t.service_id, t.counter_number, t.user_id, {hour}, r.score,
  CASE WHEN r.reasons NOT IN ('[]', '') THEN r.reasons END
FROM ratings r JOIN tickets t ON t.id = r.ticket_id
WHERE r.centre_id = :centre AND t.business_day BETWEEN :first AND :last
"""


def _stored(value) -> str:
    """How SQLAlchemy keeps a UTC datetime in SQLite (see kiosk/store/types.py)."""
    return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def local_hour(scope: ReportScope, column: str) -> tuple[str, dict]:
    """SQL for the local hour of a UTC column, with the zone's offsets over the range."""
    segments = utc_offsets(scope.timezone, scope.utc_start, scope.utc_end)
    params = {f"shift{i}": f"{offset:+d} minutes" for i, (_, offset) in enumerate(segments)}
    if len(segments) == 1:
        return f"CAST(strftime('%H', {column}, :shift0) AS INTEGER)", params
    cases = []
    for i, (start, _) in enumerate(segments[1:], start=1):
        params[f"until{i}"] = _stored(start)
        cases.append(f"WHEN {column} < :until{i} THEN strftime('%H', {column}, :shift{i - 1})")
    last = len(segments) - 1
    sql = f"CAST(CASE {' '.join(cases)} ELSE strftime('%H', {column}, :shift{last}) END AS INTEGER)"
    return sql, params


def _rows(session: Session, sql: str, scope: ReportScope) -> Iterable[tuple]:
    """Plain DB-API tuples: building a SQLAlchemy Row per leg would cost more than the scan."""
    hour, params = local_hour(scope, "t.issued_at")
    params.update(
        centre=scope.centre_id,
        first=scope.first_day.isoformat(),
        last=scope.last_day.isoformat(),
    )
    cursor = session.connection().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql.format(hour=hour), params)
        while batch := cursor.fetchmany(50_000):
            yield from batch
    finally:
        cursor.close()


def _targets(session: Session, scope: ReportScope) -> dict[int, float]:
    cursor = session.connection().connection.dbapi_connection.cursor()
    cursor.execute(
        "SELECT id, target_wait_s FROM services WHERE centre_id = ? AND target_wait_s > 0",
        (scope.centre_id,),
    )
    return {service: target + TARGET_SLACK_S for service, target in cursor.fetchall()}


def _groups(key: tuple) -> list[GroupKey]:
    """The groups a cell (service, counter, clerk, hour) adds to; legs never called
    have no counter or clerk."""
    groups: list[GroupKey] = [("total", None)]
    for dimension, value in zip(DIMENSIONS, key, strict=True):
        if value is not None:
            groups.append((dimension, value))
    return groups


def ticket_figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    targets = _targets(session, scope)
    cells: dict[tuple, list] = {}
    get = cells.get
    for service, counter, clerk, hour, status, first, wait, took in _rows(session, LEGS, scope):
        key = (service, counter, clerk, hour)
        cell = get(key)
        if cell is None:
            cell = cells[key] = [0, 0, 0, 0, 0, 0, [], []]
        cell[0] += first
        slot = STATUS_SLOT.get(status)
        if slot is not None:
            cell[slot] += 1
        if wait is not None:
            cell[1] += 1
            cell[6].append(wait)
        if took is not None:
            cell[7].append(took)

    sums: dict[GroupKey, list] = {}
    for key, cell in cells.items():
        waits, took = sorted(cell[6]), sorted(cell[7])
        target = targets.get(key[0])
        target_n = len(waits) if target is not None else 0
        within = bisect_right(waits, target) if target is not None else 0
        for group in _groups(key):
            total = sums.get(group)
            if total is None:
                total = sums[group] = [[0] * 8, [], []]
            counts = total[0]
            for i in range(6):
                counts[i] += cell[i]
            counts[6] += target_n
            counts[7] += within
            total[1].append(waits)
            total[2].append(took)

    figures = {}
    for group, (counts, wait_runs, took_runs) in sums.items():
        result = empty_tickets()
        result.update(zip(COUNT_NAMES, counts[:6], strict=True))
        result["wait_s"] = durations(merge_sorted(wait_runs))
        result["service_s"] = durations(merge_sorted(took_runs))
        result["target_n"], result["within_target"] = counts[6], counts[7]
        figures[group] = result
    return figures


def rating_figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    figures: dict[GroupKey, dict] = {}
    for service, counter, clerk, hour, score, reasons in _rows(session, RATINGS, scope):
        parsed = json.loads(reasons) if reasons else ()
        for group in _groups((service, counter, clerk, hour)):
            result = figures.get(group)
            if result is None:
                result = figures[group] = empty_ratings()
            result["rated"] += 1
            result["scores"][str(score)] += 1
            for reason in parsed:
                result["reasons"][str(reason)] = result["reasons"].get(str(reason), 0) + 1
    return figures
