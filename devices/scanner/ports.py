"""The serial ports this machine sees, and finding a USB scanner again after a replug.

A USB scanner that is pulled out and put back may come back under another
name (/dev/ttyACM0 becomes /dev/ttyACM1).  The worker remembers the USB
identity (VID:PID and serial number) of the port it opened and, when that
path is gone, looks the identity up here.  All of these block briefly
(they read /sys): call them through `devices.blocking.run_blocking` from the hub.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from serial.tools import list_ports

BY_ID_DIR = "/dev/serial/by-id"


@dataclass(frozen=True)
class UsbIdentity:
    """What tells one USB serial device from another; serial_number may be missing on cheap ones."""

    vid_pid: str
    serial_number: str | None = None


def list_serial_ports() -> list[dict]:
    """Every serial port: {path, vid_pid ("1A86:7523" or None), description, serial_number, by_id}."""
    by_id = _by_id_links()
    ports = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        ports.append(
            {
                "path": port.device,
                "vid_pid": _vid_pid(port),
                "description": port.description,
                "serial_number": port.serial_number,
                "by_id": by_id.get(os.path.realpath(port.device)),
            }
        )
    return ports


def usb_identity(path: str) -> UsbIdentity | None:
    """The USB identity of the port at `path` (a symlink is followed), or None if not USB."""
    real = os.path.realpath(path)
    for port in list_ports.comports():
        if os.path.realpath(port.device) == real and port.vid is not None:
            return UsbIdentity(_vid_pid(port), port.serial_number)
    return None


def find_usb_ports(identity: UsbIdentity) -> list[str]:
    """Paths of ports with this identity (same VID:PID, and same serial number when known)."""
    return [
        port.device
        for port in sorted(list_ports.comports(), key=lambda p: p.device)
        if _vid_pid(port) == identity.vid_pid
        and (identity.serial_number is None or port.serial_number == identity.serial_number)
    ]


def _vid_pid(port) -> str | None:
    return f"{port.vid:04X}:{port.pid:04X}" if port.vid is not None else None


def _by_id_links() -> dict[str, str]:
    """real device path → its stable /dev/serial/by-id/… name (udev makes these for USB)."""
    links = {}
    for link in sorted(glob.glob(os.path.join(BY_ID_DIR, "*"))):
        links.setdefault(os.path.realpath(link), link)
    return links
