"""DLE EOT status bytes → PrinterStatus → the error staff see (pure, no I/O)."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from virtual_printer import VirtualPrinter

from devices.printer import CoverOpen, PaperOut, PrinterFault, PrinterOffline, parse_status
from devices.printer.status import STATUS_QUERY, raise_for_status

HEALTHY = bytes([0x12, 0x12, 0x12, 0x12])


def test_healthy_printer_is_ok_and_prints():
    status = parse_status(HEALTHY)
    assert status.ok
    assert (status.online, status.cover_open, status.paper_near_end, status.paper_out) == (
        True,
        False,
        False,
        False,
    )
    raise_for_status(status)  # does not raise


@pytest.mark.parametrize("paper_byte", [0x1E, 0x16, 0x1A])  # both near-end bits, or either sensor
def test_paper_near_end_warns_but_still_prints(paper_byte):
    status = parse_status(bytes([0x12, 0x12, 0x12, paper_byte]))
    assert status.paper_near_end and not status.paper_out and status.ok
    raise_for_status(status)


def test_paper_out_stops_printing():
    status = parse_status(bytes([0x1A, 0x32, 0x12, 0x72]))
    assert status.paper_out and status.online is False and not status.ok
    with pytest.raises(PaperOut):
        raise_for_status(status)


def test_cover_open_is_reported_as_cover_open():
    with pytest.raises(CoverOpen):
        raise_for_status(parse_status(bytes([0x1A, 0x16, 0x12, 0x12])))


def test_cutter_error_is_a_fault_with_its_name():
    status = parse_status(bytes([0x1A, 0x52, 0x1A, 0x12]))
    assert status.error == "autocutter error"
    with pytest.raises(PrinterFault, match="autocutter"):
        raise_for_status(status)


def test_offline_without_known_cause():
    with pytest.raises(PrinterOffline):
        raise_for_status(parse_status(bytes([0x1A, 0x12, 0x12, 0x12])))


@pytest.mark.parametrize(
    "reply", [b"", b"\x12\x12\x12", b"\x12" * 5, b"\xff\x12\x12\x12", b"\x00\x00\x00\x00"]
)
def test_garbled_reply_means_unknown_not_broken(reply):
    # A clone with odd status bytes must still print: unknown is not an error.
    status = parse_status(reply)
    assert status.online is None and status.paper_out is None and status.ok


def test_query_asks_printer_status_offline_cause_error_cause_and_paper():
    assert STATUS_QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


@pytest.mark.parametrize(
    "online,near_end,paper_out,cover_open,cutter", list(itertools.product([True, False], repeat=5))
)
def test_parser_agrees_with_the_virtual_printer(online, near_end, paper_out, cover_open, cutter):
    """The fake printer builds its bytes from the manual's tables; the parser must read them back."""
    vp = VirtualPrinter(
        online=online,
        paper_near_end=near_end,
        paper_out=paper_out,
        cover_open=cover_open,
        cutter_error=cutter,
    )
    status = parse_status(bytes(vp.status_byte(n) for n in (1, 2, 3, 4)))
    assert status.paper_out == paper_out
    assert status.cover_open == cover_open
    assert status.paper_near_end == (near_end or paper_out)
    assert status.online == (online and not cover_open and not paper_out)
    assert (status.error is not None) == cutter
    assert status.ok == (online and not cover_open and not paper_out and not cutter)


@given(st.binary(min_size=0, max_size=6))
def test_any_reply_gives_a_json_ready_status(reply):
    d = parse_status(reply).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert set(d) == {"online", "cover_open", "paper_near_end", "paper_out", "error", "ok"}
