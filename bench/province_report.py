"""Bench: a province's yearly report across all its centres (issue 13: 5 million
tickets in at most 10 s on PostgreSQL).

    .venv/bin/python bench/province_report.py [--centres 100] [--tickets 5000000]
        [--year 2025] [--postgres postgresql://postgres@127.0.0.1:5432/test]
        [--runs 3] [--keep-database NAME] [--reports-module FILE]

Creates a scratch PostgreSQL database next to --postgres (dropped afterwards unless
--keep-database names one to create or reuse), migrates it, stores --centres centres
(7 fields, 10 counters and a clerk per counter each; through kiosk.store.seed, as
`motcua centre add` does) and then fills a year of ticket legs and ratings inside the
server with INSERT … SELECT over generate_series (no ORM, no Python per row): every
centre gets about the same number of legs spread over the year's weekdays, 07:30–17:00
local time; 88 % served, 5 % no-show, 2 % cancelled, 4 % transferred, 1 % unserved at
closing; waits 0–40 min, service 1–20 min; 40 % of the served rate, low scores with a
reason.  The report reads only tickets and ratings, so no events rows are written.

A kept database is migrated to the newest revision before the runs (the report
reads an index a migration adds).

It then times kiosk.usecases.province_reports.report for the whole year, as
GET /api/v1/province/reports (JSON) computes it, and the XLSX built from it, and prints
a Markdown table for docs/benchmarks.md.  CPU time is this process's and that of
every PostgreSQL process serving the bench's database (the report's statements run
on several connections at once; an older version ran a parallel statement):
`ServerCpu` reads them from /proc every 50 ms, so a parallel worker's last 50 ms at
most go uncounted.

--reports-module times another version of kiosk/store/reports_province.py in its
place, for an A/B on the same database, e.g. the one before issue 13's rework:

    git show 768841d:kiosk/store/reports_province.py > /tmp/reports_province_before.py
    .venv/bin/python bench/province_report.py --keep-database province_year \
        --reports-module /tmp/reports_province_before.py
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reports import scratch_postgres  # noqa: E402
from kiosk.store import Store, migrate  # noqa: E402
from kiosk.store.seed import seed  # noqa: E402

FIELDS = [("HT", "A", 15), ("DD", "B", 20), ("LD", "C", 15), ("KD", "D", 20)]
FIELDS += [("XD", "E", 20), ("TKQ", "K", 10), ("CT", "F", 10)]
COUNTERS = 10


def centre_data(n: int) -> dict:
    codes = [f[0] for f in FIELDS]
    return {
        "centre": {"code": f"xa-{n:03d}", "name": f"Trung tâm Phục vụ hành chính công xã {n:03d}"},
        "services": [
            {"code": c, "name": f"Lĩnh vực {c}", "prefix": p, "target_wait_min": t}
            for c, p, t in FIELDS
        ],
        "counters": [
            {"number": k, "services": [codes[k % len(codes)], codes[(k + 3) % len(codes)]]}
            for k in range(1, COUNTERS + 1)
        ],
    }


# One leg per g: its centre is g % centres, its day one of the year's weekdays, its
# field, counter and clerk looked up in arrays (a join here made the planner loop over
# every day and field for each of 5 million legs), its other figures fixed hashes of g
# (the same data on every run).  Times are UTC:
# 07:30 in Vietnam is 00:30 UTC.
TICKETS = """
WITH raw AS (
  SELECT g, g % :centres AS c, (g / :centres) % 255 AS day_i, (g / :centres) % 7 AS field_k,
    abs(CAST(hashint8(g) AS bigint)) AS h, abs(CAST(hashint8(-g - 1) AS bigint)) AS h2
  FROM generate_series(CAST(0 AS bigint), :tickets - 1) AS g
), legs AS (
  SELECT g, c, CAST(:monday AS date) + CAST((day_i / 5) * 7 + day_i % 5 AS integer) AS d,
    field_k, 1 + h % 10 AS counter, (h / 10) % 100 AS r,
    h2 % 34200 AS at_s, (h2 / 34200) % 2400 AS wait_s, 60 + (h / 1000) % 1140 AS took_s
  FROM raw
), timed AS (
  SELECT legs.*, r < 99 AND r NOT BETWEEN 93 AND 94 AS was_called,
    (d + interval '30 minutes') AT TIME ZONE 'UTC' AS opened
  FROM legs
)
INSERT INTO tickets (centre_id, service_id, number, seq, business_day, status, issued_at,
  queued_at, counter_number, user_id, called_at, started_at, finished_at, recalls, token,
  source)
SELECT :first_centre + c, (CAST(:fields AS integer[]))[c * 7 + field_k + 1],
  'A' || (g % 1000), g % 1000, d,
  CASE WHEN r < 88 THEN 'done' WHEN r < 93 THEN 'no_show' WHEN r < 95 THEN 'cancelled'
    WHEN r < 99 THEN 'transferred' ELSE 'closed_unserved' END,
  opened + at_s * interval '1 second', opened + at_s * interval '1 second',
  CASE WHEN was_called THEN counter END,
  CASE WHEN was_called THEN (CAST(:clerks AS integer[]))[c * 10 + counter] END,
  CASE WHEN was_called THEN opened + (at_s + wait_s) * interval '1 second' END,
  CASE WHEN r < 88 THEN opened + (at_s + wait_s) * interval '1 second' END,
  CASE WHEN r < 88 OR r BETWEEN 95 AND 98 THEN
    opened + (at_s + wait_s + took_s) * interval '1 second' END,
  0, md5(g::text), 'kiosk'
FROM timed
"""

RATINGS = """
INSERT INTO ratings (centre_id, ticket_id, user_id, counter_number, score, reasons, comment, at)
SELECT centre_id, id, user_id, counter_number, 1 + (id * 13) % 5,
  CASE WHEN (id * 13) % 5 < 2 THEN '["waiting_time"]' ELSE '[]' END::json, '', finished_at
FROM tickets WHERE status = 'done' AND id % 5 < 2
"""


def fill(url: str, centres: int, tickets: int, year: int) -> dict:
    """Centres through seed(), clerks, then the legs and ratings in the server."""
    from sqlalchemy import text

    started = time.perf_counter()
    store = Store(url)
    migrate.upgrade(store.url)
    with store.write() as session:
        ids = [seed(session, centre_data(n)).id for n in range(1, centres + 1)]
        session.execute(
            text(
                "INSERT INTO users (centre_id, username, display_name, password_hash, role,"
                " counter_number, active, credential_version)"
                " SELECT c, 'clerk' || k, 'Cán bộ ' || k, 'x', 'clerk', k, true, 0"
                " FROM unnest(CAST(:ids AS integer[])) AS c, generate_series(1, :n) AS k"
            ),
            {"ids": ids, "n": COUNTERS},
        )
    setup_s = time.perf_counter() - started
    assert ids == list(range(ids[0], ids[0] + centres))
    with store.read() as session:
        fields = (
            session.execute(
                text("SELECT id FROM services WHERE centre_id = ANY(:ids) ORDER BY centre_id, id"),
                {"ids": ids},
            )
            .scalars()
            .all()
        )
        clerks = (
            session.execute(
                text(
                    "SELECT id FROM users WHERE centre_id = ANY(:ids) AND role = 'clerk'"
                    " ORDER BY centre_id, counter_number"
                ),
                {"ids": ids},
            )
            .scalars()
            .all()
        )
    assert len(fields) == centres * len(FIELDS) and len(clerks) == centres * COUNTERS
    first = date(year, 1, 1)
    params = {  # 51 weeks of 5 weekdays from the year's first Monday: 255 business days
        "monday": first + timedelta(days=(7 - first.weekday()) % 7),
        "centres": centres,
        "tickets": tickets,
        "first_centre": ids[0],
        "fields": list(fields),
        "clerks": list(clerks),
    }
    with store.engine.begin() as connection:
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
        connection.execute(text(TICKETS), params)
        connection.execute(text(RATINGS))
    with store.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("tickets", "ratings"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))
    with store.read() as session:
        counts = {
            "tickets": session.execute(text("SELECT count(*) FROM tickets")).scalar(),
            "ratings": session.execute(text("SELECT count(*) FROM ratings")).scalar(),
        }
    store.dispose()
    return {**counts, "setup_s": setup_s, "fill_s": time.perf_counter() - started - setup_s}


class ServerCpu:
    """CPU seconds used, between start() and stop(), by this process and by the
    PostgreSQL processes serving `database`: its client backends and their parallel
    workers (children of the postmaster, from /proc).  A thread reads them every 50 ms
    meanwhile, as a parallel worker's time is gone once it exits; the thread's own
    time is left out."""

    def __init__(self, store: Store) -> None:
        from sqlalchemy import text

        with store.engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            self.database = connection.execute(text("SELECT current_database()")).scalar()
        self.postmaster = int(_proc_status(backend)["PPid"])
        self.names: dict[int, str] = {}

    def start(self) -> None:
        self.first = self._read()
        self.last = dict(self.first)
        self.own = time.process_time()
        self.sampler_cpu = 0.0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        self.last.update(self._read())
        server = sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())
        return time.process_time() - self.own - self.sampler_cpu + server

    def _sample(self) -> None:
        started = time.thread_time()
        while self.running:
            self.last.update(self._read())
            time.sleep(0.05)
        self.sampler_cpu = time.thread_time() - started

    def _read(self) -> dict[int, float]:
        """{pid: CPU seconds so far} of the processes serving the database."""
        try:
            children = Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children")
            pids = [int(p) for p in children.read_text().split()]
        except OSError:  # the server is elsewhere: this process only
            return {}
        ours = {pid for pid in pids if f" {self.database} " in self._name(pid)}
        found = {}
        for pid in pids:
            name = self._name(pid)
            leader = name.rsplit("parallel worker for PID ", 1)
            if pid in ours or (len(leader) == 2 and int(leader[1].split()[0]) in ours):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:  # ended since
                    continue
                found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def _name(self, pid: int) -> str:
        if pid not in self.names:
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                raw = b""
            self.names[pid] = raw.replace(b"\0", b" ").decode(errors="replace")
        return self.names[pid]


def _proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def time_report(
    url: str, year: int, runs: int, reports_module: str | None = None
) -> tuple[list, list, float, dict]:
    from flask import Flask
    from flask_babel import Babel

    from kiosk.reporting import province_export
    from kiosk.usecases import province_reports

    if reports_module:  # the usecase reads the figures through this module attribute
        spec = importlib.util.spec_from_file_location("reports_province_tried", reports_module)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        province_reports.reports_province = module
    store = Store(url)
    clock = lambda: datetime(year + 1, 1, 2, tzinfo=UTC)  # noqa: E731
    meter = ServerCpu(store)
    times, cpu, result = [], [], {}
    for _ in range(runs):
        started = time.perf_counter()
        meter.start()
        result = province_reports.report(store, date(year, 1, 1), date(year, 12, 31), clock)
        cpu.append(meter.stop())
        times.append(time.perf_counter() - started)
    app = Flask("bench")  # the files' words come from the hub's translations
    Babel(
        app, default_locale="vi", default_translation_directories=str(ROOT / "kiosk/translations")
    )
    with app.test_request_context():
        started = time.perf_counter()
        province_export.to_xlsx(result, "vi")
        xlsx_s = time.perf_counter() - started
    store.dispose()
    return times, cpu, xlsx_s, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep-database", help="create (or reuse) and keep this database")
    parser.add_argument(
        "--reports-module", help="a kiosk/store/reports_province.py to time in its place"
    )
    args = parser.parse_args()

    info: dict = {}
    if args.keep_database:
        url, drop = f"{args.postgres.rsplit('/', 1)[0]}/{args.keep_database}", None
        _create_if_missing(args.postgres, args.keep_database)
    else:
        url, drop = scratch_postgres(args.postgres)
    try:
        if not _filled(url):
            info = fill(url, args.centres, args.tickets, args.year)
            print(
                f"filled {info['tickets']:,} legs, {info['ratings']:,} ratings: centres "
                f"{info['setup_s']:.1f} s, legs and ratings {info['fill_s']:.1f} s",
                flush=True,
            )
        else:
            migrate.upgrade(Store(url).url)
        load_before = os.getloadavg()[0]
        times, cpu, xlsx_s, result = time_report(url, args.year, args.runs, args.reports_module)
    finally:
        if drop:
            drop()
    totals = result["totals"]
    print(
        f"\nYearly province report ({args.year}, {args.runs} runs"
        f"{', ' + args.reports_module if args.reports_module else ''}) on {os.cpu_count()} "
        f"CPUs, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} at the end; "
        f"each run (s): {', '.join(f'{t:.2f}' for t in times)}\n"
    )
    print(
        "| centres | ticket legs | report, first (s) | report, median (s) "
        "| report, median CPU (s) | XLSX from it (s) | issued | served | mean wait (s) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {len(result['centres'])} | {info.get('tickets', 'kept')} | {times[0]:.2f} | "
        f"{statistics.median(times):.2f} | {statistics.median(cpu):.2f} | {xlsx_s:.2f} | "
        f"{totals['issued']:,} | {totals['served']:,} | {totals['wait_mean_s']:.0f} |"
    )


def _create_if_missing(admin_url: str, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _filled(url: str) -> bool:
    from sqlalchemy import text

    store = Store(url)
    with store.engine.connect() as connection:
        exists = connection.execute(text("SELECT to_regclass('tickets')")).scalar()
        filled = exists and connection.execute(text("SELECT EXISTS (SELECT FROM tickets)")).scalar()
    store.dispose()
    return bool(filled)


if __name__ == "__main__":
    main()
