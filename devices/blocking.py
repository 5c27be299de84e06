"""Running blocking calls (serial reads, printer sockets, USB, image rendering)
in a real OS thread so that the hub's event loop keeps serving.

It lives with the devices (their workers need it) and imports nothing of the
hub: the async mode is read from the monkey-patching already done in this
process (`async_mode`), which is what kiosk.asyncmode reports too.

Under gevent and eventlet every `threading.Thread` is a greenlet after
monkey-patching, so a C-level blocking call (a pyserial read, a socket send to
a hung printer done by a C library, Pillow rendering) would freeze every
client.  `run_blocking` hands the call to the async library's native thread
pool and waits for it cooperatively; in threading mode the caller already is
a real thread, so the call runs in a small executor all the same, which keeps
timeouts and behaviour identical in every mode.
"""

from __future__ import annotations

import concurrent.futures
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_executor: concurrent.futures.ThreadPoolExecutor | None = None
_gevent_pool = None


def async_mode() -> str:
    """ "gevent" or "eventlet" when that library has patched `socket` in this process,
    else "threading".  Looks only at libraries already loaded: importing one just to
    ask would be a side effect."""
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("socket"):
        return "gevent"
    eventlet_patcher = sys.modules.get("eventlet.patcher")
    if eventlet_patcher is not None and eventlet_patcher.is_monkey_patched("socket"):
        return "eventlet"
    return "threading"


def _thread_executor() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=16, thread_name_prefix="blocking"
        )
    return _executor


def run_blocking(fn: Callable[..., T], *args, **kwargs) -> T:
    """Call fn(*args, **kwargs) in a native OS thread and return its result (or raise its error)."""
    mode = async_mode()
    if mode == "gevent":
        global _gevent_pool
        if _gevent_pool is None:
            from gevent.threadpool import ThreadPool

            # Its own pool, not the hub's default of 10, so DNS lookups never wait behind devices.
            _gevent_pool = ThreadPool(32)
        # gevent's pool prints the traceback of every exception it passes on: a scanner
        # that is unplugged would log one every retry.  Carry the error across instead.
        ok, value = _gevent_pool.apply(_outcome, (fn, args, kwargs))
        if not ok:
            raise value
        return value
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args, **kwargs)
    return _thread_executor().submit(fn, *args, **kwargs).result()


def _outcome(fn: Callable[..., T], args: tuple, kwargs: dict) -> tuple[bool, object]:
    try:
        return True, fn(*args, **kwargs)
    except Exception as error:
        return False, error


def spawn(fn: Callable[..., object], *args, **kwargs):
    """Start fn as a cooperative background task in the current async mode (greenlet or thread)."""
    mode = async_mode()
    if mode == "gevent":
        import gevent

        return gevent.spawn(fn, *args, **kwargs)
    if mode == "eventlet":
        import eventlet

        return eventlet.spawn(fn, *args, **kwargs)
    import threading

    thread = threading.Thread(target=fn, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


class Loop:
    """A device worker's background loop (a printer's, a scanner's): `_run` runs as a
    greenlet or thread once started and sets `_done` when it has ended and let go of its
    device; `stop` is the worker's own, then waits for that with `_join`."""

    def __init__(self) -> None:
        import threading

        # Created here, not at import, so under gevent/eventlet it is the patched, cooperative kind.
        self._done = threading.Event()
        self._task = None

    def _run(self) -> None:
        raise NotImplementedError

    def start(self):
        """Start the loop as a greenlet or thread (spawn); returns the worker."""
        self._task = spawn(self._run)
        return self

    def _join(self, wait_s: float) -> None:
        """Wait, at most `wait_s`, for a started loop to end."""
        if self._task is not None:
            self._done.wait(wait_s)


def sleep(seconds: float) -> None:
    """Cooperative sleep (time.sleep is patched under gevent/eventlet, so this is just clarity)."""
    import time

    time.sleep(seconds)
