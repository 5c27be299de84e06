"""Bench: 1, 2 and 4 hub processes behind one PostgreSQL and one Redis.

    .venv/bin/python bench/scale_out.py [--processes 1,2,4] [--repeat 3] [--screens 200]
        [--kiosks 32] [--issue-screens 10] [--seconds 15] [--presses 30] [--redis URL|private]

For each process count P, on a fresh PostgreSQL database (created on
MOTCUA_TEST_PG's server and dropped afterwards), starts P hubs as an operator
would (`motcua db upgrade`, then `motcua run`, gevent, MOTCUA_MESSAGE_QUEUE =
Redis, MOTCUA_DEVICES=0), each on its own port, as
tests/integration/test_scale_out.py does.  Then

1. connects --issue-screens lobby clients (python-socketio over WebSocket,
   gevent greenlets in this process) to the processes *other* than process 1
   (with P = 1 they share process 1); --kiosks kiosk loops spread round-robin
   over all P processes issue tickets for --seconds: tickets per second, and
   how busy the machine's CPUs were meanwhile, and the CPU time the hub
   processes spent per ticket (every ticket sends `queue` to every screen);
2. connects more screens, up to --screens, the same way, and presses "next"
   at counter 1 on process 1 --presses times, finishing each ticket before
   the next press: latency from just before the HTTP request to each screen's
   `call` handler (the event crosses Redis to reach the other processes).

Few screens while issuing: one Python process emulating hundreds of screens
spends more CPU than the hubs it measures (see next_to_display.py), and on
two cores that would measure the emulator.

Configurations run interleaved (1, 2, 4, 1, 2, 4, …) --repeat times, so a
noisy minute on a shared machine does not land on one configuration only.
The load generator runs on the same machine, so on few cores it competes
with the hubs, PostgreSQL and Redis for CPU.  Prints a Markdown table for
docs/benchmarks.md.

--redis private (the default) starts a throw-away `redis-server` on a free
port: Redis pub/sub channels are server-wide (not per database number), so a
shared Redis would carry this bench's calls to any other hub using it.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from tests.conftest import PG_ADMIN_URL, HubProcess, free_port  # noqa: E402

WARM_UP = 3  # presses not counted: first queries on each process
# At most 10 screens connecting and waiting for their snapshot at a time.  Every
# snapshot holds a pooled PostgreSQL connection while it is built; with no bound,
# 4 processes' pools (up to 40 connections each) outgrow PostgreSQL's default
# max_connections = 100 and subscribes fail with "too many clients already".
CONNECT_AT_ONCE = 10
EVENT_TIMEOUT_S = 60
SERVICES = ("HT", "DD")  # the test centre's uncapped fields


@contextmanager
def private_redis():
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server not found: pass --redis URL")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def scratch_database():
    import psycopg2

    name = f"motcua_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        # A new connection: the suite's crash tests may restart PostgreSQL meanwhile.
        admin = psycopg2.connect(PG_ADMIN_URL)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


class Screens:
    """Lobby screens spread over some hub URLs; records when each `call` arrived."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.n = 0
        self.calls: dict[str, list[float]] = {}
        self.events = 0
        self.snapshots = 0
        self.dropped = 0
        self.closing = False
        self.clients = []

    def add(self, n: int) -> "Screens":
        pool = Pool(CONNECT_AT_ONCE)
        for i in range(self.n, self.n + n):
            pool.spawn(self._connect, self.urls[i % len(self.urls)])
        pool.join(raise_error=True)
        self.n += n
        self.wait(
            lambda: self.snapshots >= self.n,
            f"snapshots ({self.snapshots} of {self.n}, "
            f"{sum(c.connected for c in self.clients)} connected)",
        )
        return self

    def _connect(self, url: str) -> None:
        client = socketio.Client(reconnection=False)
        subscribed = gevent.event.Event()

        def on_snapshot(data) -> None:
            subscribed.set()
            self._on_snapshot(data)

        client.on("connect", lambda: client.emit("subscribe", {"display": "lobby"}))
        client.on("snapshot", on_snapshot)
        client.on("call", self._on_call)
        client.on("*", self._on_other)
        client.on("disconnect", self._on_disconnect)
        client.connect(url, transports=["websocket"], wait_timeout=30)
        self.clients.append(client)
        subscribed.wait(EVENT_TIMEOUT_S)  # a failed subscribe is reported by add()

    def _on_snapshot(self, data) -> None:
        self.snapshots += 1

    def _on_call(self, data) -> None:
        self.calls.setdefault(data["number"], []).append(time.perf_counter())
        self.events += 1

    def _on_other(self, event, data=None) -> None:
        self.events += 1

    def _on_disconnect(self, reason=None) -> None:
        if not self.closing:
            self.dropped += 1

    def wait(self, done, what: str) -> None:
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            gevent.sleep(0.002)

    def settle(self, quiet_s: float = 0.1) -> None:
        """Wait until no event has arrived for quiet_s."""
        seen, quiet_since = self.events, time.monotonic()
        while time.monotonic() - quiet_since < quiet_s:
            gevent.sleep(0.01)
            if self.events != seen:
                seen, quiet_since = self.events, time.monotonic()

    def close(self) -> None:
        self.closing = True
        Pool(CONNECT_AT_ONCE).map(lambda c: c.disconnect(), self.clients)


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency_phase(hubs: list[HubProcess], screens: Screens, presses: int) -> list[float]:
    first = hubs[0]
    for i in range(WARM_UP + presses):
        requests.post(
            f"{hubs[i % len(hubs)].url}/api/v1/tickets", json={"service": "HT"}, timeout=10
        ).raise_for_status()
    clerk = first.session()
    screens.settle(0.5)
    latencies: list[float] = []
    for press in range(WARM_UP + presses):
        sent = time.perf_counter()
        called = clerk.post(f"{first.url}/api/v1/counters/1/next", timeout=30)
        called.raise_for_status()
        number = called.json()["number"]
        screens.wait(lambda number=number: len(screens.calls.get(number, ())) >= screens.n, "calls")
        if press >= WARM_UP:
            latencies += [(t - sent) * 1000 for t in screens.calls[number]]
        clerk.post(f"{first.url}/api/v1/counters/1/finish", timeout=30).raise_for_status()
        screens.settle()
    return latencies


def throughput_phase(hubs: list[HubProcess], kiosks: int, seconds: float) -> dict:
    issued = [0] * kiosks
    errors: list[tuple] = []
    start_at = time.perf_counter() + 0.2
    stop_at = start_at + seconds

    def kiosk(i: int) -> None:
        url = f"{hubs[i % len(hubs)].url}/api/v1/tickets"
        session = requests.Session()
        gevent.sleep(max(0.0, start_at - time.perf_counter()))
        while time.perf_counter() < stop_at:
            try:
                r = session.post(url, json={"service": SERVICES[i % len(SERVICES)]}, timeout=30)
            except requests.RequestException as error:
                errors.append(("exception", repr(error)[:200]))
                continue
            if r.status_code == 201:
                issued[i] += 1
            else:
                errors.append((r.status_code, r.text[:200]))

    busy0, total0 = cpu_times()
    hubs0 = sum(cpu_s(h.process.pid) for h in hubs)
    workers = [gevent.spawn(kiosk, i) for i in range(kiosks)]
    gevent.joinall(workers, raise_error=True)
    elapsed = time.perf_counter() - start_at
    busy1, total1 = cpu_times()
    hubs_cpu = sum(cpu_s(h.process.pid) for h in hubs) - hubs0
    return {
        "per_s": sum(issued) / elapsed,
        "hub_ms_per_ticket": hubs_cpu * 1000 / max(1, sum(issued)),
        "errors": errors,
        "cpu_busy": (busy1 - busy0) / max(1, total1 - total0),
    }


def run(processes: int, args, redis_url: str) -> dict:
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    result: dict = {"processes": processes, "errors": [], "dropped": 0}
    with scratch_database() as database_url, tempfile.TemporaryDirectory() as tmp:
        hubs: list[HubProcess] = []
        try:
            for _ in range(processes):
                hubs.append(
                    HubProcess(
                        Path(tmp), async_mode="gevent", database_url=database_url, env=env
                    ).start()
                )
            others = [h.url for h in hubs[1:]] or [hubs[0].url]
            screens = Screens(others)
            try:
                screens.add(args.issue_screens)
                result.update(throughput_phase(hubs, args.kiosks, args.seconds))
                screens.settle(0.5)
                screens.add(max(0, args.screens - args.issue_screens))
                latencies = latency_phase(hubs, screens, args.presses)
                result.update(median=statistics.median(latencies), p99=percentile(latencies, 99))
            except (SystemExit, Exception) as error:  # report it and go on with the next run
                result["failed"] = f"{error}; {hub_errors(hubs)}"
            finally:
                result["dropped"] = screens.dropped
                screens.close()
        finally:
            for hub in hubs:
                hub.stop()
    line = f"# P={processes}: "
    if "per_s" in result:
        line += (
            f"{result['per_s']:.1f} tickets/s, CPU {result['cpu_busy']:.0%}, "
            f"hubs' CPU {result['hub_ms_per_ticket']:.1f} ms/ticket, "
        )
    if "median" in result:
        line += f"next→display median {result['median']:.0f} ms p99 {result['p99']:.0f} ms, "
    line += f"{len(result['errors'])} errors, {result['dropped']} screens dropped"
    if "failed" in result:
        line += f", FAILED: {result['failed']}"
    print(line, file=sys.stderr, flush=True)
    return result


def hub_errors(hubs: list[HubProcess]) -> str:
    """The last error line each hub logged, for a run that failed."""
    found = []
    for i, hub in enumerate(hubs, 1):
        lines = [  # the last line of each traceback: "package.SomeError: message"
            line.strip()
            for line in hub.logs().splitlines()
            if re.match(r"[\w.]+(Error|Exception|Timeout)\b", line)
        ]
        if lines:
            found.append(f"hub {i}: {lines[-1][:300]}")
    return " | ".join(found) or "no error in the hubs' logs"


def spread(values: list[float], fmt: str) -> str:
    middle = format(statistics.median(values), fmt)
    if len(values) == 1:
        return middle
    return f"{middle} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--kiosks", type=int, default=32)
    parser.add_argument("--issue-screens", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--redis", default="private", help="Redis URL, or 'private' (default)")
    args = parser.parse_args()
    counts = [int(p) for p in args.processes.split(",")]
    results: dict[int, list[dict]] = {p: [] for p in counts}

    @contextmanager
    def given(url):
        yield url

    with private_redis() if args.redis == "private" else given(args.redis) as redis_url:
        for _ in range(args.repeat):
            for p in counts:
                results[p].append(run(p, args, redis_url))

    def values(rs: list[dict], key: str) -> list[float]:
        return [r[key] for r in rs if key in r]

    def cell(rs: list[dict], key: str, fmt: str, unit: str = "") -> str:
        found = values(rs, key)
        return f"{spread(found, fmt)}{unit}" if found else "—"

    base = values(results[counts[0]], "per_s")
    base_per_s = statistics.median(base) if base else 0.0
    print(
        f"| hub processes | tickets/s ({args.kiosks} kiosks, {args.issue_screens} screens) "
        f"| vs {counts[0]} | machine CPU busy | hubs' CPU per ticket "
        f"| next→display median ms ({args.screens} screens) | p99 ms | errors "
        "| screens dropped | runs failed |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for p in counts:
        rs = results[p]
        per_s = values(rs, "per_s")
        ratio = f"{statistics.median(per_s) / base_per_s:.2f}×" if per_s and base_per_s else "—"
        busy = values(rs, "cpu_busy")
        print(
            f"| {p} | {cell(rs, 'per_s', '.0f')} | {ratio} "
            f"| {f'{statistics.median(busy):.0%}' if busy else '—'} "
            f"| {cell(rs, 'hub_ms_per_ticket', '.1f', ' ms')} "
            f"| {cell(rs, 'median', '.0f')} | {cell(rs, 'p99', '.0f')} "
            f"| {sum(len(r['errors']) for r in rs)} | {sum(r['dropped'] for r in rs)} "
            f"| {sum('failed' in r for r in rs)} of {len(rs)} |"
        )
    print(f"\nmedian over {args.repeat} interleaved runs (min–max in brackets)")
    for p in counts:
        for r in results[p]:
            for error in r["errors"][:3]:
                print(f"error (P={p}):", error)
            if "failed" in r:
                print(f"failed (P={p}):", r["failed"])


if __name__ == "__main__":
    main()
