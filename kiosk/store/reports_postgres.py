"""Report figures on PostgreSQL: one statement over the legs (and their
ratings) gives each grouping's median and 90th percentile (`percentile_cont`
with GROUPING SETS) and each cell's counts and duration sums, which add up
exactly into the groups (kiosk.store.reports.Groups); a second statement
counts the reasons given with ratings.

Why two aggregations in one statement: every aggregate of a GROUPING SETS
query runs for every set, and eleven counts × five sets cost more than the
percentiles themselves on a year of legs (0.6 s of 1.8 s); counted once per
cell, they cost almost nothing.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary, utc_offsets
from kiosk.store.report_rows import GroupKey, Groups, ReportScope, cell_counts, empty_group

# grouping(service, counter, clerk, hour) bit masks: a set bit is a column not grouped by.
GROUPING = {7: "service", 11: "counter", 13: "clerk", 14: "hour", 15: "total"}
CELL = -1  # the rows of the per-cell counts
# date_part gives float8; extract() builds numerics, measurably slower on a year of legs.
ZONED_HOUR = "CAST(date_part('hour', t.issued_at AT TIME ZONE :zone) AS integer)"
IN_RANGE = "t.centre_id = :centre AND t.business_day BETWEEN :first AND :last"

# A transferred leg waits from its parent's finish: looked up for those few legs only.
LEGS = f"""
WITH legs AS MATERIALIZED (
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {{hour}} AS h,
    t.status AS st, t.parent_id IS NULL AS first, {{targets}} AS target, r.score,
    date_part('epoch', t.called_at - CASE WHEN t.parent_id IS NULL THEN t.issued_at
      ELSE (SELECT p.finished_at FROM tickets p WHERE p.id = t.parent_id) END) AS w,
    CASE WHEN t.status = 'done' THEN date_part('epoch', t.finished_at - t.started_at) END AS d
  FROM tickets t
  LEFT JOIN ratings r ON r.ticket_id = t.id
  WHERE {IN_RANGE}
)
SELECT grouping(s, c, u, h), s, c, u, h, NULL::text, NULL::boolean, NULL::integer,
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d),
  NULL::bigint, NULL::bigint, NULL::float8, NULL::bigint, NULL::float8, NULL::bigint,
  NULL::bigint
FROM legs GROUP BY GROUPING SETS ((s), (c), (u), (h), ())
UNION ALL
SELECT {CELL}, s, c, u, h, st, first, score, NULL, NULL,
  count(*), count(w), sum(w), count(d), sum(d),
  count(w) FILTER (WHERE target > 0), count(*) FILTER (WHERE w <= target)
FROM legs GROUP BY s, c, u, h, st, first, score
"""

REASONS = f"""
SELECT grouping(s, c, u, h), s, c, u, h, reason, count(*)
FROM (
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {ZONED_HOUR} AS h, reason
  FROM ratings r
  JOIN tickets t ON t.id = r.ticket_id
  CROSS JOIN LATERAL json_array_elements_text(r.reasons) AS reason
  WHERE r.centre_id = :centre AND json_array_length(r.reasons) > 0 AND {IN_RANGE}
) AS given
GROUP BY GROUPING SETS ((s, reason), (c, reason), (u, reason), (h, reason), (reason))
"""


def _run(session: Session, sql: str, scope: ReportScope):
    # A year's sorts fit in memory with room to spare; JIT compiling costs more than it saves here.
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL jit = off"))
    return session.execute(text(sql), {**scope.params(), "zone": scope.timezone})


def _targets(session: Session, scope: ReportScope) -> str:
    """Each field's target as a CASE on the service id: cheaper per leg than a join
    (which also led the planner to an ordered nested loop over the fields)."""
    rows = session.execute(
        text("SELECT id, target_wait_s FROM services WHERE centre_id = :c AND target_wait_s > 0"),
        {"c": scope.centre_id},
    ).all()
    if not rows:
        return "CAST(NULL AS integer)"
    return f"CASE t.service_id {' '.join(f'WHEN {int(i)} THEN {int(s)}' for i, s in rows)} END"


def _hour(scope: ReportScope) -> str:
    """The local hour of issue.  A zone with one offset over the range (Vietnam has no
    daylight saving) needs only arithmetic, a fifth of the cost of AT TIME ZONE per leg."""
    offsets = utc_offsets(scope.timezone, scope.utc_start, scope.utc_end)
    if len(offsets) > 1:
        return ZONED_HOUR
    shift = offsets[0][1] * 60
    return f"CAST(floor((date_part('epoch', t.issued_at) + {shift}) / 3600) AS integer) % 24"


def _group(row) -> GroupKey | None:
    dimension = GROUPING.get(row[0])
    if dimension is None:
        return None
    key = {"service": row[1], "counter": row[2], "clerk": row[3], "hour": row[4]}.get(dimension)
    if dimension in ("counter", "clerk") and key is None:
        return None  # legs never called: no counter, no clerk
    return dimension, key


def _counts(status: str, first: bool, score: int | None, row) -> dict:
    legs, waits, _, _, _, target_n, within = row[10:17]
    return cell_counts(status, first, score, legs, waits, target_n, within)


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    groups = Groups()
    percentiles: dict[GroupKey, tuple] = {}
    sql = LEGS.format(hour=_hour(scope), targets=_targets(session, scope))
    for row in _run(session, sql, scope):
        if row[0] == CELL:
            status, first, score = row[5:8]
            sums = (row[12] or 0.0, row[11], row[14] or 0.0, row[13])
            groups.add((row[1], row[2], row[3], row[4]), _counts(status, first, score, row), sums)
        elif (group := _group(row)) is not None:
            percentiles[group] = (row[8] or (None, None), row[9] or (None, None))
    result = groups.means()
    for group, figures_ in result.items():
        wait_p, took_p = percentiles.get(group, ((None, None), (None, None)))
        figures_["wait_s"] = duration_summary(figures_["wait_s"]["mean"], *wait_p)
        figures_["service_s"] = duration_summary(figures_["service_s"]["mean"], *took_p)
    for row in _run(session, REASONS, scope):
        group = _group(row)
        if group is not None:
            result.setdefault(group, empty_group())["reasons"][row[5]] = row[6]
    return result
