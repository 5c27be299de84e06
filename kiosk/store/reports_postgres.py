"""Report figures on PostgreSQL: one GROUPING SETS query per table, with
`percentile_cont` for the medians and 90th percentiles."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary
from kiosk.store.reports import GroupKey, ReportScope, empty_ratings, empty_tickets

# grouping(service, counter, clerk, hour) bit masks: a set bit is a column not grouped by.
GROUPING = {7: "service", 11: "counter", 13: "clerk", 14: "hour", 15: "total"}
SETS = "GROUPING SETS ((s), (c), (u), (h), ())"
HOUR = "CAST(extract(hour FROM t.issued_at AT TIME ZONE :zone) AS integer)"

LEGS = f"""
WITH legs AS (
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {HOUR} AS h,
    t.status AS st, t.parent_id IS NULL AS first, sv.target_wait_s AS target,
    CAST(extract(epoch FROM t.called_at - coalesce(p.finished_at, t.issued_at)) AS float8) AS w,
    CASE WHEN t.status = 'done'
      THEN CAST(extract(epoch FROM t.finished_at - t.started_at) AS float8) END AS d
  FROM tickets t
  JOIN services sv ON sv.id = t.service_id
  LEFT JOIN tickets p ON p.id = t.parent_id
  WHERE t.centre_id = :centre AND t.business_day BETWEEN :first AND :last
)
SELECT grouping(s, c, u, h), s, c, u, h,
  count(*) FILTER (WHERE first), count(w),
  count(*) FILTER (WHERE st = 'done'), count(*) FILTER (WHERE st = 'no_show'),
  count(*) FILTER (WHERE st = 'cancelled'), count(*) FILTER (WHERE st = 'transferred'),
  avg(w), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w),
  avg(d), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d),
  count(w) FILTER (WHERE target > 0), count(*) FILTER (WHERE w <= target AND target > 0)
FROM legs GROUP BY {SETS}
"""

RATED = f"""
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {HOUR} AS h,
    r.score, r.reasons
  FROM ratings r JOIN tickets t ON t.id = r.ticket_id
  WHERE r.centre_id = :centre AND t.business_day BETWEEN :first AND :last
"""
RATINGS = f"""
WITH rated AS ({RATED})
SELECT grouping(s, c, u, h), s, c, u, h, count(*),
  count(*) FILTER (WHERE score = 1), count(*) FILTER (WHERE score = 2),
  count(*) FILTER (WHERE score = 3), count(*) FILTER (WHERE score = 4),
  count(*) FILTER (WHERE score = 5)
FROM rated GROUP BY {SETS}
"""
REASONS = f"""
WITH rated AS ({RATED})
SELECT grouping(s, c, u, h), s, c, u, h, reason, count(*)
FROM rated CROSS JOIN LATERAL json_array_elements_text(rated.reasons) AS reason
GROUP BY GROUPING SETS ((s, reason), (c, reason), (u, reason), (h, reason), (reason))
"""


def _run(session: Session, sql: str, scope: ReportScope):
    # A year's sort fits in memory with room to spare; JIT compiling costs more than it saves here.
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL jit = off"))
    return session.execute(text(sql), {**scope.params(), "zone": scope.timezone})


def _group(row) -> GroupKey | None:
    dimension = GROUPING.get(row[0])
    if dimension is None:
        return None
    key = {"service": row[1], "counter": row[2], "clerk": row[3], "hour": row[4]}.get(dimension)
    if dimension in ("counter", "clerk") and key is None:
        return None  # legs never called: no counter, no clerk
    return dimension, key


def ticket_figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    figures = {}
    for row in _run(session, LEGS, scope):
        group = _group(row)
        if group is None:
            continue
        result = empty_tickets()
        names = ("issued", "called", "served", "no_show", "cancelled", "transferred")
        result.update(zip(names, row[5:11], strict=True))
        wait_p, took_p = row[12] or (None, None), row[14] or (None, None)
        result["wait_s"] = duration_summary(row[11], *wait_p)
        result["service_s"] = duration_summary(row[13], *took_p)
        result["target_n"], result["within_target"] = row[15], row[16]
        figures[group] = result
    return figures


def rating_figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    figures: dict[GroupKey, dict] = {}
    for row in _run(session, RATINGS, scope):
        group = _group(row)
        if group is None:
            continue
        result = empty_ratings()
        result["rated"] = row[5]
        result["scores"] = {str(score): n for score, n in zip(range(1, 6), row[6:11], strict=True)}
        figures[group] = result
    for row in _run(session, REASONS, scope):
        group = _group(row)
        if group is not None and group in figures:
            figures[group]["reasons"][row[5]] = row[6]
    return figures
