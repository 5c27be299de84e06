"""Real serial ptys for the scanner tests: socat links two, the far one plays the scanner.

`SocatPair(directory).start()` runs `socat -d -d pty,raw,echo=0,link=… pty,raw,echo=0,link=…`
so the hub's end has a stable path (`ours`, a symlink like a udev rule
makes) that survives `kill()` and `start()` again, the way a scanner that is
unplugged and plugged back keeps its /dev/serial/by-id name.  `write()`
sends bytes as the scanner would.  The `socat_pty` fixture gives one started
pair and kills it afterwards; test modules share it with
`socat_pty = pty_pair.socat_pty`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import serial

needs_socat = pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")


class SocatPair:
    """Two linked ptys: `ours` for the code under test, `far` for the pretend scanner."""

    def __init__(self, directory: Path, name: str = "scanner") -> None:
        self.ours = str(Path(directory) / name)
        self.far = str(Path(directory) / f"{name}-far")
        self.pts: list[str] = []
        self._proc: subprocess.Popen | None = None
        self._far_port: serial.Serial | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 5.0) -> SocatPair:
        """Start socat and wait until both links exist and data flows."""
        self._proc = subprocess.Popen(
            [
                "socat",
                "-d",
                "-d",
                f"pty,raw,echo=0,link={self.ours}",
                f"pty,raw,echo=0,link={self.far}",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        self.pts = []
        deadline = time.monotonic() + timeout
        # socat names the ptys first and makes the links after; "starting data transfer loop" comes last.
        while time.monotonic() < deadline:
            line = self._proc.stderr.readline()
            if not line:
                raise RuntimeError(f"socat exited with {self._proc.wait()}")
            self.pts += re.findall(r"PTY is (\S+)", line)
            if "starting data transfer loop" in line:
                break
        else:
            self.kill()
            raise RuntimeError("socat did not start in time")
        assert len(self.pts) == 2, self.pts
        self._far_port = serial.Serial(self.far, 9600, timeout=0.2, write_timeout=2)
        return self

    def write(self, data: bytes) -> None:
        """Send bytes from the pretend scanner."""
        assert self._far_port is not None, "socat is not running"
        self._far_port.write(data)
        self._far_port.flush()

    def kill(self) -> None:
        """SIGKILL socat: the cable is pulled, nobody says goodbye; the links go as udev's would."""
        if self._far_port is not None:
            self._far_port.close()
            self._far_port = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait(5)
            self._proc.stderr.close()
            self._proc = None
        # A killed socat leaves its links dangling, and the next pty may reuse the number they name.
        for link in (self.ours, self.far):
            Path(link).unlink(missing_ok=True)


@pytest.fixture
def socat_pty(tmp_path) -> SocatPair:
    """One started socat pty pair, killed after the test."""
    if shutil.which("socat") is None:
        pytest.skip("needs socat")
    pair = SocatPair(tmp_path).start()
    yield pair
    pair.kill()
