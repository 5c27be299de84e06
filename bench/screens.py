"""Lobby screens in a process of their own, for benches whose load runs on threads.

    .venv/bin/python bench/screens.py URL N        (bench/soak.py starts it)

N python-socketio clients on gevent greenlets in one process.  Hundreds of
screens on OS threads inside the load generator's own process starve each
other of the GIL: a screen that does not answer the hub's ping within 15 s
drops and reconnects, and misses calls that the hub did send.  Prints
"ready" once every screen has its snapshot, waits for a line on stdin,
prints one JSON line {"received": [calls per screen], "drops": n}, closes
the screens and exits.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every screen is a greenlet

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import gevent.socket  # noqa: E402
import socketio  # noqa: E402
from gevent.pool import Pool  # noqa: E402

CONNECT_AT_ONCE = 50


def main() -> None:
    url, n = sys.argv[1], int(sys.argv[2])
    received = [0] * n
    subscribed = [False] * n
    state = {"drops": 0, "closing": False}
    clients = []

    def connect(i: int) -> None:
        client = socketio.Client(reconnection=True)

        def on_call(data) -> None:
            received[i] += 1

        def on_snapshot(data) -> None:
            subscribed[i] = True

        def on_disconnect(reason=None) -> None:
            if not state["closing"]:
                state["drops"] += 1

        client.on("connect", lambda: client.emit("subscribe", {"display": "lobby"}))
        client.on("snapshot", on_snapshot)
        client.on("call", on_call)
        client.on("disconnect", on_disconnect)
        client.connect(url, transports=["websocket"], wait_timeout=20)
        clients.append(client)

    Pool(CONNECT_AT_ONCE).map(connect, range(n))
    deadline = time.monotonic() + 60
    while not all(subscribed):
        if time.monotonic() > deadline:
            raise SystemExit(f"only {sum(subscribed)} of {n} screens got a snapshot")
        gevent.sleep(0.01)
    print("ready", flush=True)
    gevent.socket.wait_read(sys.stdin.fileno())
    sys.stdin.readline()
    print(json.dumps({"received": received, "drops": state["drops"]}), flush=True)
    state["closing"] = True
    Pool(CONNECT_AT_ONCE).map(lambda client: client.disconnect(), clients)


if __name__ == "__main__":
    main()
