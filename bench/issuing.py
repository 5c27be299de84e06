"""Bench: the hub's CPU per issued ticket as the queue grows, and the kiosk path's rate.

    .venv/bin/python bench/issuing.py [--databases sqlite,postgres] [--screens 10]
        [--depths 0,500,1000,2000] [--batch 100] [--kiosks 8] [--seconds 10] [--profile DIR]
        [--kiosk-databases sqlite,postgres] [--skip-kiosks]

1. Per ticket: for each database, a fresh hub (`motcua run`, gevent) with --screens
   lobby screens connected.  At each queue depth (tickets waiting, all in field HT,
   the worst case for "people ahead"), one client issues --batch tickets one after
   another: the hub's CPU (utime + stime from /proc) per ticket and the wall time
   per request.  The queue is filled between depths by 4 concurrent clients.
2. Kiosk path: a fresh hub on each of --kiosk-databases (default SQLite, the commune
   box), --screens lobby screens, --kiosks concurrent
   kiosk clients (POST /api/v1/tickets as the kiosk page does: keep-alive, no login,
   a new Idempotency-Key per tap) for --seconds: tickets per second, the hub's CPU
   per ticket, and duplicate numbers (must be 0).

With --profile DIR, py-spy samples the hub during the deepest batch (1.) and the
kiosk run (2.) and the top entries are printed.  The hub runs whatever `kiosk`
PYTHONPATH names (docs/benchmarks.md: A/B from clean `git archive` copies).
Prints Markdown tables for docs/benchmarks.md.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Screens, cpu_s, profile_top, profiled  # noqa: E402
from bench.scale_out import scratch_database  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402

FILLERS = 4


def issue(session: requests.Session, url: str, service: str = "HT", key: bool = False) -> dict:
    """One ticket; `key`: with an Idempotency-Key header, as the kiosk page sends one."""
    headers = {"Idempotency-Key": uuid.uuid4().hex} if key else None
    response = session.post(
        f"{url}/api/v1/tickets", json={"service": service}, headers=headers, timeout=30
    )
    response.raise_for_status()
    return response.json()


def per_ticket(database: str, screens: int, depths: list[int], batch: int, profile: Path | None):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        database_url = None
        scratch = scratch_database() if database == "postgres" else nullcontext()
        with scratch as url:
            database_url = url
            hub = HubProcess(Path(tmp), async_mode="gevent", database_url=database_url).start()
            try:
                sessions = [requests.Session() for _ in range(FILLERS)]
                for _ in range(5):  # warm-up: first queries, imports
                    issue(sessions[0], hub.url)
                lobby = Screens(hub.url, screens)
                waiting = 5
                for depth in depths:
                    missing = max(0, depth - waiting)
                    Pool(FILLERS).map(
                        lambda i: issue(sessions[i % FILLERS], hub.url), range(missing)
                    )
                    waiting += missing
                    gevent.sleep(0.5)
                    spy = profile / f"issue-{database}-{depth}.txt" if profile else None
                    with profiled(hub.process.pid, spy if depth == max(depths) else None):
                        walls = []
                        before = cpu_s(hub.process.pid)
                        for _ in range(batch):
                            started = time.perf_counter()
                            issue(sessions[0], hub.url)
                            walls.append((time.perf_counter() - started) * 1000)
                        used = cpu_s(hub.process.pid) - before
                    rows.append(
                        {
                            "database": database,
                            "depth": waiting,
                            "cpu_ms": used * 1000 / batch,
                            "wall_ms": statistics.median(walls),
                        }
                    )
                    waiting += batch
                    print(f"  {rows[-1]}", file=sys.stderr)
                lobby.close()
            finally:
                hub.stop()
    if profile:
        print(f"\nProfile, {database}, {batch} tickets at {max(depths)} waiting:\n")
        print(profile_top(profile / f"issue-{database}-{max(depths)}.txt"))
    return rows


def kiosk_rate(
    screens: int, kiosks: int, seconds: float, profile: Path | None, database: str = "sqlite"
) -> dict:
    numbers: list[str] = []
    errors = 0
    scratch = scratch_database() if database == "postgres" else nullcontext()
    with tempfile.TemporaryDirectory() as tmp, scratch as database_url:
        hub = HubProcess(Path(tmp), async_mode="gevent", database_url=database_url).start()
        try:
            warm = requests.Session()
            for _ in range(5):
                numbers.append(issue(warm, hub.url)["number"])
            lobby = Screens(hub.url, screens)
            deadline = [0.0]

            def kiosk(i: int) -> None:
                nonlocal errors
                session = requests.Session()
                service = ("HT", "DD")[i % 2]
                while time.monotonic() < deadline[0]:
                    try:
                        numbers.append(issue(session, hub.url, service, key=True)["number"])
                    except requests.RequestException:
                        errors += 1

            spy = profile / f"kiosk-path-{database}.txt" if profile else None
            with profiled(hub.process.pid, spy):
                count_before = len(numbers)
                before = cpu_s(hub.process.pid)
                own_before = time.process_time()
                started = time.monotonic()
                deadline[0] = started + seconds
                Pool(kiosks).map(kiosk, range(kiosks))
                elapsed = time.monotonic() - started
                used = cpu_s(hub.process.pid) - before
                own = time.process_time() - own_before
            issued = len(numbers) - count_before
            lobby.close()
        finally:
            hub.stop()
    if profile:
        print(f"\nProfile, kiosk path, {kiosks} kiosks, {database}:\n")
        print(profile_top(profile / f"kiosk-path-{database}.txt"))
    return {
        "rate": issued / elapsed,
        "cpu_ms": used * 1000 / max(1, issued),
        "hub_busy": used / elapsed,
        "bench_busy": own / elapsed,
        "issued": issued,
        "duplicates": len(numbers) - len(set(numbers)),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--depths", default="0,500,1000,2000")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--profile", type=Path, default=None, help="folder for py-spy profiles")
    parser.add_argument("--skip-kiosks", action="store_true")
    parser.add_argument(
        "--kiosk-databases", default="sqlite", help="databases of the kiosk-path run (2.)"
    )
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    depths = [int(d) for d in args.depths.split(",")]
    rows = []
    for database in args.databases.split(","):
        rows += per_ticket(database, args.screens, depths, args.batch, args.profile)
    print(
        f"\nHub CPU per issued ticket, {args.screens} lobby screens, {args.batch} tickets "
        "per row, one client:\n"
    )
    print("| database | waiting | hub CPU per ticket | vs first row | wall per request (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for database in args.databases.split(","):
        mine = [r for r in rows if r["database"] == database]
        for r in mine:
            print(
                f"| {database} | {r['depth']} | {r['cpu_ms']:.1f} ms "
                f"| {r['cpu_ms'] / mine[0]['cpu_ms']:.2f}× | {r['wall_ms']:.1f} ms |"
            )
    if not args.skip_kiosks:
        runs = [
            (database, kiosk_rate(args.screens, args.kiosks, args.seconds, args.profile, database))
            for database in args.kiosk_databases.split(",")
        ]
        print(
            f"\nKiosk path, {args.kiosks} concurrent kiosk clients, {args.screens} "
            f"lobby screens, {args.seconds:g} s:\n"
        )
        print(
            "| database | tickets/s | hub CPU per ticket | hub busy | bench process busy "
            "| issued | duplicate numbers | errors |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for database, k in runs:
            print(
                f"| {database} | {k['rate']:.0f} | {k['cpu_ms']:.1f} ms | {k['hub_busy']:.0%} "
                f"| {k['bench_busy']:.0%} | {k['issued']} | {k['duplicates']} | {k['errors']} |"
            )


if __name__ == "__main__":
    main()
