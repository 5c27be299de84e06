"""Printer URLs from the centre file, and the printers that need no hardware (sim, dummy, file)."""

from __future__ import annotations

import escpos_decode
import pytest
from PIL import Image

from devices.printer import PrinterConfigError, open_printer, parse_printer_url
from devices.rendering import render_ticket


@pytest.mark.parametrize(
    "url,scheme,target,port,read_status",
    [
        ("tcp://192.168.1.50", "tcp", "192.168.1.50", 9100, True),
        ("tcp://printer.local:9101", "tcp", "printer.local", 9101, True),
        ("tcp://192.168.1.50:9100?status=off", "tcp", "192.168.1.50", 9100, False),
        ("serial:///dev/ttyUSB0?baudrate=19200", "serial", "/dev/ttyUSB0", 9100, True),
        ("usb://04B8:0E15", "usb", "04b8:0e15", 9100, False),
        ("usb://0x0416:0x5011", "usb", "0416:5011", 9100, False),
        ("file:///dev/usb/lp0", "file", "/dev/usb/lp0", 9100, False),
        ("dummy://", "dummy", "", 9100, False),
        ("sim://instance/printed", "sim", "instance/printed", 9100, False),
    ],
)
def test_contract_urls_parse(url, scheme, target, port, read_status):
    cfg = parse_printer_url(url)
    assert (cfg.scheme, cfg.target, cfg.port, cfg.read_status) == (
        scheme,
        target,
        port,
        read_status,
    )


@pytest.mark.parametrize(
    "url,message",
    [
        ("192.168.1.50:9100", "must look like"),
        ("lpt://1", "unknown printer URL scheme"),
        ("tcp://:9100", "needs a host"),
        ("tcp://host:99999", "port"),
        ("tcp://host:9100/queue", "no path"),
        ("serial://?baudrate=9600", "needs a device"),
        ("serial:///dev/ttyS0?baud=9600", "unknown option"),
        ("serial:///dev/ttyS0?baudrate=fast", "must be a number"),
        ("usb://epson", "hex vendor and product"),
        ("file://", "needs a path"),
        ("tcp://host?status=maybe", "on or off"),
    ],
)
def test_bad_urls_say_what_is_wrong(url, message):
    with pytest.raises(PrinterConfigError, match=message):
        open_printer(url)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"paper_mm": 76}, "paper_mm"),
        ({"text_mode": "utf8"}, "text_mode"),
        ({"codepage": 300}, "codepage"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_options_say_what_is_wrong(kwargs, message):
    with pytest.raises(PrinterConfigError, match=message):
        open_printer("dummy://", **kwargs)


def test_usb_without_pyusb_points_to_the_kernel_device(monkeypatch):
    from escpos.printer import Usb

    # pyusb is a dependency; a centre that removed it must still get a way out.
    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterConfigError, match="/dev/usb/lp0"):
        open_printer("usb://04b8:0e15")


def test_sim_printer_writes_bin_and_png_per_ticket(tmp_path, ticket):
    folder = tmp_path / "printed"
    printer = open_printer(f"sim://{folder}", paper_mm=58)
    assert printer.status().ok  # the demo shows a healthy printer
    printer.print_ticket(ticket)
    printer.print_ticket(ticket)
    bins = sorted(folder.glob("*-A012.bin"))
    pngs = sorted(folder.glob("*-A012.png"))
    assert len(bins) == 2 and len(pngs) == 2
    assert not list(folder.glob("*.part"))
    # The .bin is the real ESC/POS; the .png is what it prints.
    decoded = escpos_decode.ticket_image(bins[0].read_bytes())
    preview = Image.open(pngs[0]).convert("1")
    assert decoded.tobytes() == preview.tobytes() == render_ticket(ticket, 384).tobytes()


def test_sim_printer_in_text_mode_still_previews(tmp_path, ticket):
    printer = open_printer(f"sim://{tmp_path}", text_mode="cp1258")
    printer.print_ticket(ticket)
    (png,) = tmp_path.glob("*.png")
    assert Image.open(png).width == 576


def test_dummy_keeps_the_bytes(ticket):
    printer = open_printer("dummy://")
    printer.print_ticket(ticket)
    assert escpos_decode.ticket_image(printer.transport.output).width == 576
    assert printer.status().online is None  # cannot know: unknown, not offline


def test_file_printer_appends_jobs(tmp_path, ticket):
    target = tmp_path / "lp0"
    printer = open_printer(f"file://{target}")
    printer.print_ticket(ticket)
    printer.close()
    printer.print_ticket(ticket)  # reopened after close: must append, not overwrite
    assert escpos_decode.cuts(target.read_bytes()) == [0, 0]


def test_missing_device_node_is_offline(tmp_path, ticket):
    from devices.printer import PrinterOffline

    printer = open_printer(f"file://{tmp_path}/no/such/lp0")
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket)
    assert printer.status().online is False
