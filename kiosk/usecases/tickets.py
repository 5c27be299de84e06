"""Issuing, reading and cancelling tickets.

A cancel is audited (`ticket.cancel`, who and why).  A clerk bound to a counter
cancels only tickets that counter could call: of a field it serves, or sent to
it; supervisors and admins (and unbound clerks) cancel any waiting ticket."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import rooms
from kiosk.core import issuing, states
from kiosk.core.errors import Conflict, DomainError, NotFound
from kiosk.core.model import Event, TicketStatus
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store import setup_cache
from kiosk.store.tables import PrintJobRow, TicketRow
from kiosk.usecases import audit, availability, closing, device_config, remote_standing
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader


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
    remote: remote_standing.RemoteRequest | None = None  # a remote number (usecases/remote.py)


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
        return QueueReader(ctx, session).holder_ticket(row) if row else None  # the issuer's


def _repeat(ctx: QueueContext, earlier: dict, request: IssueRequest) -> Issued:
    """The same tap again (a double tap, a network retry): the first ticket, with what
    became of its print job, so the kiosk still shows "photograph your number" when the
    printer failed."""
    issuing.same_request(
        earlier["service"],
        earlier["priority"],
        request.service,
        request.priority,
        earlier["number"],
    )
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


def _store_new(
    ctx: QueueContext, session: Session, request: IssueRequest, key: str | None, now: datetime
) -> tuple[dict, dict | None, int | None, setup_cache.Setup]:
    """Number and store a new ticket in the caller's write transaction: the issuer's
    ticket, the queue as of this commit (None: read it after the commit), the print
    job's id (None: the kiosk prints nowhere) and the set-up this transaction saw."""
    # The set-up as this transaction sees it (one version number, the rest kept by
    # this process): two hub processes agree on the zone, so on the business day.
    reader = QueueReader(ctx, session)
    service_row = repo.service_by_code(session, ctx.centre_id, request.service)
    service = repo.to_service(service_row)
    centre = reader.centre
    day = issuing.admit(
        service,
        availability.opening_hours(centre, service_row),
        reader.policy,
        request.priority,
        now,
    )
    ctx.timezone = centre.timezone
    admitted = None
    if request.remote is not None:  # its limits, before a number is taken
        admitted = remote_standing.admit(
            session,
            ctx.centre_id,
            ctx.identity_key,
            service_row,
            day,
            request.remote,
            centre.settings,
        )
    seq = repo.next_sequence(session, service.id, day)
    # Read the clock again now that the sequence row is ours: arrival order then
    # matches number order even when many kiosks wait on the same field.
    issue = issuing.number_ticket(
        ctx.centre_id,
        service,
        seq,
        day,
        max(now, ctx.now()),
        priority=request.priority,
        appointment_at=request.appointment_at,
    )
    if issue.close_through is not None:
        # A field's first number of a new day: close what earlier days left waiting.
        closing.close_waiting(
            session, ctx.centre_id, through=issue.close_through, now=now, by="auto"
        )
    issued_at = issue.ticket.issued_at
    new = issue.ticket
    if admitted is not None:  # placed now, called only after check-in (core/remote.py)
        new = replace(new, status=TicketStatus.REMOTE)
    row = repo.new_ticket_row(
        new,
        {service.code: service.id},
        seq=seq,
        token=secrets.token_urlsafe(12),
        source=request.source,
        kiosk=request.kiosk,
        dossier_code=request.dossier_code,
        idempotency_key=key,
        appointment_id=request.appointment_id,
    )
    repo.insert_ticket(session, row)
    if admitted is not None:
        remote_standing.record(session, row, admitted)
    repo.add_events(
        session,
        ctx.centre_id,
        [
            Event(
                "issued",
                issued_at,
                row.id,
                None,
                {"source": request.source, "kiosk": request.kiosk},
            )
        ],
    )
    job_id = None
    printer = device_config.kiosk_printer(session, ctx.centre_id, request.kiosk)
    if printer:
        # Stored with the ticket: a crash before printing still prints after restart.
        job = PrintJobRow(
            centre_id=ctx.centre_id,
            ticket_id=row.id,
            printer=printer,
            state="pending",
            created_at=issued_at,
            language=ctx.reader_language(),
        )
        session.add(job)
        session.flush()
        job_id = job.id
    # The answer, read in this transaction: every earlier ticket of the field is
    # committed (each waited for the field's sequence row), so its place is the
    # one a read after the commit would give.  The issuer holds it.
    ticket = reader.holder_ticket(row)
    # SQLite lets one writer at a time in (every process): the counts read here are
    # the counts at this commit.  PostgreSQL issues of other fields commit
    # alongside, so the queue is read after the commit, as each of them does.
    queue = reader.queue_payload() if ctx.store.is_sqlite else None
    return ticket, queue, job_id, reader.setup


def issue_ticket(ctx: QueueContext, request: IssueRequest) -> Issued:
    """Give a citizen the next number of a field; the same idempotency key never issues twice.
    The rules are kiosk/core/issuing.py's; this loads what they need, stores the ticket
    (and its print job) and publishes the queue."""
    key = issuing.check_request(request.source, request.idempotency_key)
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            # The same tap again (a double tap, a network retry)?  Asked in the write
            # transaction: every kiosk sends a key, and this costs no transaction of its own.
            repeated = key is not None and repo.ticket_with_key(session, ctx.centre_id, key)
            if not repeated:
                ticket, queue, job_id, setup = _store_new(ctx, session, request, key, now)
    except IntegrityError:
        # A retry with the same key raced the first request: answer with the first ticket.
        if key and (earlier := _existing(ctx, key)):
            return _repeat(ctx, earlier, request)
        raise
    if repeated:
        return _repeat(ctx, _existing(ctx, key), request)
    if queue is None:
        # Read with the set-up the write just checked (one SELECT of its version less
        # per ticket): a change to it committed in between publishes fresh snapshots
        # to every screen itself (usecases/broadcast.py).
        with ctx.store.read() as session:
            queue = QueueReader(ctx, session, setup=setup).queue_payload()
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
        return QueueReader(ctx, session).staff_ticket(row, history=True)


def ticket_by_token(ctx: QueueContext, token: str) -> dict:
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        row = reader.ticket_by_token(token)
        if row is None:
            raise NotFound("unknown_ticket", ticket=token)
        return reader.holder_ticket(row, history=True)


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
        row = session.get(TicketRow, ticket_id)
        payload, holder = reader.staff_ticket(row), reader.holder_ticket(row)
        queue = reader.queue_payload()
    ctx.publish(
        [
            Outgoing("ticket", holder, (rooms.ticket(ctx.centre_id, holder["token"]),)),
            Outgoing(
                "queue",
                queue,
                rooms.queue_audience(ctx.centre_id),
            ),
        ]
    )
    return payload
