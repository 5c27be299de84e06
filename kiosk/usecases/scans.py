"""What a scanned code does.

At a kiosk: a booking code checks the booking in; a dossier receipt code
(mã hồ sơ) takes a number for the result pick-up field carrying that code;
anything else is "not recognised" and issues nothing.  At a counter: a
ticket's QR (its status URL) or its printed number calls that ticket there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.core import numbering
from kiosk.core.errors import DomainError, InvalidInput, NotFound
from kiosk.store.tables import CentreRow
from kiosk.usecases import appointments, counters, tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import QueueReader

# Dossier codes as the national one-stop software prints them: 000.00.19.H34-241123-0001
DEFAULT_RECEIPT_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
TOKEN_IN_URL = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?$")


@dataclass(frozen=True)
class ScanResult:
    kind: str  # checkin | pickup | call | error
    ticket: dict | None = None
    error: DomainError | None = None


def _settings(ctx: QueueContext) -> dict:
    with ctx.store.read() as session:
        return dict(session.get(CentreRow, ctx.centre_id).settings or {})


def at_kiosk(ctx: QueueContext, kiosk: str, code: str) -> ScanResult:
    code = code.strip()
    settings = _settings(ctx)
    try:
        if appointments.find_booking(ctx, code) is not None:
            return ScanResult("checkin", appointments.check_in(ctx, code, kiosk))
        pattern = settings.get("receipt_pattern", DEFAULT_RECEIPT_PATTERN)
        if re.fullmatch(pattern, code):
            issued = tickets.issue_ticket(
                ctx,
                tickets.IssueRequest(
                    service=settings.get("pickup_service", "TKQ"),
                    kiosk=kiosk,
                    source="scan",
                    dossier_code=code,
                    idempotency_key=f"receipt-{code}"[:64],
                ),
            )
            return ScanResult("pickup", issued.ticket)
        raise InvalidInput("code_not_recognised")
    except DomainError as error:
        return ScanResult("error", error=error)


def at_counter(
    ctx: QueueContext, counter: int, code: str, user_id: int | None = None
) -> ScanResult:
    code = code.strip()
    try:
        match = TOKEN_IN_URL.search(code)
        if match:
            with ctx.store.read() as session:
                row = QueueReader(ctx, session).ticket_by_token(match.group(1))
                if row is None:
                    raise NotFound("unknown_ticket", ticket=code[-24:])
                number = row.number
        else:
            number = numbering.parse_number(code)
        return ScanResult("call", counters.call_number(ctx, counter, number, user_id=user_id))
    except DomainError as error:
        return ScanResult("error", error=error)
