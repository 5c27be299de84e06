"""Bench: kiosk tap → last byte at the printer through a device agent, and the agent's RSS.

    .venv/bin/python bench/agent.py [--tickets 40]

Starts a real hub (`motcua run`, gevent, SQLite), a virtual network printer on
127.0.0.1 (tests/devices/virtual_printer.py) and `motcua agent` driving it (80 mm,
raster, as centres print), then issues tickets one at a time at the agent's kiosk
and times each from the POST to the ESC/POS cut arriving at the printer: the
ticket goes hub → Socket.IO → agent → printer, and the agent's journal is written
twice per ticket.  The agent's resident memory is read from /proc at the end.
Prints a table; the figures and the command go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402
from tests.devices.escpos_decode import cuts  # noqa: E402
from tests.devices.virtual_printer import VirtualPrinter  # noqa: E402
from tests.support.agents import AgentProcess, agent_centre, pair_agent  # noqa: E402


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=40)
    args = parser.parse_args()
    printer = VirtualPrinter().start()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        centre = agent_centre(tmp, printer.url, text_mode="raster")
        hub = HubProcess(tmp, async_mode="gevent", config=centre).start()
        agent = None
        try:
            agent = AgentProcess(tmp, hub.url, pair_agent(hub)["token"]).start()
            deadline = time.monotonic() + 30
            while "connected to" not in agent.logs():
                if time.monotonic() > deadline:
                    raise SystemExit(f"the agent did not connect:\n{agent.logs()}")
                time.sleep(0.05)
            session = requests.Session()
            latencies = []
            for i in range(args.tickets + 1):
                started = time.perf_counter()
                session.post(
                    f"{hub.url}/api/v1/tickets",
                    json={"service": "HT", "kiosk": "kiosk-a"},
                    timeout=10,
                ).raise_for_status()
                while len(cuts(printer.received)) < i + 1:
                    if time.perf_counter() - started > 20:
                        raise SystemExit(f"printer never received the ticket:\n{agent.logs()}")
                    time.sleep(0.001)
                if i:  # the first one opens the printer's connection and warms the renderer
                    latencies.append((time.perf_counter() - started) * 1000)
            rss, peak = memory_mb(agent.process.pid)
        finally:
            if agent is not None:
                agent.stop()
            hub.stop()
            printer.stop()
    print("| measure | value |")
    print("| --- | --- |")
    print(
        f"| tap → last byte at printer through the agent, median (80 mm raster, "
        f"{args.tickets} tickets) | {statistics.median(latencies):.0f} ms |"
    )
    print(
        f"| tap → last byte at printer through the agent, p95 | {percentile(latencies, 95):.0f} ms |"
    )
    print(f"| agent's resident memory after the run (peak) | {rss:.0f} MB ({peak:.0f} MB) |")


if __name__ == "__main__":
    main()
