"""What the hub benches share: a process's CPU and memory from /proc, lobby screens on
gevent greenlets, and py-spy profiles of a running hub summarised as Markdown.

The benches measure the hub's *own* CPU (utime + stime of its process) beside wall
time: the machine is shared, and a wall-clock figure moves with everyone else's load
while the hub's CPU per operation does not.  Import after gevent's monkey.patch_all().
"""

from __future__ import annotations

import collections
import os
import random
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import gevent
import gevent.event
import socketio
from gevent.pool import Pool

CONNECT_AT_ONCE = 50
EVENT_TIMEOUT_S = 60


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Screens:
    """N lobby screens (python-socketio clients over WebSocket, one greenlet each).
    Counts every event by name, and when each `call` arrived."""

    def __init__(
        self, url: str, n: int, *, reconnect: bool = False, at_once: int = CONNECT_AT_ONCE
    ):
        self.n = n
        self.events: collections.Counter = collections.Counter()
        self.calls: dict[str, list[float]] = {}
        self.idle_counters = 0  # `counter` events saying a counter holds nobody
        self.snapshots = 0
        self.served: set[int] = set()  # screens that got a snapshot (cleared by the bench)
        self.connected: set[int] = set()  # screens connected now
        self.refusals = 0  # subscribe answered with an error
        self.refused: collections.Counter = collections.Counter()  # by error
        self.clients: list[socketio.Client] = []
        pool = Pool(at_once)
        for _ in range(n):
            pool.spawn(self._connect, url, reconnect)
        pool.join(raise_error=True)
        self.wait(lambda: self.snapshots >= n, "snapshots")

    def _connect(self, url: str, reconnect: bool) -> None:
        client = socketio.Client(reconnection=reconnect, reconnection_delay_max=2)

        def subscribe(attempt: int = 0) -> None:
            """As static/js/hub.js: asked again after 1, 2, 4… up to 15 s (with jitter)
            when refused with `database_unavailable` or not answered in 10 s."""

            def ask() -> None:
                try:
                    answer = client.call("subscribe", {"display": "lobby"}, timeout=10)
                except socketio.exceptions.TimeoutError:
                    answer = {"error": "no answer in 10 s"}
                except socketio.exceptions.SocketIOError:
                    return  # disconnected: the next connect asks again
                if not isinstance(answer, dict):
                    answer = {"error": repr(answer)}
                self._answered(answer)
                if not answer.get("ok") and answer.get("error") in (
                    "database_unavailable",
                    "no answer in 10 s",
                ):
                    gevent.sleep(min(15, 2**attempt) * random.uniform(0.75, 1.25))
                    subscribe(attempt + 1)

            gevent.spawn(ask)

        def connected() -> None:
            self.connected.add(id(client))
            subscribe()

        client.on("connect", connected)
        client.on("disconnect", lambda *_: self.connected.discard(id(client)))
        client.on("snapshot", lambda data: self._on_snapshot(data, client))
        client.on("call", self._on_call)
        client.on("*", self._on_other)
        client.connect(url, transports=["websocket"], wait_timeout=30)
        self.clients.append(client)

    def _answered(self, answer=None) -> None:
        if not (isinstance(answer, dict) and answer.get("ok")):
            self.refusals += 1
            self.refused[answer.get("error") if isinstance(answer, dict) else repr(answer)] += 1

    def _on_snapshot(self, data, client=None) -> None:
        self.snapshots += 1
        self.served.add(id(client))
        self.events["snapshot"] += 1

    def _on_call(self, data) -> None:
        self.calls.setdefault(data["number"], []).append(time.perf_counter())
        self.events["call"] += 1

    def _on_other(self, event, data=None) -> None:
        self.events[event] += 1
        if event == "counter" and isinstance(data, dict) and data.get("current") is None:
            self.idle_counters += 1

    def wait(self, done, what: str, timeout: float = EVENT_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"timed out waiting for {what} ({len(self.connected)} of {self.n} "
                    f"screens connected, events {dict(self.events)})"
                )
            gevent.sleep(0.002)

    def close(self) -> None:
        Pool(CONNECT_AT_ONCE).map(lambda c: c.disconnect(), self.clients)


@contextmanager
def profiled(pid: int, path: Path | None, rate: int = 200):
    """py-spy samples the hub process while the block runs; collapsed stacks in `path`."""
    if path is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(os.sys.executable).parent / "py-spy")
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
        + ["--output", str(path), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)  # py-spy attaches
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def profile_top(path: Path, n: int = 10) -> str:
    """The profile's top entries as a Markdown table: the hub's own functions (kiosk/) by
    the share of samples in which they are on the stack, then any function by the share
    in which it is at the top (where the CPU actually goes).  Samples of the gevent hub
    waiting for work are left out, so shares are of the time the hub was busy."""
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [_short(f) for f in stack.split(";")]
        if frames[-1].startswith(("gevent/hub.py", "gevent/_hub")):
            continue  # waiting for work
        samples = int(count)
        total += samples
        for name in {f for f in frames if f.startswith("kiosk/")}:
            inclusive[name] += samples
        own[frames[-1]] += samples
    lines = ["| on stack (kiosk/) | share | at top (any) | share |", "| --- | ---: | --- | ---: |"]
    for (name, samples), (top, top_samples) in zip(
        inclusive.most_common(n), own.most_common(n), strict=False
    ):
        lines.append(f"| `{name}` | {samples / total:.0%} | `{top}` | {top_samples / total:.0%} |")
    lines.append(f"| busy samples | {total} | | |")
    return "\n".join(lines)


def _short(frame: str) -> str:
    """'issue_ticket (kiosk/usecases/tickets.py:123)' → 'kiosk/usecases/tickets.py:issue_ticket'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/kiosk/", "/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            if marker == "/kiosk/":
                where = "kiosk/" + where
            break
    return f"{where}:{name}"
