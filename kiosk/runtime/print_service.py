"""The hub's print service: one PrinterWorker per configured printer, fed
from the `print_jobs` table so that no acknowledged ticket loses its print,
not even across a crash; status changes and failures go out as `device` and
`print` events through the use cases kiosk.usecases.device_status and
print_jobs (kiosks show the number on screen when their printer is down,
supervisors see the fault)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TYPE_CHECKING

from devices.blocking import spawn
from devices.printer import (
    PrinterConfigError,
    PrinterStatus,
    PrinterWorker,
    open_from_table,
)
from devices.rendering.wire import ticket_from_wire
from kiosk.config import Config
from kiosk.usecases import device_status, print_jobs
from kiosk.usecases.print_jobs import GIVE_UP_AFTER_S

if TYPE_CHECKING:
    from kiosk.runtime.hub import Hub
    from kiosk.usecases.device_config import DeviceSetup

log = logging.getLogger(__name__)
POLL_S = 0.5  # how often the owner looks for jobs stored by other hub processes


class PrintService:
    def __init__(self, hub: Hub, printers: list[dict], *, give_up_after_s: float = GIVE_UP_AFTER_S):
        self.hub = hub
        self.config = {p["name"]: p for p in printers}
        self.give_up_after_s = give_up_after_s
        self.workers: dict[str, PrinterWorker] = {}
        self._submitted: dict[int, str] = {}  # job → printer: never hand one job over twice
        self._lock = threading.RLock()  # submitting vs. reconcile closing a printer
        self._closing: set[str] = set()  # printers reconcile is closing (their jobs wait)
        self._running = False

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        for name, cfg in list(self.config.items()):
            self._open(name, cfg)
        self._running = True
        self._submit_pending(after_restart=True)
        spawn(self._poll)

    def _open(self, name: str, cfg: dict) -> None:
        """A worker for one printer (none for a printer a device agent drives)."""
        if cfg.get("agent"):
            return  # driven by that device agent (kiosk/realtime_agent.py), not here
        try:
            printer = open_from_table(cfg)
        except PrinterConfigError as error:
            log.error("printer %s: %s", name, error)
            self._set_status(name, {"state": "error", "error": str(error)})
            return
        self.workers[name] = PrinterWorker(
            name,
            printer,
            on_printed=self._printed,
            on_failed=self._failed,
            on_status=self._status,
            give_up_after_s=self.give_up_after_s,
        ).start()
        self._set_status(name, {"state": "unknown"})

    def reconcile(self, setup: DeviceSetup) -> None:
        """Drive the printers `setup` lists, without a restart: new ones are opened,
        removed ones closed, changed ones closed and opened again.  A closed printer's
        worker finishes its current step first (what it printed is marked printed); its
        other jobs stay pending and go to the reopened printer, or fail as no longer
        configured when it was removed."""
        wanted = {p.name: p.table() for p in setup.printers}
        for name in [n for n in self.config if wanted.get(n) != self.config[n]]:
            with self._lock:
                worker = self.workers.pop(name, None)  # no new job reaches it from now on
                self._closing.add(name)
            if worker is not None:
                worker.stop()
            with self._lock:
                for job_id in [j for j, p in self._submitted.items() if p == name]:
                    del self._submitted[job_id]  # unprinted: pending again for the next worker
                if name not in wanted:
                    del self.config[name]
                if (wanted.get(name) or {"agent": "gone"}).get("agent"):
                    self.hub.device_status.pop(f"printer:{name}", None)  # not ours to report
            if name not in wanted:
                device_status.forget(self.hub.ctx, f"printer:{name}")
            log.info("printer %s: %s", name, "changed" if name in wanted else "removed")
        for name, cfg in wanted.items():
            if self.config.get(name) != cfg or (name not in self.workers and not cfg.get("agent")):
                with self._lock:
                    self.config[name] = cfg
                    self._open(name, cfg)
        with self._lock:
            self._closing.clear()
        if self._running:
            self._submit_pending()

    def stop(self) -> None:
        self._running = False
        for worker in self.workers.values():
            worker.stop()

    def _poll(self) -> None:
        """Pick up jobs stored by hub processes that do not own printers."""
        while self._running:
            time.sleep(POLL_S)
            try:
                self._submit_pending()
            except Exception:  # a database hiccup must not end printing for the day
                log.exception("looking for print jobs failed; retrying")

    # -- jobs ---------------------------------------------------------------
    def on_issued(self, ticket: dict, job_id: int | None) -> dict | None:
        """after_issue hook in the owning process: print now rather than at the next poll."""
        if job_id is None:
            return None
        printer, _ = print_jobs.job_target(self.hub.ctx, job_id)
        worker = self.workers.get(printer)
        if worker is None and printer in self._closing:
            # Being reopened with new settings: the job waits for it, then prints.
            return {"printer": printer, "job": job_id, "state": "queued", "printer_ok": True}
        if worker is None:
            self._fail_job(job_id, "printer not configured or not working")
            return {"printer": printer, "job": job_id, "state": "failed", "printer_ok": False}
        self._submit(worker, job_id, ticket["id"])
        ok = worker.status is None or worker.status.ok
        return {"printer": printer, "job": job_id, "state": "queued", "printer_ok": bool(ok)}

    def _submit(self, worker: PrinterWorker, job_id: int, ticket_id: int | None) -> None:
        with self._lock:
            if job_id in self._submitted or self.workers.get(worker.name) is not worker:
                return  # handed over already, or the printer was closed meanwhile
            self._submitted[job_id] = worker.name
        # The content a device agent gets too (print_jobs.job_content): one ticket, one look.
        content = print_jobs.job_content(self.hub.ctx, job_id)
        worker.submit(str(job_id), ticket_from_wire(content["ticket"]))

    def submit_stored(self, job_id: int) -> None:
        """A job another call just stored: print it now rather than at the next poll."""
        printer, ticket_id = print_jobs.job_target(self.hub.ctx, job_id)
        worker = self.workers.get(printer)
        if worker is not None:
            self._submit(worker, job_id, ticket_id)

    def _submit_pending(self, *, after_restart: bool = False) -> None:
        pending = print_jobs.pending_jobs(self.hub.ctx)
        for job_id, printer, ticket_id in pending:
            if job_id in self._submitted:
                continue
            if printer in self.workers:
                if after_restart:
                    log.info("printer %s: resubmitting job %s after restart", printer, job_id)
                self._submit(self.workers[printer], job_id, ticket_id)
            elif printer not in self.config:
                self._fail_job(job_id, "printer no longer configured")

    # -- worker callbacks (run in the worker's greenlet or thread) -----------
    def _printed(self, job_id: str) -> None:
        print_jobs.finish_job(self.hub.ctx, int(job_id), "printed", None)

    def _failed(self, job_id: str, error: Exception) -> None:
        log.warning("print job %s dropped: %s", job_id, error)
        print_jobs.finish_job(self.hub.ctx, int(job_id), "failed", str(error)[:300])

    def _fail_job(self, job_id: int, reason: str) -> None:
        print_jobs.finish_job(self.hub.ctx, job_id, "failed", reason)

    def _status(self, name: str, status: PrinterStatus) -> None:
        data = status.to_dict()
        data["state"] = (
            "online" if status.ok else ("offline" if status.online is False else "fault")
        )
        self._set_status(name, data)

    def _set_status(self, name: str, data: dict) -> None:
        if name not in self.config:
            return  # removed meanwhile: a last word from its closing worker is not kept
        hub = self.hub
        key = f"printer:{name}"
        cfg = self.config.get(name, {})
        entry = {
            "kind": "printer",
            "name": name,
            "url": cfg.get("url"),
            "at": hub.ctx.now().isoformat(),
            **data,
        }
        worker = self.workers.get(name)
        if worker is not None:
            entry["pending"] = worker.pending
        previous = hub.device_status.get(key, {})
        hub.device_status[key] = entry
        device_status.report(hub.ctx, key, entry, previous)


def print_test_ticket(config: Config, target: str, *, paper_mm: int = 80) -> int:
    """`motcua printer test NAME|URL`: a sample ticket, printed now, with a clear error if not."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from devices.printer import PrinterError, TicketPrint, open_printer
    from kiosk.runtime.device_health import configured_devices, printer_problems

    data, setup, _, _ = configured_devices(config)  # the stored set-up (else the file's)
    configured = {p.name: p.table() for p in setup.printers}
    settings = configured.get(target, {"url": target, "paper_mm": paper_mm})
    if "://" not in settings["url"]:
        print(f"error: {target} is neither a configured printer nor a printer URL", file=sys.stderr)
        return 2
    centre = data.get("centre", {})
    sample = TicketPrint(
        centre_name=centre.get("name", "motcua"),
        service_name="Tư pháp - Hộ tịch (in thử)",
        service_name_en="Test print",
        number="A000",
        issued_at=datetime.now(ZoneInfo(centre.get("timezone", "Asia/Ho_Chi_Minh"))),
        people_ahead=3,
        estimated_wait_s=600,
        status_url=f"{config.public_url or 'http://127.0.0.1:5000'}/",
        priority_label="Người cao tuổi",
        footer="Đây là phiếu in thử — Test ticket",
    )
    try:
        printer = open_printer(
            settings["url"],
            paper_mm=int(settings.get("paper_mm", paper_mm)),
            text_mode=settings.get("text_mode", "raster"),
            codepage=int(settings.get("codepage", 52)),
        )
        printer.print_ticket(sample)
        status = printer.status()
        printer.close()
    except PrinterError as error:
        print(f"error: {target}: {error}", file=sys.stderr)
        return 1
    print(
        f"printed a test ticket on {target} ({settings['url']}); status: "
        f"{'ok' if status.ok else printer_problems(status)}"
    )
    return 0
