"""The hub's print service: one PrinterWorker per configured printer, fed
from the `print_jobs` table so that no acknowledged ticket loses its print,
not even across a crash; status changes and failures go out as `device` and
`print` events (kiosks show the number on screen when their printer is down,
supervisors see the fault)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from devices.printer import (
    PrinterConfigError,
    PrinterStatus,
    PrinterWorker,
    TicketPrint,
    open_printer,
)
from kiosk import rooms
from kiosk.blocking import spawn
from kiosk.events import Outgoing
from kiosk.store import device_status
from kiosk.store.tables import CentreRow, PrintJobRow, TicketRow
from kiosk.usecases.views import QueueReader

log = logging.getLogger(__name__)
GIVE_UP_AFTER_S = 600  # a ticket not printed in 10 minutes is useless on paper: drop it, visibly
POLL_S = 0.5  # how often the owner looks for jobs stored by other hub processes


class PrintService:
    def __init__(self, hub, printers: list[dict], *, give_up_after_s: float = GIVE_UP_AFTER_S):
        self.hub = hub
        self.config = {p["name"]: p for p in printers}
        self.give_up_after_s = give_up_after_s
        self.workers: dict[str, PrinterWorker] = {}
        self._submitted: set[int] = set()  # never hand one job to a printer twice
        self._running = False

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        for name, cfg in self.config.items():
            try:
                printer = open_printer(
                    cfg["url"],
                    paper_mm=int(cfg.get("paper_mm", 80)),
                    text_mode=cfg.get("text_mode", "raster"),
                    timeout=float(cfg.get("timeout_s", 5)),
                    codepage=int(cfg.get("codepage", 52)),
                )
            except PrinterConfigError as error:
                log.error("printer %s: %s", name, error)
                self._set_status(name, {"state": "error", "error": str(error)})
                continue
            self.workers[name] = PrinterWorker(
                name,
                printer,
                on_printed=self._printed,
                on_failed=self._failed,
                on_status=self._status,
                give_up_after_s=self.give_up_after_s,
            ).start()
            self._set_status(name, {"state": "unknown"})
        self._running = True
        self._submit_pending(after_restart=True)
        spawn(self._poll)

    def stop(self) -> None:
        self._running = False
        for worker in self.workers.values():
            worker.stop()

    def _poll(self) -> None:
        """Pick up jobs stored by hub processes that do not own printers."""
        import time

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
        with self.hub.store.read() as session:
            printer = session.get(PrintJobRow, job_id).printer
        worker = self.workers.get(printer)
        if worker is None:
            self._fail_job(job_id, "printer not configured or not working")
            return {"printer": printer, "job": job_id, "state": "failed", "printer_ok": False}
        self._submit(worker, job_id, ticket["id"])
        ok = worker.status is None or worker.status.ok
        return {"printer": printer, "job": job_id, "state": "queued", "printer_ok": bool(ok)}

    def _submit(self, worker: PrinterWorker, job_id: int, ticket_id: int | None) -> None:
        if job_id in self._submitted:
            return
        self._submitted.add(job_id)
        content = self._ticket_print(ticket_id) if ticket_id is not None else self._sample()
        worker.submit(str(job_id), content)

    def _sample(self) -> TicketPrint:
        """The admin's test print: what a real ticket of this centre looks like."""
        hub = self.hub
        with hub.store.read() as session:
            centre = session.get(CentreRow, hub.centre_id)
            name, footer = centre.name, (centre.settings or {}).get("footer", "")
        return TicketPrint(
            centre_name=name,
            service_name="In thử",
            service_name_en="Test print",
            number="A000",
            issued_at=datetime.now(UTC).astimezone(hub.ctx.tz),
            people_ahead=0,
            estimated_wait_s=0,
            status_url=hub.ctx.status_url("test"),
            footer=footer or "Phiếu in thử — Test ticket",
        )

    def submit_stored(self, job_id: int) -> None:
        """A job another call just stored: print it now rather than at the next poll."""
        with self.hub.store.read() as session:
            job = session.get(PrintJobRow, job_id)
            printer, ticket_id = job.printer, job.ticket_id
        worker = self.workers.get(printer)
        if worker is not None:
            self._submit(worker, job_id, ticket_id)

    def _submit_pending(self, *, after_restart: bool = False) -> None:
        with self.hub.store.read() as session:
            pending = session.execute(
                select(PrintJobRow.id, PrintJobRow.printer, PrintJobRow.ticket_id)
                .where(PrintJobRow.centre_id == self.hub.centre_id, PrintJobRow.state == "pending")
                .order_by(PrintJobRow.id)
            ).all()
        for job_id, printer, ticket_id in pending:
            if job_id in self._submitted:
                continue
            if printer in self.workers:
                if after_restart:
                    log.info("printer %s: resubmitting job %s after restart", printer, job_id)
                self._submit(self.workers[printer], job_id, ticket_id)
            elif printer not in self.config:
                self._fail_job(job_id, "printer no longer configured")

    def _ticket_print(self, ticket_id: int) -> TicketPrint:
        hub = self.hub
        with hub.store.read() as session:
            reader = QueueReader(hub.ctx, session)
            row = session.get(TicketRow, ticket_id)
            payload = reader.ticket_payload(row)
            centre = session.get(CentreRow, hub.centre_id)
            group = reader.policy.group(row.priority)
            return TicketPrint(
                centre_name=centre.name,
                service_name=payload["service_name"],
                service_name_en=payload["service_name_en"] or None,
                number=row.number,
                issued_at=row.issued_at.astimezone(hub.ctx.tz),
                people_ahead=payload["people_ahead"],
                estimated_wait_s=payload["estimated_wait_s"],
                status_url=payload["status_url"],
                priority_label=group.name if group else None,
                footer=(centre.settings or {}).get("footer", ""),
            )

    # -- worker callbacks (run in the worker's greenlet or thread) -----------
    def _printed(self, job_id: str) -> None:
        self._finish_job(int(job_id), "printed", None)

    def _failed(self, job_id: str, error: Exception) -> None:
        log.warning("print job %s dropped: %s", job_id, error)
        self._finish_job(int(job_id), "failed", str(error)[:300])

    def _fail_job(self, job_id: int, reason: str) -> None:
        self._finish_job(job_id, "failed", reason)

    def _finish_job(self, job_id: int, state: str, error: str | None) -> None:
        hub = self.hub
        with hub.store.write() as session:
            job = session.get(PrintJobRow, job_id)
            if job is None:
                return
            job.state, job.error, job.done_at = state, error, datetime.now(UTC)
            if job.ticket_id is None:  # a test print: only staff care how it went
                payload = {"job": job_id, "test": True, "printer": job.printer}
                payload.update(state=state, error=error)
                audience: tuple[str, ...] = (rooms.staff(hub.centre_id),)
            else:
                ticket = session.get(TicketRow, job.ticket_id)
                payload = {
                    "job": job_id,
                    "ticket": ticket.id,
                    "number": ticket.number,
                    "kiosk": ticket.kiosk,
                    "printer": job.printer,
                    "state": state,
                    "error": error,
                }
                audience = (rooms.kiosks(hub.centre_id), rooms.staff(hub.centre_id))
        hub.ctx.publish([Outgoing("print", payload, audience)])

    def _status(self, name: str, status: PrinterStatus) -> None:
        data = status.to_dict()
        data["state"] = (
            "online" if status.ok else ("offline" if status.online is False else "fault")
        )
        self._set_status(name, data)

    def _set_status(self, name: str, data: dict) -> None:
        hub = self.hub
        key = f"printer:{name}"
        cfg = self.config.get(name, {})
        entry = {
            "kind": "printer",
            "name": name,
            "url": cfg.get("url"),
            "at": datetime.now(UTC).isoformat(),
            **data,
        }
        worker = self.workers.get(name)
        if worker is not None:
            entry["pending"] = worker.pending
        previous = hub.device_status.get(key, {})
        hub.device_status[key] = entry
        changed = any(
            previous.get(k) != entry.get(k)
            for k in ("state", "error", "paper_out", "paper_near_end", "cover_open")
        )
        if changed:
            device_status.save(hub.store, hub.centre_id, key, entry)
            hub.ctx.publish(
                [
                    Outgoing(
                        "device",
                        {"id": key, **entry},
                        (
                            rooms.kiosks(hub.centre_id),
                            rooms.staff(hub.centre_id),
                            rooms.lobby(hub.centre_id),
                        ),
                    )
                ]
            )
