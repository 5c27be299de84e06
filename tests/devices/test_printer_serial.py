"""A serial printer on a pty pair made by socat: the far end plays the printer."""

from __future__ import annotations

import re
import subprocess
import threading
import time

import escpos_decode
import pytest
import serial
from printing_helpers import needs_socat
from virtual_printer import VirtualPrinter

from devices.printer import PaperOut, open_printer
from devices.rendering import render_ticket

pytestmark = needs_socat


@pytest.fixture
def pty_pair():
    """Two linked ptys: (ours, the printer's)."""
    proc = subprocess.Popen(
        ["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    paths: list[str] = []
    deadline = time.monotonic() + 5
    while len(paths) < 2 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        paths += re.findall(r"PTY is (\S+)", line)
    assert len(paths) == 2, "socat did not report two ptys"
    yield paths[0], paths[1]
    proc.terminate()
    proc.wait(5)


class SerialPrinterEnd:
    """Reads the far pty and answers DLE EOT like the virtual TCP printer does."""

    def __init__(self, path: str, **switches) -> None:
        self.printer = VirtualPrinter(**switches)
        self.port = serial.Serial(path, 115200, timeout=0.05)
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        pending = b""
        while self.running:
            chunk = self.port.read(4096)
            if chunk:
                replies, pending = self.printer.feed(chunk, pending)
                if replies:
                    self.port.write(replies)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.port.close()


def test_serial_printer_receives_the_ticket(pty_pair, ticket):
    ours, theirs = pty_pair
    far = SerialPrinterEnd(theirs)
    try:
        printer = open_printer(f"serial://{ours}?baudrate=115200", timeout=2)
        printer.print_ticket(ticket)
        assert far.printer.wait_for(lambda p: escpos_decode.cuts(p.received) == [0], timeout=5)
        image = escpos_decode.ticket_image(far.printer.received)
        assert image.tobytes() == render_ticket(ticket, 576).tobytes()
        assert far.printer.status_queries == 8
        printer.close()
    finally:
        far.close()


def test_serial_paper_out_is_read_back(pty_pair, ticket):
    ours, theirs = pty_pair
    far = SerialPrinterEnd(theirs, paper_out=True)
    try:
        printer = open_printer(f"serial://{ours}?baudrate=115200", timeout=1)
        with pytest.raises(PaperOut):
            printer.print_ticket(ticket)
        assert escpos_decode.rasters(far.printer.received) == []
    finally:
        far.close()
