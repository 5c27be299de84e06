"""Device agents to test against: `motcua agent` in a subprocess, a centre file whose
printer (and scanner) an agent drives, and the tickets a virtual printer received."""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.devices.escpos_decode import decode
from tests.support.hubs import ROOT, TEST_CENTRE

AGENT = "kiosk-pc-1"
_numbers = itertools.count(1)
NUMBER = re.compile(r"\b[A-Z]\d{3}\b")


def agent_centre(
    tmp_path: Path,
    printer_url: str,
    *,
    scanner: str | None = None,
    agent: str = AGENT,
    file: str = "centre-agent.toml",
    text_mode: str = "cp1258",
) -> Path:
    """The test centre with agent `agent` driving printer "p1" (by default in the printer's
    own font, so the number reads back as text) of kiosk "kiosk-a", and the scanner at
    path `scanner` there."""
    text = TEST_CENTRE.read_text(encoding="utf-8")
    text += (
        f'\n[[agents]]\nname = "{agent}"\n'
        f'\n[[printers]]\nname = "p1"\nurl = "{printer_url}"\ntext_mode = "{text_mode}"\n'
        f'timeout_s = 2\nagent = "{agent}"\n'
        '\n[[kiosks]]\nname = "kiosk-a"\nprinter = "p1"\n'
    )
    if scanner:
        text += (
            f'\n[[scanners]]\nname = "s1"\nurl = "{scanner}"\nuse = "kiosk:kiosk-a"\n'
            f'agent = "{agent}"\n'
        )
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return path


def pair_agent(hub, name: str = AGENT) -> dict:
    """POST /api/v1/devices/tokens {kind: agent}: {id, token, …}."""
    response = requests.post(
        f"{hub.url}/api/v1/devices/tokens",
        json={"kind": "agent", "name": name},
        headers=hub.auth(),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


class AgentProcess:
    """`motcua agent --hub URL --token TOKEN --journal FILE`, its output in a log file.  It
    tries an unreachable hub again every second or so (MOTCUA_AGENT_RETRY_MAX_S=1, not
    doubling up to 10 s), so a test's restarted hub is found again at once."""

    def __init__(self, tmp: Path, hub_url: str, token: str, *, journal: Path | None = None):
        self.tmp = tmp
        self.hub_url = hub_url
        self.token = token
        self.journal = journal or tmp / "agent-journal.db"
        self.log_path = tmp / f"agent-{next(_numbers)}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> AgentProcess:
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "agent", "--hub", self.hub_url]
            + ["--token", self.token, "--journal", str(self.journal)],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "MOTCUA_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                "MOTCUA_AGENT_RETRY_MAX_S": "1",
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()
        return self.process.returncode if self.process else None

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""


def printed_tickets(stream: bytes) -> list[tuple[str, bool]]:
    """(number, marked as a reprint) of each complete ticket (ended by a cut) in `stream`."""
    tickets, text = [], ""
    for command in decode(stream):
        if command.kind == "text":
            text += command.data.decode("cp1258", errors="replace")
        elif command.kind == "cut":
            numbers = NUMBER.findall(text)
            if numbers:
                tickets.append((numbers[0], "REPRINT" in text))
            text = ""
    return tickets
