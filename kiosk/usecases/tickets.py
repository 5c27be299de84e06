"""Issuing, reading and cancelling tickets.

A cancel is audited (`ticket.cancel`, who and why).  A clerk bound to a counter
cancels only tickets that counter could call: of a field it serves, or sent to
it; supervisors and admins (and unbound clerks) cancel any waiting ticket."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk import rooms
from kiosk.core import numbering, states
from kiosk.core.errors import Conflict, DomainError, InvalidInput, Localised, NotFound
from kiosk.core.model import Event
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, PrintJobRow, TicketRow
from kiosk.usecases import audit, availability, closing
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import QueueReader

SOURCES = ("kiosk", "web", "scan")


class NotThisCounter(DomainError):
    """A bound clerk acting on a ticket their counter does not serve."""

    status = 403


@dataclass(frozen=True)
class IssueRequest:
    service: str
    priority: str | None = None
    kiosk: str | None = None
    source: str = "kiosk"
    idempotency_key: str | None = None
    dossier_code: str | None = None  # result pick-up: the receipt scanned at the kiosk
    appointment_at: datetime | None = None  # checked-in booking: ordered by its booked time
    appointment_id: int | None = None


@dataclass(frozen=True)
class Issued:
    ticket: dict
    created: bool  # False when an idempotency key matched an earlier ticket


def _existing(ctx: QueueContext, key: str) -> dict | None:
    with ctx.store.read() as session:
        row = session.execute(
            select(TicketRow).where(
                TicketRow.centre_id == ctx.centre_id, TicketRow.idempotency_key == key
            )
        ).scalar_one_or_none()
        return QueueReader(ctx, session).ticket_payload(row) if row else None


def _repeat(ctx: QueueContext, earlier: dict, request: IssueRequest) -> Issued:
    """The same tap again (a double tap, a network retry): the first ticket, with what
    became of its print job, so the kiosk still shows "photograph your number" when the
    printer failed.  A key sent again for another field is a client bug: refused."""
    if earlier["service"] != request.service or (earlier["priority"] or None) != (
        request.priority or None
    ):
        raise Conflict("idempotency_key_reused", number=earlier["number"])
    with ctx.store.read() as session:
        job = session.execute(
            select(PrintJobRow)
            .where(PrintJobRow.ticket_id == earlier["id"])
            .order_by(PrintJobRow.id)
            .limit(1)
        ).scalar_one_or_none()
        job_id, printer, state = (job.id, job.printer, job.state) if job else (None, None, None)
    if job_id is not None and state != "pending":
        earlier["print"] = {
            "printer": printer,
            "job": job_id,
            "state": state,
            "printer_ok": state == "printed",
        }
    elif job_id is not None:
        for hook in ctx.after_issue:  # the printing hook submits a job only once
            extra = hook(earlier, job_id)
            if extra:
                earlier["print"] = extra
    return Issued(earlier, created=False)


def issue_ticket(ctx: QueueContext, request: IssueRequest) -> Issued:
    """Give a citizen the next number of a field; the same idempotency key never issues twice."""
    if request.source not in SOURCES:
        raise InvalidInput("invalid_source", source=request.source)
    key = (request.idempotency_key or "").strip() or None
    if key and len(key) > 64:  # cut, two different keys could become one
        raise InvalidInput("invalid_idempotency_key")
    if key and (earlier := _existing(ctx, key)):
        return _repeat(ctx, earlier, request)
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            service = repo.service_by_code(session, ctx.centre_id, request.service)
            centre = session.get(CentreRow, ctx.centre_id)
            availability.require_open(centre, now, service)
            centre_policy = repo.policy_of(session, centre)
            if request.priority and centre_policy.group(request.priority) is None:
                raise InvalidInput("unknown_priority", priority=request.priority)
            # The zone as stored now, not as this process last saw it: two hub processes
            # must agree on the business day, or both would give out number 001.
            ctx.timezone = centre.timezone
            day = numbering.business_day(now, centre.timezone)
            seq = repo.next_sequence(session, service.id, day)
            if seq == 1:
                # A field's first number of a new day: close what earlier days left waiting.
                closing.close_waiting(
                    session, ctx.centre_id, through=day - timedelta(days=1), now=now, by="auto"
                )
            # Read the clock again now that the sequence row is ours: arrival order then
            # matches number order even when many kiosks wait on the same field.
            now = max(now, ctx.now())
            if service.daily_cap and seq > service.daily_cap:
                raise Conflict(
                    "service_full",
                    service=Localised(service.name, service.name_en or service.name),
                    cap=service.daily_cap,
                )
            row = TicketRow(
                centre_id=ctx.centre_id,
                service_id=service.id,
                number=numbering.format_number(service.prefix, seq),
                seq=seq,
                business_day=day,
                status="waiting",
                priority=request.priority or None,
                issued_at=now,
                queued_at=request.appointment_at or now,
                appointment_at=request.appointment_at,
                appointment_id=request.appointment_id,
                dossier_code=request.dossier_code,
                token=secrets.token_urlsafe(12),
                source=request.source,
                kiosk=request.kiosk,
                idempotency_key=key,
            )
            session.add(row)
            session.flush()
            repo.add_events(
                session,
                ctx.centre_id,
                [
                    Event(
                        "issued",
                        now,
                        row.id,
                        None,
                        {"source": request.source, "kiosk": request.kiosk},
                    )
                ],
            )
            ticket_id = row.id
            job_id = None
            printer = ctx.kiosk_printers.get(request.kiosk or "")
            if printer:
                # Stored with the ticket: a crash before printing still prints after restart.
                job = PrintJobRow(
                    centre_id=ctx.centre_id,
                    ticket_id=row.id,
                    printer=printer,
                    state="pending",
                    created_at=now,
                )
                session.add(job)
                session.flush()
                job_id = job.id
    except IntegrityError:
        # A retry with the same key raced the first request: answer with the first ticket.
        if key and (earlier := _existing(ctx, key)):
            return _repeat(ctx, earlier, request)
        raise
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        ticket = reader.ticket_payload(session.get(TicketRow, ticket_id))
        queue = reader.queue_payload()
    ctx.publish(
        [
            Outgoing(
                "queue",
                queue,
                rooms.queue_audience(ctx.centre_id),
            ),
        ]
    )
    for hook in ctx.after_issue:
        extra = hook(ticket, job_id)
        if extra:
            ticket["print"] = extra
    return Issued(ticket, created=True)


def get_ticket(ctx: QueueContext, ticket_id: int) -> dict:
    with ctx.store.read() as session:
        row = repo.ticket_row(session, ctx.centre_id, ticket_id)
        return QueueReader(ctx, session).ticket_payload(row, history=True)


def ticket_by_token(ctx: QueueContext, token: str) -> dict:
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        row = reader.ticket_by_token(token)
        if row is None:
            raise NotFound("unknown_ticket", ticket=token)
        return reader.ticket_payload(row, history=True)


def _check_counter(session, ctx: QueueContext, row: TicketRow, code: str, counter: int) -> None:
    """A clerk bound to `counter` may touch only tickets that counter could call."""
    if row.target_counter is not None:
        allowed = row.target_counter == counter
    else:
        counter_row = repo.counter_row(session, ctx.centre_id, counter)
        allowed = code in repo.counter_service_codes(session, counter_row.id)
    if not allowed:
        raise NotThisCounter("not_this_counter", number=row.number, counter=counter)


def cancel_ticket(
    ctx: QueueContext,
    ticket_id: int,
    reason: str = "",
    *,
    user_id: int | None = None,
    only_counter: int | None = None,
) -> dict:
    """Cancel a waiting ticket.  `only_counter`: the acting clerk's bound counter,
    which limits them to tickets that counter serves (None: any ticket)."""
    now = ctx.now()
    with ctx.store.write() as session:
        row = repo.ticket_row(session, ctx.centre_id, ticket_id, lock=True)
        code_by_id = {s.id: s.code for s in repo.services_of(session, ctx.centre_id)}
        if only_counter is not None:
            _check_counter(session, ctx, row, code_by_id.get(row.service_id, ""), only_counter)
        ticket = repo.to_ticket(row, code_by_id)
        if ticket.status.is_held:
            raise Conflict("ticket_at_counter", number=ticket.number, counter=ticket.counter)
        cancelled, events = states.cancel(ticket, now, reason)
        repo.apply_ticket(row, cancelled, {v: k for k, v in code_by_id.items()})
        repo.add_events(session, ctx.centre_id, events, user_id=user_id)
        audit.record(
            session,
            ctx.centre_id,
            now,
            user_id,
            "ticket.cancel",
            row.number,
            {"service": code_by_id.get(row.service_id), "reason": reason},
        )
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        payload = reader.ticket_payload(session.get(TicketRow, ticket_id))
        queue = reader.queue_payload()
    ctx.publish(
        [
            Outgoing("ticket", payload, (rooms.ticket(ctx.centre_id, payload["token"]),)),
            Outgoing(
                "queue",
                queue,
                rooms.queue_audience(ctx.centre_id),
            ),
        ]
    )
    return payload
