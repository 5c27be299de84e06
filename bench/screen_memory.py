"""Bench: where a connected lobby screen's memory goes in the hub.

    .venv/bin/python bench/screen_memory.py [--screens 500]

Runs `motcua run` (gevent, SQLite, the test centre) in this process with tracemalloc
on, connects --screens lobby screens from a process of their own (bench/screens.py:
python-socketio clients that subscribe as lobby TVs), and compares what Python's
allocators hold after they are all subscribed with before: the total per screen, by
the library that asked for it (the innermost frame of a known package), the objects
by type, and the greenlets.  RSS is read beside it (tracemalloc's own bookkeeping
adds to RSS: take the per-screen RSS from bench/next_to_display.py, which runs
without it).  Prints Markdown tables for docs/benchmarks.md.
"""

from kiosk import asyncmode

asyncmode.apply("gevent")  # before anything else is imported, as `motcua run`

import argparse  # noqa: E402
import collections  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gevent  # noqa: E402
import greenlet  # noqa: E402
import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import rss_kib  # noqa: E402
from tests.support.hubs import TEST_CENTRE, TEST_ENV, free_port  # noqa: E402

PACKAGES = (
    "simple_websocket",
    "wsproto",
    "engineio",
    "socketio",
    "flask_socketio",
    "gevent",
    "werkzeug",
    "flask",
    "h11",
    "kiosk",
    "sqlalchemy",
)


def owner(trace: tracemalloc.Traceback) -> str:
    """The package of the innermost frame that belongs to a known one (else the file)."""
    for frame in trace:  # most recent frame first
        parts = Path(frame.filename).parts
        for package in PACKAGES:
            if package in parts:
                return package
    return Path(trace[0].filename).name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp())
    os.environ.update(TEST_ENV)
    os.environ["MOTCUA_DATABASE_URL"] = f"sqlite:///{tmp / 'hub.db'}"
    os.environ["MOTCUA_INSTANCE"] = str(tmp / "instance")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    from kiosk.cli import cmd_run

    gevent.spawn(cmd_run, SimpleNamespace(config=str(TEST_CENTRE), host="127.0.0.1", port=port))
    session = requests.Session()
    deadline = time.monotonic() + 60
    while True:
        try:
            if session.get(f"{url}/healthz", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the hub did not start")
        gevent.sleep(0.2)
    # One screen first: its imports and first snapshot are not a screen's share.
    warm = screens_process(url, 1)
    gevent.sleep(1)
    gc.collect()
    tracemalloc.start(25)
    greenlets_before = count_greenlets()
    types_before = collections.Counter(type(o).__name__ for o in gc.get_objects())
    before, rss_before = tracemalloc.take_snapshot(), rss_kib(os.getpid())

    screens = screens_process(url, args.screens)
    gevent.sleep(2)
    gc.collect()
    after, rss_after = tracemalloc.take_snapshot(), rss_kib(os.getpid())
    greenlets_after = count_greenlets()
    types_after = collections.Counter(type(o).__name__ for o in gc.get_objects())
    n = args.screens

    by_owner: collections.Counter = collections.Counter()
    for stat in after.compare_to(before, "traceback"):
        by_owner[owner(stat.traceback)] += stat.size_diff
    traced = sum(by_owner.values())
    print(f"\n{n} lobby screens (python-socketio clients), gevent, SQLite\n")
    print("| | per screen |")
    print("| --- | ---: |")
    print(f"| RSS (with tracemalloc's own bookkeeping) | {(rss_after - rss_before) / n:.1f} KiB |")
    print(f"| held by Python's allocators (tracemalloc) | {traced / n / 1024:.1f} KiB |")
    print(f"| greenlets | {(greenlets_after - greenlets_before) / n:.2f} |")
    print("\n| allocated by (innermost known package) | KiB per screen | share |")
    print("| --- | ---: | ---: |")
    for name, size in by_owner.most_common(12):
        print(f"| {name} | {size / n / 1024:.1f} | {size / traced:.0%} |")
    print("\n| objects by type | per screen |")
    print("| --- | ---: |")
    grown = {k: types_after[k] - types_before.get(k, 0) for k in types_after}
    for name, count in sorted(grown.items(), key=lambda kv: -kv[1])[:15]:
        print(f"| {name} | {count / n:.1f} |")
    print("\n| allocation site (file:line) | KiB per screen |")
    print("| --- | ---: |")
    for stat in after.compare_to(before, "lineno")[:15]:
        frame = stat.traceback[0]
        where = "/".join(Path(frame.filename).parts[-2:])
        print(f"| {where}:{frame.lineno} | {stat.size_diff / n / 1024:.1f} |")
    screens.stdin.write("done\n")
    screens.stdin.flush()
    warm.stdin.write("done\n")
    warm.stdin.flush()
    screens.wait(60)
    warm.wait(60)
    os._exit(0)  # the hub's greenlets: nothing to stop cleanly in a bench


def screens_process(url: str, n: int) -> subprocess.Popen:
    """bench/screens.py with n lobby screens, once every one has its snapshot."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/screens.py"), url, str(n)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if line.strip() != "ready":
        raise SystemExit(f"screens: {line!r}")
    return process


def count_greenlets() -> int:
    return sum(isinstance(o, greenlet.greenlet) for o in gc.get_objects())


if __name__ == "__main__":
    main()
