"""Printing over TCP to the virtual printer: what arrives on paper, and every fault a kiosk meets."""

from __future__ import annotations

import time

import escpos_decode
import pytest
from printing_helpers import needs_tesseract, ocr

from devices.printer import (
    CoverOpen,
    PaperOut,
    PrinterFault,
    PrinterOffline,
    PrinterTimeout,
    open_printer,
)
from devices.rendering import render_ticket


@pytest.mark.parametrize("paper_mm,dots", [(80, 576), (58, 384)])
def test_ticket_arrives_as_the_rendered_image_then_a_cut(vprinter, ticket, paper_mm, dots):
    printer = open_printer(vprinter.url, paper_mm=paper_mm, timeout=2)
    printer.print_ticket(ticket)
    data = vprinter.received
    image = escpos_decode.ticket_image(data)
    assert image.width == dots
    assert image.tobytes() == render_ticket(ticket, dots).tobytes()  # pixel for pixel
    kinds = [c.kind for c in escpos_decode.decode(data)]
    # Status asked before the job, the image, the cut (after the image, not before), status again.
    assert kinds[:4] == ["status"] * 4 and kinds[-4:] == ["status"] * 4
    job = kinds[4:-4]
    assert job[0] == "init" and job[-1] == "cut" and "raster" in job
    assert escpos_decode.cuts(data) == [0]  # one full cut
    assert printer.last_status.ok


@needs_tesseract
def test_ocr_reads_the_number_from_what_the_printer_received(vprinter, ticket):
    open_printer(vprinter.url, timeout=2).print_ticket(ticket)
    image = escpos_decode.ticket_image(vprinter.received)
    text = ocr(image, lang="vie")
    words = [w.replace("O", "0") for w in text.split()]
    assert "A012" in words, text
    assert "Tư pháp - Hộ tịch" in text


def test_paper_out_raises_before_anything_is_printed(vprinter_factory, ticket):
    vp = vprinter_factory(paper_out=True)
    printer = open_printer(vp.url, timeout=2)
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket)
    assert escpos_decode.rasters(vp.received) == []  # only status queries went out
    status = printer.status()
    assert status.paper_out and not status.ok
    assert status.to_dict()["paper_out"] is True


def test_paper_near_end_prints_and_warns(vprinter_factory, ticket):
    vp = vprinter_factory(paper_near_end=True)
    printer = open_printer(vp.url, timeout=2)
    printer.print_ticket(ticket)
    assert escpos_decode.cuts(vp.received)
    assert printer.last_status.paper_near_end and printer.last_status.ok


def test_cover_open_and_cutter_error(vprinter_factory, ticket):
    with pytest.raises(CoverOpen):
        open_printer(vprinter_factory(cover_open=True).url, timeout=2).print_ticket(ticket)
    with pytest.raises(PrinterFault, match="autocutter"):
        open_printer(vprinter_factory(cutter_error=True).url, timeout=2).print_ticket(ticket)


def test_refused_connection_is_offline_at_once(vprinter, ticket):
    vprinter.stop()
    printer = open_printer(vprinter.url, timeout=2)
    start = time.monotonic()
    with pytest.raises(PrinterOffline, match="refused"):
        printer.print_ticket(ticket)
    assert time.monotonic() - start < 1
    status = printer.status()
    assert status.online is False and "refused" in status.error


def test_hung_printer_times_out_within_the_bound(vprinter, ticket):
    vprinter.hang = True  # accepts connections, never reads
    printer = open_printer(vprinter.url, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(PrinterTimeout):
        printer.print_ticket(ticket)
    elapsed = time.monotonic() - start
    assert elapsed < 1.5, elapsed
    assert printer.status().error.startswith("timeout")


def test_printer_that_stops_reading_mid_job_times_out(vprinter, ticket):
    vprinter.stall_after = 2000  # answers the first status query, then takes 2 kB of the image
    printer = open_printer(vprinter.url, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(PrinterTimeout):
        printer.print_ticket(ticket)
    assert time.monotonic() - start < 1.5
    assert vprinter.status_queries == 4  # the one before the job


def test_printer_recovers_after_a_fault_without_reopening(vprinter_factory, ticket):
    vp = vprinter_factory(paper_out=True)
    printer = open_printer(vp.url, timeout=2)
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket)
    vp.paper_out = False
    printer.print_ticket(ticket)
    assert len(escpos_decode.cuts(vp.received)) == 1


def test_printer_without_status_replies_needs_status_off(vprinter_factory, ticket):
    vp = vprinter_factory(answer_status=False)
    with pytest.raises(PrinterTimeout):
        open_printer(vp.url, timeout=0.3).print_ticket(ticket)
    quiet = open_printer(vp.url + "?status=off", timeout=0.3)
    quiet.print_ticket(ticket)
    assert vp.wait_for(lambda p: escpos_decode.cuts(p.received) == [0], timeout=2)
    assert quiet.status().online is None  # unknown, not "offline"
