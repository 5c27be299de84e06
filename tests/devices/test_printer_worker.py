"""PrinterWorker: order, retry until paper is back (printed once), give up, status, isolation."""

from __future__ import annotations

import threading
import time

import escpos_decode
import pytest
from printing_helpers import make_ticket

from devices.printer import PrinterOffline, PrinterTimeout, PrinterWorker, open_printer

FAST = dict(retry_initial_s=0.05, retry_max_s=0.1, poll_interval_s=0.2)


class Recorder:
    """Collects the worker's callbacks the way the hub would."""

    def __init__(self) -> None:
        self.printed: list[str] = []
        self.failed: list[tuple[str, Exception]] = []
        self.statuses: list = []
        self.changed = threading.Event()

    def kwargs(self) -> dict:
        return dict(on_printed=self.on_printed, on_failed=self.on_failed, on_status=self.on_status)

    def on_printed(self, job_id):
        self.printed.append(job_id)
        self.changed.set()

    def on_failed(self, job_id, error):
        self.failed.append((job_id, error))
        self.changed.set()

    def on_status(self, name, status):
        self.statuses.append(status)
        self.changed.set()

    def wait(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


@pytest.fixture
def workers():
    started: list[PrinterWorker] = []

    def start(url: str, rec: Recorder, *, timeout: float = 1.0, **kw) -> PrinterWorker:
        w = PrinterWorker(
            "kiosk-1", open_printer(url, timeout=timeout), **rec.kwargs(), **{**FAST, **kw}
        )
        started.append(w.start())
        return w

    yield start
    for w in started:
        w.stop()


def test_paper_out_then_refilled_prints_the_ticket_exactly_once(vprinter_factory, workers, ticket):
    vp = vprinter_factory(paper_out=True)
    rec = Recorder()
    w = workers(vp.url, rec)
    w.submit("job-1", ticket)
    assert rec.wait(lambda: any(s.paper_out for s in rec.statuses)), (
        "staff never told about the paper"
    )
    time.sleep(0.3)  # several retries while the roll is empty
    assert escpos_decode.rasters(vp.received) == []
    assert rec.printed == []

    vp.paper_out = False  # staff refill the roll
    assert rec.wait(lambda: rec.printed == ["job-1"])
    time.sleep(0.3)  # give a duplicate the chance to appear
    assert rec.printed == ["job-1"] and rec.failed == []
    assert escpos_decode.cuts(vp.received) == [0]
    assert rec.statuses[-1].ok and w.pending == 0


def test_tickets_print_in_the_order_they_were_issued(vprinter, workers):
    rec = Recorder()
    w = workers(vprinter.url, rec)
    for n in ("A001", "A002", "A003"):
        w.submit(n, make_ticket(number=n))
    w.submit("A002", make_ticket(number="A002"))  # the hub resubmits after a restart: ignored
    assert rec.wait(lambda: len(rec.printed) == 3)
    time.sleep(0.1)
    assert rec.printed == ["A001", "A002", "A003"]
    assert len(escpos_decode.cuts(vprinter.received)) == 3


def test_gives_up_after_the_limit_and_says_why(vprinter, workers, ticket):
    vprinter.stop()  # connection refused from now on
    rec = Recorder()
    workers(vprinter.url, rec, give_up_after_s=0.4).submit("job-1", ticket)
    start = time.monotonic()
    assert rec.wait(lambda: rec.failed, timeout=3)
    assert 0.35 < time.monotonic() - start < 1.5
    ((job_id, error),) = rec.failed
    assert job_id == "job-1" and isinstance(error, PrinterOffline)
    assert rec.statuses[-1].online is False


def test_a_ticket_that_cannot_be_rendered_fails_at_once(vprinter, workers):
    rec = Recorder()
    w = workers(vprinter.url, rec)
    w.submit("bad", make_ticket(status_url="x" * 5000))  # too long for any QR code
    w.submit("good", make_ticket())
    assert rec.wait(lambda: rec.printed == ["good"])
    assert [job for job, _ in rec.failed] == ["bad"]


def test_hung_printer_does_not_hold_up_another_printer(vprinter_factory, workers):
    hung, good = vprinter_factory(), vprinter_factory()
    hung.hang = True
    rec_hung, rec_good = Recorder(), Recorder()
    w_hung = workers(hung.url, rec_hung, timeout=1.0)
    w_good = workers(good.url, rec_good, timeout=1.0)
    time.sleep(0.05)
    start = time.monotonic()
    for i in range(3):
        w_hung.submit(f"h{i}", make_ticket(number=f"H00{i}"))
        w_good.submit(f"g{i}", make_ticket(number=f"G00{i}"))
    assert rec_good.wait(lambda: len(rec_good.printed) == 3, timeout=3)
    good_time = time.monotonic() - start
    assert good_time < 0.9, f"good printer waited {good_time:.2f} s behind the hung one"
    assert rec_hung.printed == []
    assert rec_hung.wait(
        lambda: any(s.error and "timeout" in s.error for s in rec_hung.statuses), timeout=3
    )
    assert w_hung.pending == 3


def test_status_polling_reports_changes(vprinter, workers):
    rec = Recorder()
    workers(vprinter.url, rec)
    assert rec.wait(lambda: rec.statuses and rec.statuses[-1].ok)  # reported at start
    vprinter.cover_open = True
    assert rec.wait(lambda: rec.statuses[-1].cover_open, timeout=2)
    n = len(rec.statuses)
    time.sleep(0.5)  # two more polls, nothing changed: no duplicate events for the screens
    assert len(rec.statuses) == n


def test_a_printer_that_did_not_answer_is_asked_again_within_seconds(vprinter, workers):
    """No answer at start (switched off, or a machine too busy to answer in time): the
    admin page shows it back within seconds, not at the next half-minute poll."""
    vprinter.hang = True
    rec = Recorder()
    workers(vprinter.url, rec, timeout=0.3, poll_interval_s=30, retry_initial_s=0.2, retry_max_s=1)
    assert rec.wait(lambda: rec.statuses and rec.statuses[-1].online is False, timeout=3)
    vprinter.hang = False
    assert rec.wait(lambda: rec.statuses[-1].ok, timeout=4)
    asked = vprinter.status_queries
    time.sleep(1.5)  # answering now: back to the half-minute poll, no more questions
    assert vprinter.status_queries == asked


def test_stop_is_prompt(vprinter, ticket):
    w = PrinterWorker("kiosk-1", open_printer(vprinter.url, timeout=1), **FAST).start()
    w.submit("j", ticket)
    time.sleep(0.2)
    start = time.monotonic()
    w.stop()
    assert time.monotonic() - start < 0.5
    assert w._done.is_set()


def test_timeout_error_type_reaches_on_failed(vprinter, workers, ticket):
    vprinter.hang = True
    rec = Recorder()
    workers(vprinter.url, rec, timeout=0.2, give_up_after_s=0.5).submit("j", ticket)
    assert rec.wait(lambda: rec.failed, timeout=3)
    assert isinstance(rec.failed[0][1], PrinterTimeout)
