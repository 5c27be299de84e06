"""Report figures of every centre at once, for the province report
(kiosk/usecases/province_reports.py): per centre its total and its fields, in the
shape of kiosk/store/report_rows.empty_group(), with the meanings of
kiosk/store/reports.py (issued = first legs, wait = to the first call, …).

PostgreSQL: one statement over the range's legs of all centres, the per-centre
statement of reports_postgres.py with the centre as the outer grouping and without
the counter, clerk and hour groupings.  A yearly province report reads every leg of
the year once: `percentile_cont` over GROUPING SETS ((centre, field), (centre)) for
the medians and 90th percentiles, and plain counts and sums per cell (centre × field
× outcome × first leg × score) added up in Python (report_rows.Groups).  The field's
target wait comes from a hash join on services (hundreds of fields: a CASE per leg,
as the single-centre statement uses, would be a long chain).

SQLite (a commune box, one or a few centres): the single-centre figures per centre
(reports_sqlite.py), keeping the total and field groups.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary
from kiosk.store import reports_sqlite
from kiosk.store.report_rows import Groups, ReportScope, cell_counts, empty_group

CELL = -1
# grouping(centre, service): 0 = (centre, field), 1 = (centre)
GROUPING = {0: "service", 1: "total"}
IN_RANGE = "t.centre_id = ANY(:centres) AND t.business_day BETWEEN :first AND :last"

LEGS = f"""
WITH legs AS MATERIALIZED (
  SELECT t.centre_id AS k, t.service_id AS s, t.status AS st, t.parent_id IS NULL AS first,
    sv.target_wait_s AS target, r.score,
    date_part('epoch', t.called_at - CASE WHEN t.parent_id IS NULL THEN t.issued_at
      ELSE (SELECT p.finished_at FROM tickets p WHERE p.id = t.parent_id) END) AS w,
    CASE WHEN t.status = 'done' THEN date_part('epoch', t.finished_at - t.started_at) END AS d
  FROM tickets t
  JOIN services sv ON sv.id = t.service_id
  LEFT JOIN ratings r ON r.ticket_id = t.id
  WHERE {IN_RANGE}
)
SELECT grouping(k, s), k, s, NULL::text, NULL::boolean, NULL::integer,
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d),
  NULL::bigint, NULL::bigint, NULL::float8, NULL::bigint, NULL::float8, NULL::bigint,
  NULL::bigint
FROM legs GROUP BY GROUPING SETS ((k, s), (k))
UNION ALL
SELECT {CELL}, k, s, st, first, score, NULL, NULL,
  count(*), count(w), sum(w), count(d), sum(d),
  count(w) FILTER (WHERE target > 0), count(*) FILTER (WHERE w <= target)
FROM legs GROUP BY k, s, st, first, score
"""

REASONS = f"""
SELECT grouping(k, s), k, s, reason, count(*)
FROM (
  SELECT t.centre_id AS k, t.service_id AS s, reason
  FROM ratings r
  JOIN tickets t ON t.id = r.ticket_id
  CROSS JOIN LATERAL json_array_elements_text(r.reasons) AS reason
  WHERE r.centre_id = ANY(:centres) AND json_array_length(r.reasons) > 0 AND {IN_RANGE}
) AS given
GROUP BY GROUPING SETS ((k, s, reason), (k, reason))
"""

# {centre id: {("total", None) | ("service", field id): figures}}
CentreFigures = dict[int, dict[tuple[str, int | None], dict]]


def figures(
    session: Session, centres: dict[int, str], first_day: date, last_day: date
) -> CentreFigures:
    """`centres`: {centre id: its time zone}.  Centres without legs are absent."""
    if session.get_bind().dialect.name == "postgresql":
        return _postgres(session, list(centres), first_day, last_day)
    result: CentreFigures = {}
    for centre_id, timezone in centres.items():
        found = reports_sqlite.figures(
            session, ReportScope(centre_id, first_day, last_day, timezone)
        )
        kept = {g: f for g, f in found.items() if g[0] in ("total", "service")}
        if kept:
            result[centre_id] = kept
    return result


def _counts(status: str, first: bool, score: int | None, row) -> dict:
    legs, waits, _, _, _, target_n, within = row[8:15]
    return cell_counts(status, first, score, legs, waits, target_n, within)


def _postgres(session: Session, ids: list[int], first_day: date, last_day: date) -> CentreFigures:
    params = {"centres": ids, "first": first_day, "last": last_day}
    # As the single-centre report: sorts in memory, no JIT (it costs more than it saves).
    session.execute(text("SET LOCAL work_mem = '256MB'"))
    session.execute(text("SET LOCAL jit = off"))
    groups: dict[int, Groups] = {}
    percentiles: dict[tuple, tuple] = {}
    for row in session.execute(text(LEGS), params):
        centre = row[1]
        if row[0] == CELL:
            status, first, score = row[3:6]
            sums = (row[10] or 0.0, row[9], row[12] or 0.0, row[11])
            cell = (row[2], None, None, 0)  # no counter, clerk or hour groups here
            groups.setdefault(centre, Groups()).add(cell, _counts(status, first, score, row), sums)
        else:
            dimension = GROUPING[row[0]]
            key = row[2] if dimension == "service" else None
            percentiles[(centre, dimension, key)] = (row[6] or (None, None), row[7] or (None, None))
    result: CentreFigures = {}
    for centre, adder in groups.items():
        found = {g: f for g, f in adder.means().items() if g[0] in ("total", "service")}
        for (dimension, key), data in found.items():
            wait_p, took_p = percentiles.get((centre, dimension, key), ((None,) * 2,) * 2)
            data["wait_s"] = duration_summary(data["wait_s"]["mean"], *wait_p)
            data["service_s"] = duration_summary(data["service_s"]["mean"], *took_p)
        result[centre] = found
    for grouping, centre, service, reason, n in session.execute(text(REASONS), params):
        group = ("service", service) if grouping == 0 else ("total", None)
        figures_ = result.setdefault(centre, {}).setdefault(group, empty_group())
        figures_["reasons"][reason] = n
    return result
