"""Subscribes admitted at the rate the process can answer them.

After a hub restart every screen of every centre the process serves subscribes
within the same few seconds (hundreds in a province).  Each subscribe reads a
snapshot in a transaction of its own.  Let them all in at once and each holds a
pooled connection while it waits for the CPU: the pool runs dry, later ones wait
past the pool's timeout and are answered `database_unavailable`, and screens whose
answer came after their 10-second timeout (static/js/hub.js) ask again, so the
process builds snapshots nobody reads (docs/benchmarks.md: 70 s to bring 1,200
sockets back, 1,407 pool timeouts).

So a process builds at most `limit` snapshots at a time; the others wait at the
gate, first come first served, holding no connection.  A subscribe whose socket
asked again while it waited (the screen's answer timed out), or hung up, is
skipped when its turn comes: only the newest of a socket's subscribes is built.

The gate is a semaphore of the process's async mode: the threading module is
monkey-patched under gevent and eventlet, so waiting yields to other greenlets.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Not the whole pool: HTTP requests (kiosks, clerks) keep connections of their own.
DEFAULT_LIMIT = 4


class SubscribeGate:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = max(1, limit)
        self._slots = threading.BoundedSemaphore(self.limit)
        self._newest: dict[str, int] = {}  # socket → its newest subscribe's number
        self._numbers = itertools.count(1)
        self.skipped = 0  # superseded or gone while waiting (for the tests and benches)

    def run(self, sid: str, build: Callable[[], T], still_there: Callable[[], bool]) -> T | None:
        """`build()` when admitted; None (nothing built) when this socket asked again
        while this one waited, or is gone."""
        number = next(self._numbers)
        self._newest[sid] = number
        with self._slots:
            if self._newest.get(sid) != number or not still_there():
                self.skipped += 1
                return None
            try:
                return build()
            finally:
                if self._newest.get(sid) == number:
                    del self._newest[sid]

    def forget(self, sid: str) -> None:
        """The socket hung up: a subscribe of it still waiting will be skipped."""
        self._newest.pop(sid, None)
