"""Ticket printers: `open_printer(url)` → `Printer`, one `PrinterWorker` per printer.

Imports nothing from the hub (`kiosk`); its worker runs blocking calls through
`devices.blocking`.  See docs/printing.md for URLs, text modes, status and what happens on faults.
"""

from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterConfigError,
    PrinterError,
    PrinterFault,
    PrinterOffline,
    PrinterTimeout,
)
from devices.printer.job import TEXT_MODES, PrintJob, compose_job
from devices.printer.printer import DEFAULT_CODEPAGE, Printer, open_from_table, open_printer
from devices.printer.status import PrinterStatus, parse_status
from devices.printer.url import parse_printer_url
from devices.printer.worker import PrinterWorker
from devices.rendering import TicketLabels, TicketPrint

__all__ = [
    "DEFAULT_CODEPAGE",
    "TEXT_MODES",
    "CoverOpen",
    "PaperOut",
    "PrintJob",
    "Printer",
    "PrinterConfigError",
    "PrinterError",
    "PrinterFault",
    "PrinterOffline",
    "PrinterStatus",
    "PrinterTimeout",
    "PrinterWorker",
    "TicketLabels",
    "TicketPrint",
    "compose_job",
    "open_from_table",
    "open_printer",
    "parse_printer_url",
    "parse_status",
]
