"""Serial barcode/QR scanners: `ScannerConfig.from_table(t)`, one `ScannerWorker` per scanner.

Imports nothing from the hub (`kiosk`); its worker runs blocking calls through
`devices.blocking`.  See docs/scanners.md for the settings, the framing rules and reconnecting.
What a scanned code does is the hub's business (kiosk.usecases.scans).
"""

from devices.scanner.config import TERMINATORS, ScannerConfig, ScannerConfigError
from devices.scanner.duplicates import DuplicateGuard
from devices.scanner.framing import Framed, LineFramer
from devices.scanner.ports import UsbIdentity, find_usb_ports, list_serial_ports, usb_identity
from devices.scanner.worker import ScannerWorker

__all__ = [
    "TERMINATORS",
    "DuplicateGuard",
    "Framed",
    "LineFramer",
    "ScannerConfig",
    "ScannerConfigError",
    "ScannerWorker",
    "UsbIdentity",
    "find_usb_ports",
    "list_serial_ports",
    "usb_identity",
]
