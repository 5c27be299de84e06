"""One background worker per printer: prints queued tickets in order, retries, reports.

The hub stores its print jobs itself and hands each one to the printer's
worker with `submit`; the worker answers through three callbacks:
`on_printed(job_id)`, `on_failed(job_id, error)` (gave up, or the ticket
cannot be rendered) and `on_status(name, PrinterStatus)` (whenever the
status changes, and once at start).

While the printer is down the first job is retried with a growing pause
(the rest wait behind it: tickets come out in order); a job older than
`give_up_after_s` is reported failed and dropped.  Every blocking step runs
through `devices.blocking.run_blocking`, each bounded by the printer's timeout,
so a hung printer delays only its own queue and never the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from devices.blocking import Loop, run_blocking
from devices.printer.errors import PrinterError
from devices.printer.job import PrintJob
from devices.printer.printer import Printer
from devices.printer.status import PrinterStatus
from devices.rendering import TicketPrint

log = logging.getLogger(__name__)


def _blocking(fn: Callable, *args):
    """run_blocking(fn, *args), with the exception carried back as a value and re-raised here.

    gevent's thread pool prints a traceback for every exception that leaves a pool thread;
    a printer out of paper for an hour would fill the log with them.
    """

    def capture():
        try:
            return fn(*args), None
        except Exception as e:
            return None, e

    result, error = run_blocking(capture)
    if error is not None:
        raise error
    return result


@dataclass
class _Job:
    job_id: str
    ticket: TicketPrint
    submitted: float
    composed: PrintJob | None = None
    last_error: PrinterError | None = None


class PrinterWorker(Loop):
    """Owns one Printer; `start()`, `submit()` jobs, `stop()`."""

    def __init__(
        self,
        name: str,
        printer: Printer,
        *,
        on_printed: Callable[[str], object] | None = None,
        on_failed: Callable[[str, Exception], object] | None = None,
        on_status: Callable[[str, PrinterStatus], object] | None = None,
        give_up_after_s: float = 600.0,
        poll_interval_s: float = 30.0,
        retry_initial_s: float = 1.0,
        retry_max_s: float = 10.0,
    ) -> None:
        super().__init__()
        self.name = name
        self.printer = printer
        self.on_printed = on_printed or (lambda job_id: None)
        self.on_failed = on_failed or (lambda job_id, error: None)
        self.on_status = on_status or (lambda name, status: None)
        self.give_up_after_s = give_up_after_s
        self.poll_interval_s = poll_interval_s
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.status: PrinterStatus | None = None
        self._jobs: deque[_Job] = deque()
        # Created here, not at import, so under gevent/eventlet it is the patched, cooperative kind.
        self._wake = threading.Condition()
        self._stopping = False

    @property
    def pending(self) -> int:
        """Jobs not yet printed or given up."""
        return len(self._jobs)

    def submit(self, job_id: str, ticket: TicketPrint) -> None:
        """Queue a ticket; a job_id already queued is ignored (the hub may resubmit after restart)."""
        with self._wake:
            if any(j.job_id == job_id for j in self._jobs):
                return
            self._jobs.append(_Job(job_id, ticket, time.monotonic()))
            self._wake.notify()

    def stop(self, wait_s: float = 10.0) -> None:
        """Stop after the current step (at most one printer timeout) and close the connection."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._join(wait_s)

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        next_poll = time.monotonic()
        backoff = self.retry_initial_s
        unreachable_for = 0.0  # the wait before the next status question while no answer
        try:
            while not self._stopping:
                self._give_up_old_jobs()
                job = self._jobs[0] if self._jobs else None
                if job is None:
                    if time.monotonic() >= next_poll:
                        status = _blocking(self.printer.status)
                        self._report(status)
                        if status.online is False and status.error:
                            # No answer (unplugged, switched off, a busy machine at start):
                            # asked again in 1, 2, 4… s up to retry_max_s, so a printer back
                            # on is shown in seconds, not at the next poll.
                            unreachable_for = min(
                                unreachable_for * 2 or self.retry_initial_s, self.retry_max_s
                            )
                            next_poll = time.monotonic() + unreachable_for
                        else:
                            unreachable_for = 0.0
                            next_poll = time.monotonic() + self.poll_interval_s
                    self._sleep(next_poll - time.monotonic(), until_job=True)
                    continue
                if self._attempt(job):
                    backoff = self.retry_initial_s
                    next_poll = time.monotonic() + self.poll_interval_s  # we just heard from it
                else:
                    self._sleep(backoff, until_job=False)
                    backoff = min(backoff * 2, self.retry_max_s)
        except Exception:  # pragma: no cover - a bug; keep the hub alive and say so
            log.exception("printer worker %s stopped by an error", self.name)
        finally:
            try:
                _blocking(self.printer.close)
            finally:
                self._done.set()

    def _attempt(self, job: _Job) -> bool:
        """Try to print the first job once; True when it is done (printed or failed for good)."""
        if job.composed is None:
            try:
                job.composed = _blocking(self.printer.compose, job.ticket)
            except Exception as e:  # bad ticket data: retrying will not fix it
                log.exception("printer %s cannot render job %s", self.name, job.job_id)
                self._finish(job, failed=e)
                return True
        try:
            _blocking(self.printer.send, job.composed)
        except PrinterError as e:
            # Warn when the problem changes, not on every retry of an hour-long paper-out.
            level = logging.DEBUG if str(e) == str(job.last_error) else logging.WARNING
            job.last_error = e
            log.log(level, "printer %s: job %s not printed yet: %s", self.name, job.job_id, e)
            self._report(self.printer.last_status)
            return False
        except (
            Exception
        ) as e:  # an unexpected driver error is retried like a fault, within the limit
            log.exception("printer %s: unexpected error", self.name)
            job.last_error = PrinterError(f"unexpected: {e!r}")
            return False
        self._report(self.printer.last_status)
        self._finish(job)
        return True

    def _give_up_old_jobs(self) -> None:
        now = time.monotonic()
        while self._jobs and now - self._jobs[0].submitted >= self.give_up_after_s:
            job = self._jobs[0]
            reason = job.last_error or PrinterError("not printed in time")
            log.error(
                "printer %s: giving up job %s after %.0f s: %s",
                self.name,
                job.job_id,
                now - job.submitted,
                reason,
            )
            self._finish(job, failed=reason)

    def _finish(self, job: _Job, failed: Exception | None = None) -> None:
        with self._wake:
            if self._jobs and self._jobs[0] is job:
                self._jobs.popleft()
        if failed is None:
            self._call(self.on_printed, job.job_id)
        else:
            self._call(self.on_failed, job.job_id, failed)

    def _report(self, status: PrinterStatus | None) -> None:
        if status is not None and status != self.status:
            self.status = status
            self._call(self.on_status, self.name, status)

    def _call(self, callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception:  # the hub's handler failing must not stop the printer
            log.exception("printer %s: callback %r failed", self.name, callback)

    def _sleep(self, seconds: float, *, until_job: bool) -> None:
        """Wait `seconds`, waking early on stop (and on a new job when idle)."""
        deadline = time.monotonic() + max(0.0, seconds)
        with self._wake:
            while not self._stopping and not (until_job and self._jobs):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._wake.wait(remaining)
