"""Bench: the CPU one ticket, one press and one lobby snapshot cost, in this process.

    .venv/bin/python bench/cpu_per_operation.py [--waiting 200] [--n 200] [--rounds 3]
        [--profile issue|press|snapshot|subscribe]

The hub's Flask app in this process (Flask's test client, Socket.IO's test client; a
copy of the test centre's template database on SQLite: 24 counters, 3 fields; no
devices, no screens connected), --waiting tickets waiting, then, --rounds times:

- issue: `POST /api/v1/tickets` as a kiosk sends it (field HT, an Idempotency-Key);
- press: `next` then `finish` at counter 1 (`/api/v1/counters/1/…`, a bearer token);
- snapshot: the lobby snapshot alone (`QueueReader.public_snapshot` in a read
  transaction), the part of a subscribe that reads the queue;
- subscribe: a lobby screen's `subscribe` over Socket.IO's test client (snapshot,
  device states, encoding).

CPU is `time.process_time()` of this process per operation: what the hub spends
minus the HTTP parsing and the sends to real sockets (bench/issuing.py,
next_to_display.py and subscribe.py measure a real hub from outside).  The machine
is shared: each row is the lowest of the rounds, and an A/B runs both trees one
after the other (docs/benchmarks.md).  Runs the `kiosk` of the tree it lives in.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.hubs import ADMIN, TEST_CENTRE, copy_template, hub_config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--n", type=int, default=200, help="issues per round (presses: n/4)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("issue", "press", "snapshot", "subscribe"))
    args = parser.parse_args()

    from kiosk.app import create_app
    from kiosk.extensions import socketio
    from kiosk.runtime.bootstrap import open_hub
    from kiosk.usecases.read_models import QueueReader

    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    url = f"sqlite:///{tmp / 'hub.db'}"
    copy_template(url, TEST_CENTRE)
    config = hub_config(tmp, url, TEST_CENTRE)
    config.auto_migrate = False
    config.devices_enabled = False
    config.testing = True
    hub = open_hub(config)
    app = create_app(config, hub)
    client = app.test_client()
    anonymous = app.test_client(use_cookies=False)
    token = anonymous.post(
        "/api/v1/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]}
    ).get_json()["token"]
    clerk = {"Authorization": f"Bearer {token}"}
    screen = socketio.test_client(app, flask_test_client=client)

    def issue() -> None:
        answer = client.post(
            "/api/v1/tickets",
            json={"service": "HT"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)

    def press() -> None:
        for action in ("next", "finish"):
            answer = client.post(f"/api/v1/counters/1/{action}", headers=clerk)
            assert answer.status_code == 200, answer.get_data(as_text=True)

    def snapshot() -> None:
        with hub.ctx.store.read() as session:
            QueueReader(hub.ctx, session).public_snapshot()

    def subscribe() -> None:
        screen.emit("subscribe", {"display": "lobby"}, callback=True)
        assert screen.get_received()[-1]["name"] == "snapshot"

    for _ in range(args.waiting):
        issue()
    for _ in range(3):  # warm-up: first queries, first imports
        press(), snapshot(), subscribe()
    operations = {
        "issue": (issue, args.n),
        "press": (press, max(1, args.n // 4)),
        "snapshot": (snapshot, max(1, args.n // 2)),
        "subscribe": (subscribe, max(1, args.n // 2)),
    }
    if args.profile:
        from pyinstrument import Profiler

        run, n = operations[args.profile]
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(n):
            run()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
        return
    costs: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(args.rounds):
        for name, (run, n) in operations.items():
            started = time.process_time()
            for _ in range(n):
                run()
            costs[name].append((time.process_time() - started) * 1000 / n)
    print(f"\nCPU per operation, in process, {args.waiting}+ waiting, lowest of {args.rounds}:\n")
    print("| operation | CPU (lowest) | CPU (median) |")
    print("| --- | ---: | ---: |")
    for name, values in costs.items():
        values.sort()
        print(f"| {name} | {values[0]:.2f} ms | {values[len(values) // 2]:.2f} ms |")


if __name__ == "__main__":
    main()
