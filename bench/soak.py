"""Soak: a busy centre's day compressed, against a real hub process.

    .venv/bin/python bench/soak.py --minutes 10 --counters 40 --screens 200 [--postgres URL]

Eight hours of arrivals (default 1,500 visitors) are squeezed into --minutes;
40 clerks call, serve (service times scaled by the same factor) and finish;
--screens lobby clients follow every call (in a process of their own,
bench/screens.py, so that they do not compete with the clerks' threads for
this process's GIL).  Prints a table: tickets, calls, errors, calls missed by
screens, screens that dropped, and the hub's memory over time (it must stay
flat).  Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import HubProcess  # noqa: E402

SERVICES = [("HT", "A"), ("DD", "B"), ("LD", "C"), ("KD", "D"), ("XD", "E"), ("TKQ", "K")]


def soak_centre(path: Path, counters: int) -> Path:
    lines = [
        '[centre]\ncode = "soak"\nname = "Trung tâm Phục vụ hành chính công (soak)"\n'
        'priority_policy = "interleave"\nnormal_per_priority = 3\n'
    ]
    for code, prefix in SERVICES:
        lines.append(
            f'[[services]]\ncode = "{code}"\nname = "Lĩnh vực {code}"\nprefix = "{prefix}"\n'
        )
    for n in range(1, counters + 1):
        first, second = SERVICES[n % len(SERVICES)][0], SERVICES[(n + 1) % len(SERVICES)][0]
        lines.append(
            f'[[counters]]\nnumber = {n}\nname = "Quầy {n}"\nservices = ["{first}", "{second}"]\n'
        )
    lines.append('[[users]]\nusername = "admin"\npassword = "test-admin-pass"\nrole = "admin"\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Tally:
    issued: int = 0
    calls: int = 0
    served: int = 0
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


def run_soak(
    minutes: float,
    counters: int,
    screens: int,
    visitors: int = 1500,
    hours: float = 8.0,
    database_url: str | None = None,
    seed: int = 7,
    sample_s: float = 5.0,
) -> dict:
    """`sample_s`: how often the hub's memory is read (the suite's short soak reads it
    more often, to have as many readings as a longer run)."""
    rng = random.Random(seed)
    scale = hours * 60 / minutes  # simulated seconds per real second
    duration = minutes * 60
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        hub = HubProcess(
            tmp_path,
            async_mode="gevent",
            database_url=database_url,
            config=soak_centre(tmp_path / "soak.toml", counters),
        ).start()
        lobby = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "screens.py"), hub.url, str(screens)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        seen = {"received": [], "drops": 0}
        try:
            if lobby.stdout.readline().strip() != "ready":
                raise RuntimeError(f"lobby screens did not start (exit code {lobby.wait()})")
            token = hub.token()
            stop = threading.Event()
            deadline = time.monotonic() + duration

            kiosks = 4

            def arrivals():
                session = requests.Session()
                mean_gap = duration / (visitors / kiosks)
                # Open loop: citizens arrive on their own schedule, not after the previous
                # ticket came back, so a slow moment does not thin out the crowd.
                next_at = time.monotonic()
                while True:
                    next_at += rng.expovariate(1 / mean_gap)
                    if next_at >= deadline:
                        break
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    code = rng.choice(SERVICES)[0]
                    priority = "elderly" if rng.random() < 0.1 else None
                    r = session.post(
                        f"{hub.url}/api/v1/tickets",
                        json={"service": code, "priority": priority},
                        timeout=10,
                    )
                    if r.status_code == 201:
                        tally.add("issued")
                    else:
                        tally.errors.append(("issue", r.status_code, r.text[:200]))

            def clerk(number: int):
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {token}"
                local = random.Random(seed + number)
                while not stop.is_set() and time.monotonic() < deadline:
                    r = session.post(f"{hub.url}/api/v1/counters/{number}/next", timeout=10)
                    if r.status_code == 204:
                        time.sleep(1.0)  # nobody waits: a clerk looks again a moment later
                        continue
                    if r.status_code != 200:
                        tally.errors.append(("next", r.status_code, r.text[:200]))
                        time.sleep(0.5)
                        continue
                    tally.add("calls")
                    session.post(f"{hub.url}/api/v1/counters/{number}/start", timeout=10)
                    time.sleep(local.uniform(240, 720) / scale)  # 4–12 minutes of service
                    r = session.post(f"{hub.url}/api/v1/counters/{number}/finish", timeout=10)
                    if r.status_code == 200:
                        tally.add("served")
                    else:
                        tally.errors.append(("finish", r.status_code, r.text[:200]))

            memory = [(0.0, rss_kb(hub.process.pid))]
            threads = [threading.Thread(target=arrivals) for _ in range(kiosks)] + [
                threading.Thread(target=clerk, args=(n,)) for n in range(1, counters + 1)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            while time.monotonic() < deadline:
                time.sleep(min(sample_s, max(0.1, deadline - time.monotonic())))
                memory.append((time.monotonic() - started, rss_kb(hub.process.pid)))
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            time.sleep(2)  # let the last calls reach every screen
            lobby.stdin.write("stop\n")
            lobby.stdin.flush()
            seen = json.loads(lobby.stdout.readline())
        finally:
            lobby.stdin.close()  # the screens also stop on end of input
            try:
                lobby.wait(timeout=30)
            except subprocess.TimeoutExpired:
                lobby.kill()
                lobby.wait()
            hub.stop()
    received = seen["received"]
    return {
        "issued": tally.issued,
        "calls": tally.calls,
        "served": tally.served,
        "errors": tally.errors,
        "screens": screens,
        "missed_calls": sum(max(0, tally.calls - r) for r in received),
        "min_calls_seen": min(received) if received else 0,
        "screen_drops": seen["drops"],
        "memory_kb": memory,
        "minutes": minutes,
        "counters": counters,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--counters", type=int, default=40)
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--visitors", type=int, default=1500)
    parser.add_argument("--postgres", default=None, help="database URL (default: SQLite)")
    args = parser.parse_args()
    result = run_soak(
        args.minutes, args.counters, args.screens, args.visitors, database_url=args.postgres
    )
    memory = result["memory_kb"]
    settled = memory[min(len(memory) - 1, max(1, len(memory) // 4))][1]
    print("| measure | value |")
    print("| --- | --- |")
    print(
        f"| simulated | 8 h in {result['minutes']:g} min, {result['counters']} counters, "
        f"{result['screens']} screens |"
    )
    print(
        f"| tickets issued / called / served | {result['issued']} / {result['calls']} / "
        f"{result['served']} |"
    )
    print(f"| errors | {len(result['errors'])} |")
    print(f"| calls missed by screens | {result['missed_calls']} |")
    print(f"| screens that dropped and reconnected | {result['screen_drops']} |")
    print(
        f"| hub RSS at start / after warm-up / end / max | {memory[0][1] // 1024} / "
        f"{settled // 1024} / {memory[-1][1] // 1024} / {max(m for _, m in memory) // 1024} MiB |"
    )
    print("\n| minute | hub RSS MiB |\n| ---: | ---: |")
    step = 60.0  # one row a minute (samples are every 5 s)
    next_at = 0.0
    for at, kb in memory:
        if at >= next_at or (at, kb) == memory[-1]:
            print(f"| {at / 60:.1f} | {kb / 1024:.0f} |")
            next_at = (at // step + 1) * step
    for error in result["errors"][:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
