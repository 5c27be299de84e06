"""Report figures of every centre at once, for the province report
(kiosk/usecases/province_reports.py): per centre its total and its fields, in the
shape of kiosk/store/report_rows.empty_group(), with the meanings of
kiosk/store/reports.py (issued = first legs, wait = to the first call, …).

PostgreSQL (issue 13: a province's year, 200 centres and 5 million legs, in at most
10 s on two cores): the centres are dealt into batches, each batch's legs read by
one statement (`LEGS`), and the ratings of all centres by another (`RATINGS`); the
statements run side by side, one connection per core (`CONNECTIONS`), each in a
REPEATABLE READ transaction that imports the caller's snapshot
(pg_export_snapshot), so that together they see one state of the database, as a
single statement would.

- `LEGS` takes the batch's centres one at a time (a LATERAL subquery per centre):
  the centre's legs come from the covering index ix_tickets_report alone (an
  index-only scan of its own stretch of the index; through the heap, every batch
  read the pages of every centre, as a centre's tickets lie among all the others'),
  are sorted by field (25,000 legs: in memory and in cache) and grouped by ROLLUP
  (field): `percentile_cont` gives the exact medians and 90th percentiles of the
  fields and of the centre's total, FILTERed counts and sums the rest.  An
  ordered-set aggregate has no partial form for parallel workers: one statement
  runs on one core, hence the batches.  A field's target wait is looked up in an
  array indexed by field id (a join on services let the planner loop over the
  fields with an index scan each, 30 times slower).
- `RATINGS` counts ratings per centre, field, score and list of reasons; the
  reasons are counted in Python from those few lists.  Hash joining a year's legs
  to its ratings costs 4 s (the hash table outgrows the caches); with hash joins off
  the planner merge joins the tickets' and ratings' id indexes on a long range
  (about 2 s for a year; it reads the whole tickets table, about 1.3 s more per
  5 million legs stored, on its own connection) and loops over the ratings index on
  a short one.
- Parallel workers are off in these statements: the connections fill the cores.

Before (one statement: a MATERIALIZED CTE of the year's 5 million legs, spilled to
disk, sorted again by centre and field, hash joined to every rating, and a
parallel statement for the reasons) a year took 28.6 s; docs/benchmarks.md, "The
province's yearly report", has the figures.

SQLite (a commune box, one or a few centres): the single-centre figures per centre
(reports_sqlite.py), keeping the total and field groups.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.core.stats import duration_summary
from kiosk.store import reports_sqlite
from kiosk.store.report_rows import STATUSES, STORED_STATUS, ReportScope, empty_group

# Connections at once: one per core, at least two (the province's hub has two), at
# most four.  LEGS batches: one fewer than twice that, so that with RATINGS the
# connections finish close together.
CONNECTIONS = min(4, max(2, os.cpu_count() or 2))
BATCHES = 2 * CONNECTIONS - 1

IN_RANGE = "t.centre_id = ANY(:centres) AND t.business_day BETWEEN :first AND :last"
# (name in empty_group(), condition): each counted per (centre, field) and per centre
COUNTED = [
    ("issued", "first"),
    *[(name, f"st = '{STORED_STATUS.get(name, name)}'") for name in STATUSES],
]

LEGS = f"""
SELECT c.k, x.*
FROM unnest(CAST(:centres AS integer[])) AS c(k)
CROSS JOIN LATERAL (
  SELECT grouping(s), s,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w),
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d),
    count(w), sum(w), count(d), sum(d),
    count(w) FILTER (WHERE target > 0), count(*) FILTER (WHERE w <= target),
    {", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition in COUNTED)}
  FROM (
    SELECT t.service_id AS s, t.status AS st, t.parent_id IS NULL AS first,
      (CAST(:targets AS integer[]))[t.service_id - :target_base] AS target,
      date_part('epoch', t.called_at - CASE WHEN t.parent_id IS NULL THEN t.issued_at
        ELSE (SELECT p.finished_at FROM tickets p WHERE p.id = t.parent_id) END) AS w,
      CASE WHEN t.status = 'done' THEN date_part('epoch', t.finished_at - t.started_at) END AS d
    FROM tickets t
    WHERE t.centre_id = c.k AND t.business_day BETWEEN :first AND :last
  ) AS legs
  GROUP BY ROLLUP (s)
) AS x
"""

RATINGS = f"""
SELECT t.centre_id, t.service_id, r.score, CAST(r.reasons AS text), count(*)
FROM tickets t
JOIN ratings r ON r.ticket_id = t.id
WHERE {IN_RANGE}
GROUP BY 1, 2, 3, 4
"""

# Per statement (SET LOCAL): a centre's sorts in memory; no JIT (it costs more than
# it saves); no parallel workers (see above).
SETTINGS = ("work_mem = '64MB'", "jit = off", "max_parallel_workers_per_gather = 0")
RATINGS_SETTINGS = (*SETTINGS, "enable_hashjoin = off")

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


def batches(ids: list[int], n: int) -> list[list[int]]:
    """`ids` dealt round-robin into at most n non-empty batches: a big centre among
    small ones weighs on one batch only."""
    return [b for b in (ids[i::n] for i in range(n)) if b]


def _postgres(session: Session, ids: list[int], first_day: date, last_day: date) -> CentreFigures:
    fields = session.execute(text("SELECT id, target_wait_s FROM services")).all()
    base = min((i for i, _ in fields), default=1) - 1  # targets[i - base] is field i's
    targets: list[int | None] = [None] * (max((i for i, _ in fields), default=1) - base)
    for field_id, target in fields:
        targets[field_id - base - 1] = target
    # Kept while the statements run: this session's transaction stays open meanwhile.
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar()
    engine = session.get_bind().engine
    params = {"first": first_day, "last": last_day}
    legs_params = {**params, "targets": targets, "target_base": base}
    jobs: list[Callable[[], list]] = [
        lambda: _read(engine, snapshot, RATINGS_SETTINGS, RATINGS, {**params, "centres": ids})
    ]
    for batch in batches(ids, BATCHES):
        jobs.append(
            lambda batch=batch: _read(
                engine, snapshot, SETTINGS, LEGS, {**legs_params, "centres": batch}
            )
        )
    ratings, *legs = run_side_by_side(jobs, CONNECTIONS)

    rows = [row for batch in legs for row in batch]
    # ROLLUP's total row comes even for a centre without legs: such a centre is absent.
    result: CentreFigures = {centre: {} for centre, grouping, *_ in rows if grouping == 0}
    for row in rows:
        centre, grouping, service = row[:3]
        if centre in result:
            result[centre][("service", service) if grouping == 0 else ("total", None)] = _group(row)
    for centre, service, score, reasons, n in ratings:
        for group in (("service", service), ("total", None)):
            figures_ = result.setdefault(centre, {}).setdefault(group, empty_group())
            figures_["rated"] += n
            figures_["scores"][str(score)] += n
            for reason in json.loads(reasons):
                figures_["reasons"][reason] = figures_["reasons"].get(reason, 0) + n
    return result


def _group(row) -> dict:
    wait_p, took_p, waits, wait_sum, took_n, took_sum, target_n, within = row[3:11]
    figures_ = empty_group()
    for (name, _), n in zip(COUNTED, row[11:], strict=True):
        figures_[name] = n
    figures_["called"] = waits
    figures_["target_n"], figures_["within_target"] = target_n, within
    figures_["wait_s"] = duration_summary(
        wait_sum / waits if waits else None, *(wait_p or (None, None))
    )
    figures_["service_s"] = duration_summary(
        took_sum / took_n if took_n else None, *(took_p or (None, None))
    )
    return figures_


def _read(engine: Engine, snapshot: str, settings: tuple, sql: str, params: dict) -> list:
    """One statement on a connection of its own, in the caller's snapshot."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        connection.execute(text("SET TRANSACTION SNAPSHOT :snapshot"), {"snapshot": snapshot})
        for setting in settings:
            connection.execute(text(f"SET LOCAL {setting}"))
        rows = connection.execute(text(sql), params).all()
        connection.rollback()
    return rows


def run_side_by_side(jobs: list[Callable[[], Any]], at_once: int) -> list:
    """Each job's result, in order, the jobs run `at_once` at a time, each started
    as soon as one ends.  Plain threads: under gevent or eventlet they are
    greenlets, and psycogreen lets their statements run at the same time; in
    threading mode psycopg2 releases the GIL while a statement runs.  The first
    error is raised once every started job has ended."""
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []
    pending = iter(range(len(jobs)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = None if errors else next(pending, None)
            if index is None:
                return
            try:
                results[index] = jobs[index]()
            except BaseException as error:  # raised in the caller's thread below
                with lock:
                    errors.append(error)
                return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(at_once, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
