"""Under gevent and eventlet a scanner blocked in a read must not freeze the hub's event loop.

Each mode runs in a fresh interpreter, because monkey-patching has to come
before anything else is imported: the child applies the mode, then imports
this module and runs `probe()`.  There a greenlet ticks every 10 ms while
the worker sits in reads on a silent pty; then the pretend scanner sends a
code.  The largest gap between ticks is the proof: a read that held the loop
would show up as a gap of the read timeout (200 ms) or more.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pty_pair
import pytest
from pty_pair import needs_socat

from tests.support.probes import run_in_mode

pytestmark = needs_socat
socat_pty = pty_pair.socat_pty  # the shared fixture, without a conftest entry
HERE = Path(__file__).resolve().parent
BOOT = "import sys; from kiosk import asyncmode; asyncmode.apply(sys.argv[1]); import test_scanner_async as t; t.probe(*sys.argv[2:])"


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_event_loop_keeps_ticking_while_the_scanner_is_silent(socat_pty, mode):
    result = run_in_mode(
        mode, ["-c", BOOT, mode, socat_pty.ours, socat_pty.far], also_importable=(HERE,)
    )
    assert result["statuses"][0] == "online", result
    assert result["scans"] == ["A012"], result
    # ~1.5 s of silence at 10 ms a tick, and never a stall the size of a read: a read that
    # held the loop would stall it once per 0.2 s read, about 7 times.  One long gap is
    # the machine's load (a 120 ms gap is seen on a busy 2-core machine), not a read.
    # (A loaded machine ticks less often: 100 ticks were seen once; a held loop ticks ~7 times.)
    assert result["ticks"] > 50, result
    assert result["gaps_over_150_ms"] <= 1, result


def probe(ours: str, far: str) -> None:
    """Run in the child after monkey-patching; prints one JSON line."""
    from devices.blocking import run_blocking, spawn
    from devices.scanner import ScannerConfig, ScannerWorker
    from kiosk import asyncmode

    gaps: list[float] = []
    scans: list[str] = []
    statuses: list[str] = []
    running = True

    def tick() -> None:
        last = time.monotonic()
        while running:
            time.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    config = ScannerConfig(name="counter-1-scanner", url=ours, use="counter:1")
    worker = ScannerWorker(
        config,
        on_scan=lambda name, code: scans.append(code),
        on_status=lambda name, status: statuses.append(status["state"]),
    ).start()
    # Measure from "online" on: starting eventlet's thread pool (20 threads) once is not a freeze.
    deadline = time.monotonic() + 3
    while not statuses and time.monotonic() < deadline:
        time.sleep(0.01)
    spawn(tick)
    time.sleep(1.5)  # silence: the worker is blocked in reads the whole time

    import serial

    scanner = run_blocking(serial.Serial, far, 9600, timeout=0.2)
    run_blocking(scanner.write, b"A012\r")
    deadline = time.monotonic() + 2
    while not scans and time.monotonic() < deadline:
        time.sleep(0.01)
    running = False
    worker.stop()
    run_blocking(scanner.close)
    print(
        json.dumps(
            {
                "mode": asyncmode.current(),
                "ticks": len(gaps),
                "max_gap_ms": round(max(gaps) * 1000, 1),
                "gaps_over_150_ms": sum(gap >= 0.15 for gap in gaps),
                "scans": scans,
                "statuses": statuses,
            }
        )
    )
