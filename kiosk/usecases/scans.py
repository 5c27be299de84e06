"""What a scanned code does.

At a kiosk: a booking code checks the booking in; a dossier receipt code
(mã hồ sơ) takes a number for the result pick-up field carrying that code;
anything else is "not recognised" and issues nothing.  At a counter: a
ticket's QR (its status URL) or its printed number calls that ticket there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kiosk.core import numbering
from kiosk.core.errors import Conflict, DomainError, InvalidInput, NotFound
from kiosk.store import repository as repo
from kiosk.store.tables import AppointmentRow, CentreRow, ServiceRow, TicketRow
from kiosk.usecases import appointments, counters, tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import QueueReader

# Dossier codes as the national one-stop software prints them: 000.00.19.H34-241123-0001
DEFAULT_RECEIPT_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
TOKEN_IN_URL = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?$")
# A pick-up ticket in one of these still holds the citizen's place.
OPEN_STATUSES = ("waiting", "called", "serving")
# Outside the check-in window the citizen may still queue: the kiosk offers a normal number.
OFFER_NORMAL_TICKET = ("appointment_too_early", "appointment_too_late")


@dataclass(frozen=True)
class ScanResult:
    kind: str  # checkin | pickup | call | error
    ticket: dict | None = None
    error: DomainError | None = None
    offer: str | None = None  # a field code: "take a normal number here instead"
    note: tuple[str, dict] | None = None  # message code + params shown with the ticket


def _settings(ctx: QueueContext) -> dict:
    with ctx.store.read() as session:
        return dict(session.get(CentreRow, ctx.centre_id).settings or {})


def at_kiosk(ctx: QueueContext, kiosk: str, code: str) -> ScanResult:
    code = code.strip()
    settings = _settings(ctx)
    try:
        if appointments.find_booking(ctx, code) is not None:
            try:
                ticket = appointments.check_in(ctx, code, kiosk)
            except Conflict as error:
                if error.code not in OFFER_NORMAL_TICKET:
                    raise
                return ScanResult("error", error=error, offer=_booked_service(ctx, code))
            slot = datetime.fromisoformat(ticket["appointment_at"]).astimezone(ctx.tz)
            return ScanResult(
                "checkin", ticket, note=("scan_checked_in", {"time": f"{slot:%H:%M}"})
            )
        pattern = settings.get("receipt_pattern", DEFAULT_RECEIPT_PATTERN)
        if re.fullmatch(pattern, code):
            ticket = _pickup(ctx, code, kiosk, settings.get("pickup_service", "TKQ"))
            return ScanResult("pickup", ticket, note=("scan_pickup", {"dossier": code}))
        raise InvalidInput("code_not_recognised")
    except DomainError as error:
        return ScanResult("error", error=error)


def _pickup(ctx: QueueContext, code: str, kiosk: str, service: str) -> dict:
    """A receipt scanned again while its pick-up ticket is still open gets that ticket back
    (a transfer's new ticket counts: it carries the code).  Once it is finished (served,
    no-show, cancelled) a citizen who returns the same day gets a new number."""
    day = numbering.business_day(ctx.now(), ctx.tz)
    with ctx.store.read() as session:
        rows = (
            session.execute(
                select(TicketRow)
                .where(
                    TicketRow.centre_id == ctx.centre_id,
                    TicketRow.business_day == day,
                    TicketRow.dossier_code == code,
                )
                .order_by(TicketRow.id)
            )
            .scalars()
            .all()
        )
        open_rows = [row for row in rows if row.status in OPEN_STATUSES]
        if open_rows:
            return QueueReader(ctx, session).ticket_payload(open_rows[-1])
    issued = tickets.issue_ticket(
        ctx,
        tickets.IssueRequest(
            service=service,
            kiosk=kiosk,
            source="scan",
            dossier_code=code,
            # Two kiosks scanning the same receipt at once count the same tickets: one number.
            idempotency_key=f"receipt-{day:%Y%m%d}-{len(rows)}-{code}"[:64],
        ),
    )
    return issued.ticket


def _booked_service(ctx: QueueContext, code: str) -> str | None:
    """The field of a booking, if it still takes numbers."""
    with ctx.store.read() as session:
        return session.execute(
            select(ServiceRow.code)
            .join(AppointmentRow, AppointmentRow.service_id == ServiceRow.id)
            .where(
                AppointmentRow.centre_id == ctx.centre_id,
                appointments.same_code(code),
                ServiceRow.active.is_(True),
            )
        ).scalar_one_or_none()


def at_counter(
    ctx: QueueContext, counter: int, code: str, user_id: int | None = None
) -> ScanResult:
    """Call the scanned ticket here.  A serial scanner has no login: without `user_id` the
    call is made for the clerk signed in at the counter, so ratings reach the right person."""
    code = code.strip()
    try:
        with ctx.store.read() as session:
            if user_id is None:
                user_id = repo.counter_row(session, ctx.centre_id, counter).current_user_id
            match = TOKEN_IN_URL.search(code)
            if match:
                row = QueueReader(ctx, session).ticket_by_token(match.group(1))
                if row is None:
                    raise NotFound("unknown_ticket", ticket=code[-24:])
                number = row.number
            else:
                number = numbering.parse_number(code)
        return ScanResult("call", counters.call_number(ctx, counter, number, user_id=user_id))
    except DomainError as error:
        return ScanResult("error", error=error)
