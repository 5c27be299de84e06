"""Print jobs: the ones staff ask for (a reprint of a ticket, an admin's test print),
the pending ones the printer owner picks up, and how each one ended.

Every job is stored in `print_jobs` (a ticket's first print too, by issue_ticket), so
the process that owns the printer prints it, whichever hub process the request reached
(in production the device worker, `motcua devices run`, while hubs run with
MOTCUA_DEVICES=0).  kiosk/runtime/print_service.py drives the printers and records
the outcome here.

A printer driven by a device agent (`motcua agent`, a printer with `agent = "NAME"`) is
not the hub's: its jobs are offered to that agent (`offer_job` on issue, `pending_for`
when it asks), and a job is done when the agent says the printer took its last byte
(`finish_agent_job`, which an acknowledgement sent twice leaves as it was).  Both kinds
of owner print the same content, `job_content`."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from kiosk import pictograms, rooms
from kiosk.core.errors import NotFound
from kiosk.events import Outgoing
from kiosk.messages import ticket_labels
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, PrintJobRow, TicketRow
from kiosk.usecases import audit
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader

AGENT_BATCH = 50  # jobs per answer to an agent's `jobs`: one small message
GIVE_UP_AFTER_S = 600  # a ticket not printed in 10 minutes is useless on paper: drop it, visibly


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


def job_target(ctx: QueueContext, job_id: int) -> tuple[str, int | None]:
    """(printer name, ticket id or None for a test print) of a stored job."""
    with ctx.store.read() as session:
        job = session.get(PrintJobRow, job_id)
        return job.printer, job.ticket_id


def pending_jobs(ctx: QueueContext) -> list[tuple[int, str, int | None]]:
    """(job id, printer, ticket id) of the centre's jobs not yet printed, oldest first."""
    with ctx.store.read() as session:
        rows = session.execute(
            select(PrintJobRow.id, PrintJobRow.printer, PrintJobRow.ticket_id)
            .where(PrintJobRow.centre_id == ctx.centre_id, PrintJobRow.state == "pending")
            .order_by(PrintJobRow.id)
        ).all()
    return [tuple(row) for row in rows]


def finish_job(
    ctx: QueueContext, job_id: int, state: str, error: str | None, *, only_pending: bool = False
) -> bool:
    """Record how a job ended ("printed" or "failed" with the reason), then tell whoever
    cares: a ticket's print goes to the kiosks and staff, a test print to staff only.

    With `only_pending` (a device agent's report, which may come twice) a job already
    recorded is left as it was, except that "printed" overrides a "failed" (the paper came
    out after the hub gave up).  False when nothing changed."""
    with ctx.store.write() as session:
        job = session.get(PrintJobRow, job_id)
        if job is None:
            return False
        if only_pending and not (
            job.state == "pending" or (job.state == "failed" and state == "printed")
        ):
            return False
        job.state, job.error, job.done_at = state, error, ctx.now()
        if job.ticket_id is None:  # a test print: only staff care how it went
            payload = {"job": job_id, "test": True, "printer": job.printer}
            payload.update(state=state, error=error)
            out = [Outgoing("print", payload, (rooms.staff(ctx.centre_id),))]
        else:
            ticket = session.get(TicketRow, job.ticket_id)
            # Kiosks learn whether it printed; the printer's own error text is for staff.
            shown = {
                "job": job_id,
                "ticket": ticket.id,
                "number": ticket.number,
                "kiosk": ticket.kiosk,
                "printer": job.printer,
                "state": state,
            }
            out = [
                Outgoing("print", shown, (rooms.kiosks(ctx.centre_id),)),
                Outgoing("print", {**shown, "error": error}, (rooms.staff(ctx.centre_id),)),
            ]
    ctx.publish(out)
    return True


def job_content(ctx: QueueContext, job_id: int) -> dict:
    """{job, printer, ticket}: what any printer owner needs to print a stored job.  `ticket`
    holds devices.rendering.TicketPrint's fields as JSON (devices/rendering/wire.py reads
    it back): the paper the citizen gets, in the language the number was taken in, or
    the admin's test print (what a real ticket of this centre looks like)."""
    with ctx.store.read() as session:
        job = session.get(PrintJobRow, job_id)
        if job is None or job.centre_id != ctx.centre_id:
            raise NotFound("not_found", what=f"print job {job_id}")
        centre = session.get(CentreRow, ctx.centre_id)
        footer = (centre.settings or {}).get("footer", "")
        if job.ticket_id is None:
            ticket = {
                "centre_name": centre.name,
                "service_name": "In thử",
                "service_name_en": "Test print",
                "number": "A000",
                "issued_at": ctx.now().astimezone(ctx.tz).isoformat(),
                "people_ahead": 0,
                "estimated_wait_s": 0,
                "status_url": ctx.status_url("test"),
                "footer": footer or "Phiếu in thử — Test ticket",
            }
        else:
            reader = QueueReader(ctx, session)
            row = session.get(TicketRow, job.ticket_id)
            payload = reader.holder_ticket(row)  # what the citizen's paper shows
            group = reader.policy.group(row.priority)
            # In the language the number was taken in: a citizen who chose English reads English.
            language = job.language or "vi"
            group_name = group and ((group.name_en if language == "en" else "") or group.name)
            ticket = {
                "centre_name": centre.name,
                "service_name": payload["service_name"],
                "service_name_en": payload["service_name_en"] or None,
                "number": row.number,
                "issued_at": row.issued_at.astimezone(ctx.tz).isoformat(),
                "people_ahead": payload["people_ahead"],
                "estimated_wait_s": payload["estimated_wait_s"],
                "status_url": payload["status_url"],
                "priority_label": group_name or None,
                "footer": footer,
                "labels": ticket_labels(language),
                # printed large beside the number (kiosk/pictograms.py)
                "pictogram_svg": pictograms.svg(
                    pictograms.of_fields(centre.settings).get(payload["service"])
                ),
            }
        return {"job": job.id, "printer": job.printer, "ticket": ticket}


def offer_job(ctx: QueueContext, job_id: int, agent: str) -> None:
    """Send a stored job to the device agent driving its printer (it prints at once)."""
    content = job_content(ctx, job_id)
    ctx.publish([Outgoing("print_job", content, (rooms.agent(ctx.centre_id, agent),))])


def pending_for(ctx: QueueContext, printers: Collection[str], *, give_up_after_s: float) -> list:
    """The pending jobs of a device agent's printers, oldest first, as `job_content`.
    A job older than `give_up_after_s` (the agent was away) is failed instead: a ticket
    printed that late is useless, and the kiosk showed the number on screen."""
    if not printers:
        return []
    now = ctx.now()
    with ctx.store.read() as session:
        rows = session.execute(
            select(PrintJobRow.id, PrintJobRow.created_at)
            .where(
                PrintJobRow.centre_id == ctx.centre_id,
                PrintJobRow.state == "pending",
                PrintJobRow.printer.in_(list(printers)),
            )
            .order_by(PrintJobRow.id)
            .limit(AGENT_BATCH)
        ).all()
    jobs = []
    for job_id, created_at in rows:
        if (now - created_at).total_seconds() > give_up_after_s:
            finish_job(ctx, job_id, "failed", "not printed in time", only_pending=True)
        else:
            jobs.append(job_content(ctx, job_id))
    return jobs


def finish_agent_job(
    ctx: QueueContext, job_id: int, printers: Collection[str], state: str, error: str | None
) -> bool:
    """A device agent says how a job of its printers ended.  True when the hub now holds
    that outcome (also when it already did: an acknowledgement repeated after a
    reconnect); False for a job that is not this agent's (another centre's, another
    printer's, unknown), which the agent must not take as acknowledged."""
    with ctx.store.read() as session:
        job = session.get(PrintJobRow, job_id)
        if job is None or job.centre_id != ctx.centre_id or job.printer not in printers:
            return False
        recorded = job.state
    if recorded == state:
        return True
    finish_job(ctx, job_id, state, error, only_pending=True)
    return True
