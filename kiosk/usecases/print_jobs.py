"""Print jobs asked for by staff: a reprint of a ticket, an admin's test print.

Stored in `print_jobs` like every ticket's first print, so the process that owns the
printer prints them, whichever hub process the request reached (in production the
device worker, `motcua devices run`, while hubs run with MOTCUA_DEVICES=0)."""

from __future__ import annotations

from kiosk.core.errors import NotFound
from kiosk.store import repository as repo
from kiosk.store.tables import PrintJobRow
from kiosk.usecases import audit
from kiosk.usecases.context import QueueContext


def queue_job(
    ctx: QueueContext,
    printers: list[str],
    printer: str | None,
    *,
    ticket_id: int | None,
    user_id: int | None,
) -> dict:
    """Store a pending job for `printer` (a reprint of `ticket_id`, or a test print when
    None); audited.  The owner of the printer prints it within a second."""
    printer = printer or (printers[0] if printers else None)
    if printer not in printers:
        raise NotFound("unknown_printer", printer=printer or "")
    now = ctx.now()
    with ctx.store.write() as session:
        target = ""
        if ticket_id is not None:
            target = repo.ticket_row(session, ctx.centre_id, ticket_id).number
        job = PrintJobRow(
            centre_id=ctx.centre_id,
            ticket_id=ticket_id,
            printer=printer,
            state="pending",
            created_at=now,
        )
        session.add(job)
        session.flush()
        action = "device.test_print" if ticket_id is None else "ticket.reprint"
        audit.record(
            session,
            ctx.centre_id,
            now,
            user_id,
            action,
            printer,
            {"number": target} if target else {},
        )
        job_id = job.id
    return {"printer": printer, "job": job_id, "state": "queued"}
