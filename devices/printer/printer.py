"""A ticket printer: `open_printer(url)` and the `Printer` it returns.

A `Printer` checks status before and after each job (on connections that can
read back), connects lazily and reconnects after any failure, so the worker
can simply call it again.  All methods block and are bounded by `timeout` per
step; the hub calls them through `devices.blocking.run_blocking` (the worker does).
"""

from __future__ import annotations

from devices.printer.errors import PrinterConfigError, PrinterError
from devices.printer.job import TEXT_MODES, PrintJob, compose_job
from devices.printer.sim import SimTransport
from devices.printer.status import (
    STATUS_QUERY,
    STATUS_REPLY_LEN,
    PrinterStatus,
    parse_status,
    raise_for_status,
    status_from_error,
)
from devices.printer.transports import (
    DummyTransport,
    FileTransport,
    SerialTransport,
    TcpTransport,
    Transport,
    UsbTransport,
)
from devices.printer.url import PrinterConfig, parse_printer_url
from devices.rendering import PAPER_DOTS, TicketPrint

DEFAULT_CODEPAGE = 52  # CP1258 in the Epson table; many Chinese clones use 94 or 27 instead


class Printer:
    """One configured printer. Not thread-safe: one PrinterWorker (or one CLI call) owns it."""

    def __init__(
        self, url: str, transport: Transport, *, width: int, text_mode: str, codepage: int
    ) -> None:
        self.url = url
        self.transport = transport
        self.width = width
        self.text_mode = text_mode
        self.codepage = codepage
        self.last_status: PrinterStatus | None = None
        self._answered = False

    def __repr__(self) -> str:
        return f"<Printer {self.url} {self.width} dots {self.text_mode}>"

    def compose(self, ticket: TicketPrint) -> PrintJob:
        """The job's bytes for this printer. Pure CPU: safe to run in any thread."""
        return compose_job(
            ticket, width=self.width, text_mode=self.text_mode, codepage=self.codepage
        )

    def send(self, job: PrintJob) -> None:
        """Check the printer, send the job, check again; raises a PrinterError if it did not print."""
        t = self.transport
        self._answered = False
        try:
            self._ensure_open()
            if t.read_status:
                raise_for_status(self._query())
            t.write_job(job)
            if t.read_status:
                # The answer also proves the printer has taken in every byte sent before it.
                raise_for_status(self._query())
            else:
                self.last_status = t.fixed_status()
        except PrinterError as e:
            # Keep what the printer itself said (paper out, cover open); else say why we could not ask.
            if not (self._answered and self.last_status and not self.last_status.ok):
                self.last_status = status_from_error(e)
            t.close()
            raise
        if not t.persistent:
            t.close()

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Compose and send one ticket (blocking). Raises PrinterError subclasses on faults."""
        self.send(self.compose(ticket))

    def status(self) -> PrinterStatus:
        """Ask the printer now. Never raises for device faults: they are in the returned status."""
        t = self.transport
        try:
            self._ensure_open()
            if t.read_status:
                self._query()
            else:
                self.last_status = t.fixed_status()
        except PrinterError as e:
            self.last_status = status_from_error(e)
            t.close()
            return self.last_status
        if not t.persistent:
            t.close()
        return self.last_status

    def close(self) -> None:
        """Release the connection; the next call reconnects."""
        self.transport.close()

    def _ensure_open(self) -> None:
        if not self.transport.is_open:
            self.transport.open()

    def _query(self) -> PrinterStatus:
        self.last_status = parse_status(self.transport.query(STATUS_QUERY, STATUS_REPLY_LEN))
        self._answered = True
        return self.last_status


def _transport(cfg: PrinterConfig, *, width: int, timeout: float) -> Transport:
    kw = {"timeout": timeout, "read_status": cfg.read_status}
    if cfg.scheme == "tcp":
        return TcpTransport(cfg.target, cfg.port, **kw)
    if cfg.scheme == "serial":
        return SerialTransport(cfg.target, cfg.options, **kw)
    if cfg.scheme == "usb":
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterConfigError(
                "usb:// needs pyusb (pip install pyusb) and libusb; a printer the kernel already "
                "drives as /dev/usb/lp0 works without it as file:///dev/usb/lp0"
            )
        return UsbTransport(cfg.target, cfg.options, **kw)
    if cfg.scheme == "file":
        return FileTransport(cfg.target, **kw)
    if cfg.scheme == "sim":
        return SimTransport(cfg.target, width=width, timeout=timeout)
    return DummyTransport(**kw)


def open_printer(
    url: str,
    *,
    paper_mm: int = 80,
    text_mode: str = "raster",
    timeout: float = 5.0,
    codepage: int = DEFAULT_CODEPAGE,
    dots: int | None = None,
) -> Printer:
    """A Printer for `url`; checks the settings now (PrinterConfigError) and connects on first use.

    `dots` overrides the print-head width derived from `paper_mm` (some 80 mm models have 512).
    """
    cfg = parse_printer_url(url)
    if dots is None:
        if paper_mm not in PAPER_DOTS:
            raise PrinterConfigError(
                f"paper_mm must be one of {sorted(PAPER_DOTS)}, not {paper_mm!r}"
            )
        dots = PAPER_DOTS[paper_mm]
    if not 128 <= dots <= 2048 or dots % 8:
        raise PrinterConfigError(f"dots must be a multiple of 8 between 128 and 2048, not {dots!r}")
    if text_mode not in TEXT_MODES:
        raise PrinterConfigError(
            f"text_mode must be one of {', '.join(TEXT_MODES)}, not {text_mode!r}"
        )
    if not 0 <= codepage <= 255:
        raise PrinterConfigError(f"codepage must be 0..255 (the n of ESC t n), not {codepage!r}")
    if not 0 < timeout <= 120:
        raise PrinterConfigError(f"timeout must be between 0 and 120 s, not {timeout!r}")
    transport = _transport(cfg, width=dots, timeout=timeout)
    return Printer(url, transport, width=dots, text_mode=text_mode, codepage=codepage)


def open_from_table(table: dict) -> Printer:
    """open_printer for a `[[printers]]` table (url, and paper_mm, text_mode, timeout_s,
    codepage or their defaults); a missing url is a KeyError, a bad number a ValueError."""
    return open_printer(
        table["url"],
        paper_mm=int(table.get("paper_mm", 80)),
        text_mode=table.get("text_mode", "raster"),
        timeout=float(table.get("timeout_s", 5)),
        codepage=int(table.get("codepage", DEFAULT_CODEPAGE)),
    )
