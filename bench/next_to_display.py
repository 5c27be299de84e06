"""Bench: a clerk's "next" → the `call` event at N connected lobby screens.

    .venv/bin/python bench/next_to_display.py [--clients 10,100,500,1000] [--presses 20]

For each N, starts a fresh hub as an operator would (`motcua run`, gevent,
SQLite, on 127.0.0.1), connects N lobby clients over WebSocket (python-socketio
clients on gevent greenlets in this one process), then presses "next" at
counter 1 `--presses` times, finishing each ticket before the next press.
Each latency is from just before the HTTP request is sent to the moment a
client's `call` handler runs; "first screen" is the earliest arrival of each
press (the fixed cost), the rest is fan-out.  CPU per press is what the hub
and this process (all N screens) used for one next + finish, i.e. five events
at every screen.  Memory is the hub's VmRSS after connecting N clients minus
before, per client.  Prints a Markdown table for docs/benchmarks.md.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import HubProcess  # noqa: E402

WARM_UP = 2  # presses not counted: first queries, first imports on the hub
CONNECT_AT_ONCE = 50
EVENT_TIMEOUT_S = 60


class Lobby:
    """N lobby screens; counts what arrives and when each `call` arrived."""

    def __init__(self, url: str, n: int):
        self.calls: dict[str, list[float]] = {}
        self.events = 0
        self.snapshots = 0
        self.clients = []
        pool = Pool(CONNECT_AT_ONCE)
        for _ in range(n):
            pool.spawn(self._connect, url)
        pool.join(raise_error=True)
        self.wait(lambda: self.snapshots >= n, "snapshots")

    def _connect(self, url: str) -> None:
        client = socketio.Client(reconnection=False)
        client.on("connect", lambda: client.emit("subscribe", {"display": "lobby"}))
        client.on("snapshot", self._on_snapshot)
        client.on("call", self._on_call)
        client.on("counter", self._on_event)
        client.on("queue", self._on_event)
        client.connect(url, transports=["websocket"], wait_timeout=30)
        self.clients.append(client)

    def _on_snapshot(self, data) -> None:
        self.snapshots += 1

    def _on_call(self, data) -> None:
        self.calls.setdefault(data["number"], []).append(time.perf_counter())
        self.events += 1

    def _on_event(self, data) -> None:
        self.events += 1

    def wait(self, done, what: str) -> None:
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            gevent.sleep(0.002)

    def close(self) -> None:
        Pool(CONNECT_AT_ONCE).map(lambda c: c.disconnect(), self.clients)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(n: int, presses: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp), async_mode="gevent").start()
        try:
            clerk = hub.session()
            for _ in range(WARM_UP + presses):
                requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
            gevent.sleep(1)  # let the hub settle before the baseline
            before = rss_kib(hub.process.pid)
            started = time.monotonic()
            lobby = Lobby(hub.url, n)
            connect_s = time.monotonic() - started
            gevent.sleep(1)
            per_client = (rss_kib(hub.process.pid) - before) / n
            latencies: list[float] = []
            firsts: list[float] = []
            hub_cpu, own_cpu = cpu_s(hub.process.pid), time.process_time()
            # Each press makes 3 events at every screen (call, counter, queue), each finish 2.
            for press in range(WARM_UP + presses):
                sent = time.perf_counter()
                called = clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=30)
                number = called.json()["number"]
                lobby.wait(lambda number=number: len(lobby.calls.get(number, ())) >= n, "calls")
                if press == WARM_UP:
                    hub_cpu, own_cpu = cpu_s(hub.process.pid), time.process_time()
                if press >= WARM_UP:
                    latencies += [(t - sent) * 1000 for t in lobby.calls[number]]
                    firsts.append((min(lobby.calls[number]) - sent) * 1000)
                clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=30).raise_for_status()
                lobby.wait(lambda press=press: lobby.events >= 5 * n * (press + 1), "events")
            hub_cpu = cpu_s(hub.process.pid) - hub_cpu
            own_cpu = time.process_time() - own_cpu
            lobby.close()
        finally:
            hub.stop()
    return {
        "n": n,
        "median": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "first": statistics.median(firsts),
        "hub_cpu_ms": hub_cpu * 1000 / presses,
        "client_cpu_ms": own_cpu * 1000 / presses,
        "kib_per_client": per_client,
        "connect_s": connect_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10,100,500,1000")
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    rows = [run(int(n), args.presses) for n in args.clients.split(",")]
    print(
        "| screens | first screen ms | median ms | p99 ms | max ms | hub CPU per press "
        "| screens' CPU per press | hub RSS per screen | connect all |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for r in rows:
        print(
            f"| {r['n']} | {r['first']:.0f} | {r['median']:.0f} | {r['p99']:.0f} "
            f"| {r['max']:.0f} | {r['hub_cpu_ms']:.0f} ms | {r['client_cpu_ms']:.0f} ms "
            f"| {r['kib_per_client']:.0f} KiB | {r['connect_s']:.1f} s |"
        )


if __name__ == "__main__":
    main()
