"""Drive kiosk/runtime/admission.SubscribeGate under one async mode and print what
happened as JSON (started by test_subscribe_gate.py in a fresh interpreter, because
monkey-patching must come first): `python subscribe_gate_probe.py MODE`."""

from __future__ import annotations

import sys

MODE = sys.argv[1]

from kiosk import asyncmode  # noqa: E402  (imports only os)

asyncmode.apply(MODE)

import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from kiosk.runtime.admission import SubscribeGate  # noqa: E402


def storm() -> dict:
    """24 screens subscribe at once through a gate of 3: every one is answered, never
    more than 3 snapshots are built at a time, and the loop keeps running meanwhile."""
    gate = SubscribeGate(limit=3)
    inside, most, built, gaps = [0], [0], [], []
    running = [True]

    def tick() -> None:
        last = time.monotonic()
        while running[0]:
            time.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    def build(sid: str) -> str:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.02)  # the snapshot's database round trips
        inside[0] -= 1
        built.append(sid)
        return sid

    ticker = threading.Thread(target=tick)
    ticker.start()
    screens = [
        threading.Thread(target=gate.run, args=(f"s{i}", lambda i=i: build(f"s{i}"), lambda: True))
        for i in range(24)
    ]
    started = time.monotonic()
    for screen in screens:
        screen.start()
    for screen in screens:
        screen.join(10)
    took = time.monotonic() - started
    running[0] = False
    ticker.join(5)
    return {
        "built": sorted(built),
        "most_at_once": most[0],
        "took_s": took,
        "max_gap_ms": max(gaps) * 1000,
    }


def superseded() -> dict:
    """One slot, held; screen "a" asks, then asks again (its answer timed out), and
    screen "b" asks and hangs up: when the slot frees, only a's second subscribe is built."""
    gate = SubscribeGate(limit=1)
    built, answers = [], {}
    release = threading.Event()

    def hold() -> str:
        release.wait(10)
        built.append("holder")
        return "holder"

    def ask(key: str, sid: str) -> None:
        answers[key] = gate.run(sid, lambda: built.append(key) or key, lambda: True)

    threads = [threading.Thread(target=gate.run, args=("h", hold, lambda: True))]
    threads[0].start()
    time.sleep(0.05)
    for key, sid in (("a1", "a"), ("b1", "b"), ("a2", "a")):
        threads.append(threading.Thread(target=ask, args=(key, sid)))
        threads[-1].start()
        time.sleep(0.05)
    gate.forget("b")  # b hung up while it waited
    release.set()
    for thread in threads:
        thread.join(10)
    return {"built": built, "answers": answers, "skipped": gate.skipped}


print(json.dumps({"mode": asyncmode.current(), "storm": storm(), "superseded": superseded()}))
