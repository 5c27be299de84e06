"""Report figures on PostgreSQL: one GROUPING SETS query over the legs (and
their ratings), with `percentile_cont` for the medians and 90th percentiles,
and one over the reasons given with ratings."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary
from kiosk.store.reports import GroupKey, ReportScope, empty_group

# grouping(service, counter, clerk, hour) bit masks: a set bit is a column not grouped by.
GROUPING = {7: "service", 11: "counter", 13: "clerk", 14: "hour", 15: "total"}
SETS = "GROUPING SETS ((s), (c), (u), (h), ())"
# date_part gives float8; extract() builds numerics, measurably slower on a year of legs.
HOUR = "CAST(date_part('hour', t.issued_at AT TIME ZONE :zone) AS integer)"
IN_RANGE = "t.centre_id = :centre AND t.business_day BETWEEN :first AND :last"

LEGS = f"""
WITH legs AS (
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {HOUR} AS h,
    t.status AS st, t.parent_id IS NULL AS first, {{targets}} AS target, r.score,
    date_part('epoch', t.called_at - coalesce(p.finished_at, t.issued_at)) AS w,
    CASE WHEN t.status = 'done' THEN date_part('epoch', t.finished_at - t.started_at) END AS d
  FROM tickets t
  LEFT JOIN tickets p ON p.id = t.parent_id
  LEFT JOIN ratings r ON r.ticket_id = t.id
  WHERE {IN_RANGE}
)
SELECT grouping(s, c, u, h), s, c, u, h,
  count(*) FILTER (WHERE first), count(w),
  count(*) FILTER (WHERE st = 'done'), count(*) FILTER (WHERE st = 'no_show'),
  count(*) FILTER (WHERE st = 'cancelled'), count(*) FILTER (WHERE st = 'transferred'),
  count(*) FILTER (WHERE st = 'closed_unserved'),
  avg(w), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w),
  avg(d), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d),
  count(w) FILTER (WHERE target > 0), count(*) FILTER (WHERE w <= target AND target > 0),
  count(score), count(*) FILTER (WHERE score = 1), count(*) FILTER (WHERE score = 2),
  count(*) FILTER (WHERE score = 3), count(*) FILTER (WHERE score = 4),
  count(*) FILTER (WHERE score = 5)
FROM legs GROUP BY {SETS}
"""

REASONS = f"""
SELECT grouping(s, c, u, h), s, c, u, h, reason, count(*)
FROM (
  SELECT t.service_id AS s, t.counter_number AS c, t.user_id AS u, {HOUR} AS h, reason
  FROM ratings r
  JOIN tickets t ON t.id = r.ticket_id
  CROSS JOIN LATERAL json_array_elements_text(r.reasons) AS reason
  WHERE r.centre_id = :centre AND json_array_length(r.reasons) > 0 AND {IN_RANGE}
) AS given
GROUP BY GROUPING SETS ((s, reason), (c, reason), (u, reason), (h, reason), (reason))
"""
COUNTS = ("issued", "called", "served", "no_show", "cancelled", "transferred", "closed_unserved")


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


def _group(row) -> GroupKey | None:
    dimension = GROUPING.get(row[0])
    if dimension is None:
        return None
    key = {"service": row[1], "counter": row[2], "clerk": row[3], "hour": row[4]}.get(dimension)
    if dimension in ("counter", "clerk") and key is None:
        return None  # legs never called: no counter, no clerk
    return dimension, key


def figures(session: Session, scope: ReportScope) -> dict[GroupKey, dict]:
    result: dict[GroupKey, dict] = {}
    for row in _run(session, LEGS.format(targets=_targets(session, scope)), scope):
        group = _group(row)
        if group is None:
            continue
        figures_ = result[group] = empty_group()
        figures_.update(zip(COUNTS, row[5:12], strict=True))
        wait_p, took_p = row[13] or (None, None), row[15] or (None, None)
        figures_["wait_s"] = duration_summary(row[12], *wait_p)
        figures_["service_s"] = duration_summary(row[14], *took_p)
        figures_["target_n"], figures_["within_target"] = row[16], row[17]
        figures_["rated"] = row[18]
        figures_["scores"] = {str(score): n for score, n in enumerate(row[19:24], start=1)}
    for row in _run(session, REASONS, scope):
        group = _group(row)
        if group in result:
            result[group]["reasons"][row[5]] = row[6]
    return result
