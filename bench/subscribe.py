"""Bench: what a lobby subscribe costs the hub, and a reconnect storm after a restart.

    .venv/bin/python bench/subscribe.py [--databases sqlite,postgres] [--waiting 200]
        [--subscribes 200] [--screens 1000]

1. Snapshot: a fresh hub (`motcua run`, gevent) with the test centre's 24 counters and
   --waiting tickets waiting; one lobby client subscribes --subscribes times, one after
   another: the hub's CPU (utime + stime from /proc) per subscribe, snapshot included.
2. Storm: --screens lobby screens (python-socketio clients that reconnect by themselves,
   greenlets in this process) are connected; the hub is stopped and started again on
   the same port and database, as after an upgrade.  Time from the new hub answering
   /healthz until every screen has its new snapshot, and subscribes refused.
Prints Markdown tables for docs/benchmarks.md.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Screens, cpu_s  # noqa: E402
from bench.scale_out import scratch_database  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402

STORM_LIMIT_S = 120


def snapshot_cost(hub: HubProcess, subscribes: int) -> float:
    client = socketio.Client(reconnection=False)
    got = gevent.event.Event()
    client.on("snapshot", lambda data: got.set())
    client.connect(hub.url, transports=["websocket"], wait_timeout=30)

    def once() -> None:
        got.clear()
        client.emit("subscribe", {"display": "lobby"})
        if not got.wait(30):
            raise SystemExit("no snapshot")

    for _ in range(10):  # warm-up
        once()
    before = cpu_s(hub.process.pid)
    for _ in range(subscribes):
        once()
    used = cpu_s(hub.process.pid) - before
    client.disconnect()
    return used * 1000 / subscribes


def run(database: str, waiting: int, subscribes: int, screens: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = scratch_database() if database == "postgres" else nullcontext()
        with scratch as url:
            hub = HubProcess(Path(tmp), async_mode="gevent", database_url=url).start()
            lobby = None
            try:
                sessions = [requests.Session() for _ in range(4)]
                Pool(4).map(
                    lambda i: (
                        sessions[i % 4]
                        .post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=30)
                        .raise_for_status()
                    ),
                    range(waiting),
                )
                cpu_ms = snapshot_cost(hub, subscribes)
                print(
                    f"  {database}: {cpu_ms:.1f} ms of hub CPU per lobby subscribe", file=sys.stderr
                )
                lobby = Screens(hub.url, screens, reconnect=True)
                hub.stop()
                lobby.served.clear()
                lobby.refusals = 0
                lobby.refused.clear()
                hub = HubProcess(
                    Path(tmp), async_mode="gevent", database_url=hub.database_url, port=hub.port
                ).start()
                ready = time.monotonic()
                cpu_ready = cpu_s(hub.process.pid)
                deadline = ready + STORM_LIMIT_S
                connected_s = None
                while len(lobby.served) < screens and time.monotonic() < deadline:
                    if connected_s is None and len(lobby.connected) >= screens:
                        connected_s = time.monotonic() - ready
                    gevent.sleep(0.01)
                storm_s = time.monotonic() - ready
                storm_cpu = cpu_s(hub.process.pid) - cpu_ready
                print(
                    f"  storm: all connected after {connected_s or storm_s:.1f} s, "
                    f"all subscribed after {storm_s:.1f} s, hub CPU {storm_cpu:.1f} s",
                    file=sys.stderr,
                )
                served = len(lobby.served)
                refusals = dict(lobby.refused)
            finally:
                if lobby is not None:
                    lobby.close()
                hub.stop()
    return {
        "database": database,
        "cpu_ms": cpu_ms,
        "storm_s": storm_s,
        "storm_cpu": storm_cpu,
        "connected_s": connected_s or storm_s,
        "served": served,
        "screens": screens,
        "refusals": refusals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--subscribes", type=int, default=200)
    parser.add_argument("--screens", type=int, default=1000)
    args = parser.parse_args()
    rows = [run(d, args.waiting, args.subscribes, args.screens) for d in args.databases.split(",")]
    print(
        f"\n| database | hub CPU per lobby subscribe ({args.waiting} waiting, 24 counters) "
        f"| {args.screens} screens: all connected again after a restart | all subscribed "
        "| hub CPU in the storm | served | refused |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['database']} | {r['cpu_ms']:.1f} ms | {r['connected_s']:.1f} s "
            f"| {r['storm_s']:.1f} s | {r['storm_cpu']:.1f} s "
            f"| {r['served']} of {r['screens']} | {r['refusals'] or 0} |"
        )


if __name__ == "__main__":
    main()
