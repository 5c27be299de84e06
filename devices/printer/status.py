"""Printer status: the ESC/POS real-time status bytes (DLE EOT n) and what they mean.

We send DLE EOT 1, 2, 3 and 4 in one write and expect four bytes back, one per
query, in order.  Every reply byte has bits 1 and 4 set and bits 0 and 7 clear;
a reply that does not look like that is treated as "status unknown" rather than
as a fault, so a quirky clone never stops printing because of its status bytes.
Bit meanings (Epson ESC/POS, followed by Citizen, Bixolon, CBM and the clones):

- n=1 printer:        bit 3 offline
- n=2 offline cause:  bit 2 cover open, bit 5 stopped at paper end, bit 6 error
- n=3 error cause:    bit 3 autocutter error, bit 5 unrecoverable, bit 6 auto-recoverable (hot head)
- n=4 paper sensors:  bits 2/3 roll near its end, bits 5/6 paper out
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterFault,
    PrinterOffline,
)

DLE_EOT = b"\x10\x04"
#: The four real-time queries sent together; the printer answers one byte each.
STATUS_QUERY = DLE_EOT + b"\x01" + DLE_EOT + b"\x02" + DLE_EOT + b"\x03" + DLE_EOT + b"\x04"
STATUS_REPLY_LEN = 4


@dataclass(frozen=True)
class PrinterStatus:
    """Last known state of a printer. None means unknown (the connection cannot read back)."""

    online: bool | None = None
    cover_open: bool | None = None
    paper_near_end: bool | None = None
    paper_out: bool | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True unless something is known to be wrong (unknown counts as fine: we try to print)."""
        return (
            self.online is not False
            and not self.cover_open
            and not self.paper_out
            and self.error is None
        )

    def to_dict(self) -> dict:
        """JSON-ready form for /healthz, `motcua devices` and the `device` Socket.IO event."""
        return {**asdict(self), "ok": self.ok}


UNKNOWN = PrinterStatus()


def _well_formed(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0010


def parse_status(reply: bytes) -> PrinterStatus:
    """Decode the four reply bytes to STATUS_QUERY. Pure; malformed replies mean "unknown"."""
    if len(reply) != STATUS_REPLY_LEN or not all(_well_formed(b) for b in reply):
        return UNKNOWN
    printer, offline_cause, error_cause, paper = reply
    errors = []
    if error_cause & 0x08:
        errors.append("autocutter error")
    if error_cause & 0x20:
        errors.append("unrecoverable error")
    if error_cause & 0x40:
        errors.append("print head overheated")
    if offline_cause & 0x40 and not errors:
        errors.append("printer error")
    paper_out = bool(paper & 0x60) or bool(offline_cause & 0x20)
    return PrinterStatus(
        online=not printer & 0x08,
        cover_open=bool(offline_cause & 0x04),
        paper_near_end=bool(paper & 0x0C) or paper_out,
        paper_out=paper_out,
        error=", ".join(errors) or None,
    )


def raise_for_status(status: PrinterStatus) -> None:
    """Raise the error a citizen would see (empty roll first, then cover, fault, offline)."""
    if status.paper_out:
        raise PaperOut("out of paper")
    if status.cover_open:
        raise CoverOpen("cover open")
    if status.error:
        raise PrinterFault(status.error)
    if status.online is False:
        raise PrinterOffline("printer reports itself offline")


def status_from_error(error: PrinterError) -> PrinterStatus:
    """The status to show when talking to the printer failed."""
    return PrinterStatus(online=False, error=f"{error.code}: {error}")
