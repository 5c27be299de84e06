"""Bench: tap → last byte at the printer, and tickets per second while printing.

    .venv/bin/python bench/printing.py [--tickets 40] [--seconds 10]

Starts a real hub (gevent, SQLite) with four virtual network printers on
127.0.0.1 (tests/devices/virtual_printer.py), then
1. issues tickets one at a time at kiosk-1 (80 mm, raster) and times each
   from the POST to the ESC/POS cut arriving at the printer;
2. issues from 4 kiosks at once for --seconds and counts tickets per second,
   and how long the printers took to catch up.
Prints a table; the figures and the command go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402
from tests.devices.escpos_decode import cuts  # noqa: E402
from tests.devices.virtual_printer import VirtualPrinter  # noqa: E402
from tests.support.devices import centre_with_printers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    printers = {f"kiosk-{i}": VirtualPrinter().start() for i in range(1, 5)}
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(
            Path(tmp), async_mode="gevent", config=centre_with_printers(Path(tmp), printers)
        ).start()
        try:
            session = requests.Session()
            first = printers["kiosk-1"]
            latencies = []
            for i in range(args.tickets):
                started = time.perf_counter()
                session.post(
                    f"{hub.url}/api/v1/tickets",
                    json={"service": "HT", "kiosk": "kiosk-1"},
                    timeout=10,
                ).raise_for_status()
                while len(cuts(first.received)) < i + 1:
                    if time.perf_counter() - started > 20:
                        raise SystemExit("printer never received the ticket")
                    time.sleep(0.001)
                latencies.append((time.perf_counter() - started) * 1000)

            def kiosk_loop(name: str) -> int:
                own = requests.Session()
                count, deadline = 0, time.perf_counter() + args.seconds
                while time.perf_counter() < deadline:
                    own.post(
                        f"{hub.url}/api/v1/tickets",
                        json={"service": "DD", "kiosk": name},
                        timeout=10,
                    ).raise_for_status()
                    count += 1
                return count

            before = {n: len(cuts(p.received)) for n, p in printers.items()}
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                issued = dict(zip(printers, pool.map(kiosk_loop, printers), strict=True))
            issuing_s = time.perf_counter() - started
            while any(len(cuts(p.received)) - before[n] < issued[n] for n, p in printers.items()):
                if time.perf_counter() - started > args.seconds + 120:
                    raise SystemExit("printers did not catch up")
                time.sleep(0.01)
            caught_up_s = time.perf_counter() - started
        finally:
            hub.stop()
            for p in printers.values():
                p.stop()
    total = sum(issued.values())
    print("| measure | value |")
    print("| --- | --- |")
    print(
        f"| tap → last byte at printer, median (80 mm raster, {args.tickets} tickets) | "
        f"{statistics.median(latencies):.0f} ms |"
    )
    print(f"| tap → last byte at printer, p95 | {percentile(latencies, 95):.0f} ms |")
    print(
        f"| tickets issued per second, 4 kiosks printing at once ({args.seconds:.0f} s) | "
        f"{total / issuing_s:.1f} |"
    )
    print(f"| all {total} tickets printed after | {caught_up_s:.1f} s |")


if __name__ == "__main__":
    main()
