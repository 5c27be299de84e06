"""Bench: the yearly report on a busy centre's year (target: under 2 s).

    .venv/bin/python bench/reports.py [--tickets 500000] [--year 2025]
        [--sqlite /tmp/motcua-reports-bench.db] [--postgres postgresql://127.0.0.1:5432/test]
        [--skip-postgres] [--keep]

Writes a generated year straight into a scratch database (SQLite file, and a
fresh PostgreSQL database created next to the given one and dropped after):
--tickets ticket legs on weekday opening hours, with their events (issued,
called, recalled, started, finished / no-show / cancelled / transferred,
rated) and ratings, then times `reports.summary` for the whole year, as the
/reports page and the API compute it: wall time, and CPU time (this process,
plus the PostgreSQL backend when the server runs on this machine), which
stays put when other work shares the machine.  Prints a Markdown table; the
figures and the command go in docs/reports-bench.md.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.events import RecordingPublisher  # noqa: E402
from kiosk.store import Store, migrate  # noqa: E402
from kiosk.store.seed import seed  # noqa: E402
from kiosk.usecases import reports  # noqa: E402
from kiosk.usecases.context import QueueContext  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIELDS = [  # code, prefix, target minutes, share of visits, mean service minutes
    ("HT", "A", 15, 0.25, 8),
    ("DD", "B", 20, 0.15, 15),
    ("LD", "C", 15, 0.10, 10),
    ("KD", "D", 20, 0.10, 12),
    ("XD", "E", 20, 0.05, 15),
    ("TKQ", "K", 10, 0.20, 3),
    ("CT", "F", 10, 0.15, 5),
]
COUNTERS = 20
REASONS = [
    "attitude",
    "waiting_time",
    "unclear_guidance",
    "processing_time",
]  # as the counter screen sends them
SESSIONS = [((7, 30), (11, 30)), ((13, 30), (17, 0))]


def centre_data() -> dict:
    """A provincial-size centre: 7 fields, 20 counters each serving two or three, a clerk each."""
    codes = [f[0] for f in FIELDS]
    return {
        "centre": {"code": "bench", "name": "Trung tâm Phục vụ hành chính công (bench)"},
        "services": [
            {"code": c, "name": f"Lĩnh vực {c}", "prefix": p, "target_wait_min": t}
            for c, p, t, _, _ in FIELDS
        ],
        "counters": [
            {
                "number": n,
                "name": f"Quầy {n}",
                "services": [codes[n % len(codes)], codes[(n + 3) % len(codes)]],
            }
            for n in range(1, COUNTERS + 1)
        ],
        "users": [
            {
                "username": f"canbo{n}",
                "password": "bench-password",
                "role": "clerk",
                "counter": n,
                "name": f"Cán bộ {n}",
            }
            for n in range(1, COUNTERS + 1)
        ],
    }


def weekdays(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class Generator:
    """Ticket legs, events and ratings as plain tuples, ids assigned here."""

    def __init__(self, tickets: int, year: int, service_ids: dict, user_ids: dict, seed_: int = 6):
        self.random = random.Random(seed_)
        self.total = tickets
        self.days = weekdays(year)
        self.service_ids = service_ids  # code → id
        self.user_ids = user_ids  # counter → user id
        self.counters_of = {c: [] for c, *_ in FIELDS}
        codes = [f[0] for f in FIELDS]
        for n in range(1, COUNTERS + 1):
            for code in (codes[n % len(codes)], codes[(n + 3) % len(codes)]):
                self.counters_of[code].append(n)
        self.tickets: list[tuple] = []
        self.events: list[tuple] = []
        self.ratings: list[tuple] = []

    def run(self) -> Generator:
        per_day = self.total / len(self.days)
        made = 0
        for index, day in enumerate(self.days):
            quota = round(per_day * (index + 1)) - made
            made += self._day(day, quota)
        return self

    def _moment(self, day: date) -> datetime:
        (h1, m1), (h2, m2) = SESSIONS[0] if self.random.random() < 0.62 else SESSIONS[1]
        start = datetime(day.year, day.month, day.day, h1, m1, tzinfo=TZ)
        span = (h2 * 60 + m2 - h1 * 60 - m1) * 60
        return (start + timedelta(seconds=self.random.randrange(span))).astimezone(UTC)

    def _day(self, day: date, quota: int) -> int:
        r = self.random
        codes = [f[0] for f in FIELDS]
        weights = [f[3] for f in FIELDS]
        seq = dict.fromkeys(codes, 0)
        made = 0
        while made < quota:
            code = r.choices(codes, weights)[0]
            seq[code] += 1
            legs = self._visit(day, code, seq[code], remaining=quota - made)
            made += legs
        return made

    def _visit(self, day: date, code: str, seq: int, remaining: int) -> int:
        r = self.random
        field = next(f for f in FIELDS if f[0] == code)
        issued = self._moment(day)
        number = f"{field[1]}{seq:03d}"
        token = uuid.UUID(int=r.getrandbits(128)).hex
        parent = None
        start = issued
        legs = 0
        while True:
            legs += 1
            tid = len(self.tickets) + 1
            fate = r.random()
            transfer = fate < 0.04 and legs < 2 and remaining > legs
            wait = timedelta(seconds=int(r.expovariate(1 / (field[2] * 60 * 0.6))))
            service = timedelta(seconds=int(r.expovariate(1 / (field[4] * 60))) + 30)
            counter = r.choice(self.counters_of[code])
            user = self.user_ids[counter]
            called = start + wait
            started = finished = None
            status = "done"
            events = [("issued", issued, None, None)] if parent is None else []
            if not transfer and fate > 0.98:
                status, finished = "cancelled", start + wait
                counter = user = called = None
                events.append(("cancelled", finished, None, None))
            else:
                events.append(("called", called, counter, user))
                if r.random() < 0.1:
                    events.append(("recalled", called + timedelta(seconds=60), counter, user))
                if transfer:
                    status, started = "transferred", called + timedelta(seconds=20)
                    finished = started + service
                    events.append(("started", started, counter, user))
                    events.append(("transferred", finished, counter, user))
                elif fate > 0.93:
                    status, finished = "no_show", called + timedelta(seconds=120)
                    events.append(("no_show", finished, counter, user))
                else:
                    started = called + timedelta(seconds=20)
                    finished = started + service
                    events.append(("started", started, counter, user))
                    events.append(("finished", finished, counter, user))
            self.tickets.append(
                (
                    tid,
                    self.service_ids[code],
                    number,
                    seq,
                    day,
                    status,
                    issued,
                    start if parent is None else issued,
                    counter,
                    user,
                    called,
                    started,
                    finished,
                    parent,
                    token,
                )
            )
            for kind, at, ev_counter, ev_user in events:
                self.events.append((tid, kind, at, ev_counter, ev_user, "{}"))
            if status == "done" and r.random() < 0.4:
                score = r.choices([5, 4, 3, 2, 1], [55, 25, 10, 6, 4])[0]
                reasons = r.sample(REASONS, r.randint(1, 2)) if score <= 2 else []
                at = finished + timedelta(seconds=15)
                self.ratings.append((tid, user, counter, score, reasons, at))
                self.events.append((tid, "rated", at, counter, user, json.dumps({"score": score})))
            if not transfer:
                return legs
            parent, start = tid, finished
            code = r.choice([f[0] for f in FIELDS if f[0] != code])
            field = next(f for f in FIELDS if f[0] == code)


# -- writing ---------------------------------------------------------------------


def _sqlite_time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if value else None


def write_sqlite(store: Store, centre_id: int, data: Generator) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO tickets (id, centre_id, service_id, number, seq, business_day, status,"
            " issued_at, queued_at, counter_number, user_id, called_at, started_at, finished_at,"
            " recalls, parent_id, token, source) VALUES"
            " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,'kiosk')",
            (
                (
                    t[0],
                    centre_id,
                    t[1],
                    t[2],
                    t[3],
                    t[4].isoformat(),
                    t[5],
                    _sqlite_time(t[6]),
                    _sqlite_time(t[7]),
                    t[8],
                    t[9],
                    _sqlite_time(t[10]),
                    _sqlite_time(t[11]),
                    _sqlite_time(t[12]),
                    t[13],
                    t[14],
                )
                for t in data.tickets
            ),
        )
        cursor.executemany(
            "INSERT INTO events (centre_id, ticket_id, kind, at, counter_number, user_id, data)"
            " VALUES (?,?,?,?,?,?,?)",
            ((centre_id, e[0], e[1], _sqlite_time(e[2]), e[3], e[4], e[5]) for e in data.events),
        )
        cursor.executemany(
            "INSERT INTO ratings (centre_id, ticket_id, user_id, counter_number, score, reasons,"
            " comment, at) VALUES (?,?,?,?,?,?,'',?)",
            (
                (
                    centre_id,
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    json.dumps(r[4], ensure_ascii=False),
                    _sqlite_time(r[5]),
                )
                for r in data.ratings
            ),
        )
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        # A running hub checkpoints every 1000 pages; reading a 400 MB write-ahead log is slower.
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _copy(cursor, table: str, columns: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def write_postgres(store: Store, centre_id: int, data: Generator) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        _copy(
            cursor,
            "tickets",
            "id, centre_id, service_id, number, seq, business_day, status, issued_at, queued_at,"
            " counter_number, user_id, called_at, started_at, finished_at, recalls, parent_id,"
            " token, source",
            ((*t[:1], centre_id, *t[1:13], 0, t[13], t[14], "kiosk") for t in data.tickets),
        )
        _copy(
            cursor,
            "events",
            "centre_id, ticket_id, kind, at, counter_number, user_id, data",
            ((centre_id, *e) for e in data.events),
        )
        _copy(
            cursor,
            "ratings",
            "centre_id, ticket_id, user_id, counter_number, score, reasons, comment, at",
            (
                (centre_id, r[0], r[1], r[2], r[3], json.dumps(r[4], ensure_ascii=False), "", r[5])
                for r in data.ratings
            ),
        )
        cursor.execute("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


# -- running -------------------------------------------------------------------


def prepare(url: str, tickets: int, year: int) -> tuple[QueueContext, dict]:
    store = Store(url)
    migrate.upgrade(store.url)
    with store.write() as session:
        centre = seed(session, centre_data())
        centre_id = centre.id
        from kiosk.store.tables import EventRow, RatingRow, ServiceRow, TicketRow, UserRow

        existing = session.query(TicketRow.id).filter(TicketRow.centre_id == centre_id).count()
        stored = {
            "events": session.query(EventRow.id).filter(EventRow.centre_id == centre_id).count(),
            "ratings": session.query(RatingRow.id).filter(RatingRow.centre_id == centre_id).count(),
        }
        service_ids = {
            s.code: s.id for s in session.query(ServiceRow).filter_by(centre_id=centre_id)
        }
        user_ids = {
            u.counter_number: u.id for u in session.query(UserRow).filter_by(centre_id=centre_id)
        }
    ctx = QueueContext(store=store, publisher=RecordingPublisher(), centre_id=centre_id)
    info = {"tickets": existing, "generate_s": None, **stored}
    if existing == 0:
        started = time.perf_counter()
        data = Generator(tickets, year, service_ids, user_ids).run()
        (write_sqlite if store.is_sqlite else write_postgres)(store, centre_id, data)
        info = {
            "tickets": len(data.tickets),
            "events": len(data.events),
            "ratings": len(data.ratings),
            "generate_s": time.perf_counter() - started,
        }
    return ctx, info


def cpu_seconds(store: Store) -> float:
    """CPU used so far by this process and, for PostgreSQL on this machine, by the
    backend serving it (the bench runs one query at a time: one pooled connection).
    Unlike the wall clock, it does not grow when other work shares the machine."""
    own = time.process_time()
    if store.is_sqlite:
        return own
    from sqlalchemy import text

    with store.read() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server is elsewhere
        return math.nan
    return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_report(ctx: QueueContext, year: int, runs: int = 3) -> tuple[list, list, dict]:
    times, cpu = [], []
    result = {}
    for _ in range(runs):
        started, used = time.perf_counter(), cpu_seconds(ctx.store)
        result = reports.summary(ctx, date(year, 1, 1), date(year, 12, 31))
        times.append(time.perf_counter() - started)
        cpu.append(cpu_seconds(ctx.store) - used)
    return times, cpu, result


def scratch_postgres(admin_url: str) -> tuple[str, callable]:
    import psycopg2

    def admin():
        connection = psycopg2.connect(admin_url)
        connection.autocommit = True
        return connection

    name = f"motcua_bench_reports_{uuid.uuid4().hex[:8]}"
    connection = admin()
    connection.cursor().execute(f'CREATE DATABASE "{name}"')
    connection.close()

    def drop() -> None:  # a fresh connection: the server may have been restarted meanwhile
        connection = admin()
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def remove_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--sqlite", default="/tmp/motcua-reports-bench.db")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file for the next run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    if not args.keep:
        remove_sqlite(args.sqlite)  # a fresh year, not one left by an interrupted run
    targets = [("SQLite", f"sqlite:///{args.sqlite}", None)]
    if not args.skip_postgres:
        url, drop = scratch_postgres(args.postgres)
        targets.append(("PostgreSQL", url, drop))
    rows = []
    try:
        for label, url, _ in targets:
            ctx, info = prepare(url, args.tickets, args.year)
            times, cpu, result = time_report(ctx, args.year, args.runs)
            rows.append((label, info, times, cpu, result["totals"]))
            ctx.store.dispose()
    finally:
        for _, _, drop in targets:
            if drop:
                drop()
        if not args.keep:
            remove_sqlite(args.sqlite)

    print(
        f"Yearly report ({args.year}, {args.runs} runs) on {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| database | ticket legs | events | ratings | generate (s) | report, first (s) "
        "| report, median (s) | report, median CPU (s) | issued | served | median wait (s) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, info, times, cpu, totals in rows:
        generate = f"{info['generate_s']:.1f}" if info.get("generate_s") else "(kept)"
        print(
            f"| {label} | {info['tickets']:,} | {info.get('events', 0):,} | "
            f"{info.get('ratings', 0):,} | {generate} | {times[0]:.2f} | "
            f"{statistics.median(times):.2f} | {statistics.median(cpu):.2f} | "
            f"{totals['issued']:,} | {totals['served']:,} | {totals['wait_s']['median']:.0f} |"
        )


if __name__ == "__main__":
    main()
