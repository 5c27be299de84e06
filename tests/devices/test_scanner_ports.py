"""Serial port listing and USB identity lookup, over a pretend set of ports."""

from __future__ import annotations

import pytest
from serial.tools.list_ports_common import ListPortInfo

from devices.scanner import UsbIdentity, find_usb_ports, list_serial_ports, ports, usb_identity


def port(device: str, vid=None, pid=None, serial_number=None, description="n/a") -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number, info.description = vid, pid, serial_number, description
    return info


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """Two identical CH340 scanners told apart by serial number, a Honeywell, and a built-in UART."""
    comports = [
        port("/dev/ttyUSB1", 0x1A86, 0x7523, "B2", "USB Serial"),
        port("/dev/ttyACM0", 0x0C2E, 0x0B61, None, "Honeywell Scanning and Mobility"),
        port("/dev/ttyUSB0", 0x1A86, 0x7523, "A1", "USB Serial"),
        port("/dev/ttyS0"),
    ]
    monkeypatch.setattr(ports.list_ports, "comports", lambda: list(comports))
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    (by_id / "usb-Honeywell_Scanner-if00").symlink_to("/dev/ttyACM0")
    monkeypatch.setattr(ports, "BY_ID_DIR", str(by_id))
    return comports


def test_list_serial_ports(machine):
    listed = list_serial_ports()
    assert [p["path"] for p in listed] == [
        "/dev/ttyACM0",
        "/dev/ttyS0",
        "/dev/ttyUSB0",
        "/dev/ttyUSB1",
    ]
    honeywell = listed[0]
    assert honeywell["vid_pid"] == "0C2E:0B61"
    assert honeywell["description"] == "Honeywell Scanning and Mobility"
    assert honeywell["by_id"].endswith("usb-Honeywell_Scanner-if00")
    assert listed[1]["vid_pid"] is None and listed[1]["by_id"] is None
    assert all({"path", "vid_pid", "description"} <= set(p) for p in listed)


def test_usb_identity_of_a_path(machine):
    assert usb_identity("/dev/ttyUSB0") == UsbIdentity("1A86:7523", "A1")
    assert usb_identity("/dev/ttyACM0") == UsbIdentity("0C2E:0B61", None)
    assert usb_identity("/dev/ttyS0") is None  # not USB
    assert usb_identity("/dev/ttyUSB7") is None


def test_find_the_same_device_again(machine):
    assert find_usb_ports(UsbIdentity("1A86:7523", "A1")) == ["/dev/ttyUSB0"]
    assert find_usb_ports(UsbIdentity("1A86:7523", "B2")) == ["/dev/ttyUSB1"]
    # Without a serial number both look alike; the worker tries each (a held one is locked).
    assert find_usb_ports(UsbIdentity("1A86:7523")) == ["/dev/ttyUSB0", "/dev/ttyUSB1"]
    assert find_usb_ports(UsbIdentity("0403:6001")) == []
