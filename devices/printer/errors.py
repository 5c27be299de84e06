"""What can go wrong with a ticket printer, as exceptions the hub can show to staff.

`PrinterConfigError` is a mistake in the settings (fix the URL); every other
`PrinterError` is a fault of the device or the cable that may clear by itself
or when someone refills paper, so the worker retries those.
"""

from __future__ import annotations


class PrinterError(Exception):
    """Base of every printer problem; `code` is a stable short name for the API and logs."""

    code = "error"


class PrinterConfigError(PrinterError, ValueError):
    """The printer URL or options are wrong; retrying will not help."""

    code = "config"


class PrinterOffline(PrinterError):
    """Cannot reach the printer (refused, unplugged, no such device) or it reports itself offline."""

    code = "offline"


class PrinterTimeout(PrinterError):
    """The printer took a connection or data and did not answer in time (hung, or flow control stuck)."""

    code = "timeout"


class PaperOut(PrinterError):
    """The paper roll is empty."""

    code = "paper_out"


class CoverOpen(PrinterError):
    """The paper cover is open."""

    code = "cover_open"


class PrinterFault(PrinterError):
    """The printer reports a hardware error (cutter jam, overheated head, unrecoverable error)."""

    code = "fault"
