"""Run two PrinterWorkers under gevent or eventlet and measure whether the event loop stalls.

Started by test_printer_async.py in a fresh interpreter (monkey-patching must
come first): `python async_probe.py MODE HUNG_PORT GOOD_PORT`.  A greenlet
ticks every 10 ms while one worker is stuck on a printer that never reads and
the other prints; the largest gap between ticks is printed as JSON.
"""

from __future__ import annotations

import sys

MODE = sys.argv[1]

from kiosk import asyncmode  # noqa: E402  (imports only os)

asyncmode.apply(MODE)

import json  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402

from devices.blocking import spawn  # noqa: E402
from devices.printer import PrinterWorker, TicketPrint, open_printer  # noqa: E402


def ticket(number: str) -> TicketPrint:
    return TicketPrint(
        centre_name="Bộ phận Một cửa UBND xã",
        service_name="Đất đai",
        number=number,
        priority_label="Người cao tuổi",
        issued_at=datetime(2025, 3, 8, 9, 15, tzinfo=timezone(timedelta(hours=7))),
        people_ahead=3,
        estimated_wait_s=600,
        status_url=f"http://192.168.1.10:5000/t/{number}",
    )


def main() -> None:
    hung_port, good_port = int(sys.argv[2]), int(sys.argv[3])
    gaps: list[float] = []
    printed: list[str] = []
    hung_errors: list[str] = []
    running = True

    def tick() -> None:
        last = time.monotonic()
        while running:
            time.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    spawn(tick)
    fast = dict(retry_initial_s=0.1, retry_max_s=0.2, poll_interval_s=0.5)
    hung = PrinterWorker(
        "hung",
        open_printer(f"tcp://127.0.0.1:{hung_port}", timeout=1.0),
        on_status=lambda name, s: s.error and hung_errors.append(s.error),
        **fast,
    ).start()
    good = PrinterWorker(
        "good",
        open_printer(f"tcp://127.0.0.1:{good_port}", timeout=1.0),
        on_printed=printed.append,
        **fast,
    ).start()
    for i in range(3):
        hung.submit(f"h{i}", ticket(f"H00{i}"))
        good.submit(f"g{i}", ticket(f"G00{i}"))
    time.sleep(2.5)
    running = False
    hung.stop()
    good.stop()
    print(
        json.dumps(
            {
                "mode": asyncmode.current(),
                "ticks": len(gaps),
                "max_gap_ms": round(max(gaps) * 1000, 1),
                "printed": printed,
                "hung_errors": hung_errors,
                "hung_pending": hung.pending,
            }
        )
    )


main()
