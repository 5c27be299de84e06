"""Bench: a clerk's "next" → the `call` event at N connected lobby screens.

    .venv/bin/python bench/next_to_display.py [--clients 10,100,500,1000] [--presses 20]
        [--waiting 0,2000] [--profile DIR]

For each N, starts a fresh hub as an operator would (`motcua run`, gevent,
SQLite, on 127.0.0.1), connects N lobby clients over WebSocket (python-socketio
clients on gevent greenlets in this one process), then presses "next" at
counter 1 `--presses` times, finishing each ticket before the next press.
Each latency is from just before the HTTP request is sent to the moment a
client's `call` handler runs; "first screen" is the earliest arrival of each
press (the fixed cost), the rest is fan-out.  CPU per press is what the hub
(utime + stime from /proc) and this process (all N screens) used for one next +
finish; "events per screen" counts every event a lobby screen received for it.
--waiting leaves that many more tickets waiting behind the called ones (the
queue length a press must not pay for).  "Less the idle hub's" subtracts what the hub
spends with the same screens connected and nothing pressed (their pings, engine.io's
timers; measured for IDLE_S first) over the presses' wall time: the press's own cost.
Memory is the hub's VmRSS after
connecting N clients minus before, per client.  With --profile, py-spy samples
the hub during the presses.  Prints a Markdown table for docs/benchmarks.md.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Screens, cpu_s, percentile, profile_top, profiled, rss_kib  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402

WARM_UP = 2  # presses not counted: first queries, first imports on the hub
SETTLE_S = 0.5  # after the last finish: its events reach the screens before CPU is read
IDLE_S = 5.0  # the hub's CPU with the screens connected and no press, per second


def run(n: int, presses: int, waiting: int = 0, profile: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp), async_mode="gevent").start()
        try:
            clerk = hub.session()
            kiosks = [requests.Session() for _ in range(4)]
            Pool(4).map(
                lambda i: (
                    kiosks[i % 4]
                    .post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=30)
                    .raise_for_status()
                ),
                range(WARM_UP + presses + waiting),
            )
            gevent.sleep(1)  # let the hub settle before the baseline
            before = rss_kib(hub.process.pid)
            started = time.monotonic()
            lobby = Screens(hub.url, n)
            connect_s = time.monotonic() - started
            gevent.sleep(1)
            per_client = (rss_kib(hub.process.pid) - before) / n
            idle_cpu = cpu_s(hub.process.pid)
            gevent.sleep(IDLE_S)  # the screens' pings and engine.io's own timers, no press
            idle_cpu_per_s = (cpu_s(hub.process.pid) - idle_cpu) / IDLE_S
            latencies: list[float] = []
            firsts: list[float] = []
            spy = profile / f"press-{n}-{waiting}.txt" if profile else None
            with profiled(hub.process.pid, spy):
                for press in range(WARM_UP + presses):
                    if press == WARM_UP:
                        gevent.sleep(SETTLE_S)
                        hub_cpu, own_cpu = cpu_s(hub.process.pid), time.process_time()
                        window = time.monotonic()
                        seen = sum(lobby.events.values())
                    sent = time.perf_counter()
                    called = clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=30)
                    number = called.json()["number"]
                    lobby.wait(lambda number=number: len(lobby.calls.get(number, ())) >= n, "calls")
                    if press >= WARM_UP:
                        latencies += [(t - sent) * 1000 for t in lobby.calls[number]]
                        firsts.append((min(lobby.calls[number]) - sent) * 1000)
                    clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=30).raise_for_status()
                gevent.sleep(SETTLE_S)
                hub_cpu = cpu_s(hub.process.pid) - hub_cpu
                window = time.monotonic() - window
                own_cpu = time.process_time() - own_cpu
            events = sum(lobby.events.values()) - seen
            lobby.close()
        finally:
            hub.stop()
    if profile:
        print(f"\nProfile, {n} screens, {waiting} waiting, {presses} presses:\n")
        print(profile_top(spy))
    return {
        "n": n,
        "waiting": waiting,
        "median": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "first": statistics.median(firsts),
        "hub_cpu_ms": hub_cpu * 1000 / presses,
        "idle_cpu_ms_per_s": idle_cpu_per_s * 1000,
        "net_cpu_ms": (hub_cpu - idle_cpu_per_s * window) * 1000 / presses,
        "client_cpu_ms": own_cpu * 1000 / presses,
        "events_per_screen": events / (n * presses),
        "kib_per_client": per_client,
        "connect_s": connect_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10,100,500,1000")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--waiting", default="0", help="queue lengths besides the called ones")
    parser.add_argument("--profile", type=Path, default=None, help="folder for py-spy profiles")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    rows = [
        run(int(n), args.presses, int(w), args.profile)
        for w in args.waiting.split(",")
        for n in args.clients.split(",")
    ]
    print(
        "\n| screens | waiting | first screen ms | median ms | p99 ms | max ms "
        "| hub CPU per press | less the idle hub's | hub idle CPU per s "
        "| events per screen per press | screens' CPU per press "
        "| hub RSS per screen | connect all |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for r in rows:
        print(
            f"| {r['n']} | {r['waiting']} | {r['first']:.0f} | {r['median']:.0f} | {r['p99']:.0f} "
            f"| {r['max']:.0f} | {r['hub_cpu_ms']:.1f} ms | {r['net_cpu_ms']:.1f} ms "
            f"| {r['idle_cpu_ms_per_s']:.0f} ms | {r['events_per_screen']:.1f} "
            f"| {r['client_cpu_ms']:.0f} ms | {r['kib_per_client']:.0f} KiB | {r['connect_s']:.1f} s |"
        )


if __name__ == "__main__":
    main()
