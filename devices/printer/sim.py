"""The simulated printer of the demo (`sim://DIR`): every ticket becomes a .bin and a .png in DIR.

The .bin is the exact ESC/POS a real printer would have received (it can be
replayed: `cat X.bin > /dev/usb/lp0`), the .png is the ticket as it would
look on paper, so a demo without hardware still shows real tickets.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from devices.printer.errors import PrinterOffline
from devices.printer.status import PrinterStatus
from devices.printer.transports import Transport, faults
from devices.rendering import render_ticket


class SimTransport(Transport):
    """Writes `<timestamp>-<number>.bin` and `.png` per job into a directory (created if missing)."""

    def __init__(self, directory: str, *, width: int, timeout: float) -> None:
        super().__init__(None, timeout=timeout, read_status=False)
        self.directory = Path(directory)
        self.width = width
        self.last_files: tuple[Path, Path] | None = None

    def open(self) -> None:
        with faults("open"):
            self.directory.mkdir(parents=True, exist_ok=True)
        if not os.access(self.directory, os.W_OK):
            raise PrinterOffline(f"open: {self.directory} is not writable")
        self.is_open = True

    def write_job(self, job) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        number = re.sub(r"[^A-Za-z0-9_-]", "_", job.ticket.number)
        base = self.directory / f"{stamp}-{number}"
        # A text-mode job has no raster image; the preview then shows the raster layout.
        image = job.image or render_ticket(job.ticket, self.width)
        with faults("write"):
            # Write under a temporary name first so a watcher never sees half a file.
            png, png_part = base.with_suffix(".png"), base.with_suffix(".png.part")
            image.save(png_part, format="PNG")
            png_part.replace(png)
            binary, bin_part = base.with_suffix(".bin"), base.with_suffix(".bin.part")
            bin_part.write_bytes(job.data)
            bin_part.replace(binary)
        self.last_files = (binary, png)

    def fixed_status(self) -> PrinterStatus:
        ok = self.directory.is_dir() and os.access(self.directory, os.W_OK)
        if not ok:
            return PrinterStatus(online=False, error=f"offline: {self.directory} is not writable")
        return PrinterStatus(online=True, cover_open=False, paper_near_end=False, paper_out=False)
