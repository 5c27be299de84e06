"""Issuing a ticket: may this field give out a number now, and what is the new ticket?

The decision has two steps because the store's atomic daily sequence sits
between them:

1. `admit` — before a number is taken: the request is well formed, the field
   (or the centre, when the field has no hours of its own) is open, the
   priority group exists; answers the business day the number belongs to;
2. `number_ticket` — once the sequence is taken: refuses a field past its
   daily cap, writes the number and returns the waiting ticket, and whether
   this first number of a new day must first close what earlier days left
   waiting.

`same_request` decides whether an idempotency key sent again is the same tap
(answer with the first ticket) or a client bug (refused).  Plain values only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.core import hours, numbering
from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import PriorityPolicy, Service, Ticket, TicketStatus

SOURCES = ("kiosk", "web", "scan", "remote")  # "remote": only through POST /remote-tickets
MAX_KEY_LENGTH = 64  # the column's width: a key cut short could match another one


@dataclass(frozen=True)
class OpeningHours:
    """When a field takes numbers: its own table when an admin set one (it replaces
    the centre's for that field), else the centre's; holidays are the centre's."""

    timezone: str
    table: Mapping[str, Iterable[str]] | None = None
    holidays: tuple[str | date, ...] = ()
    own: bool = False  # the field's own hours, not the centre's

    def is_open(self, now: datetime) -> bool:
        return hours.is_open(now.astimezone(ZoneInfo(self.timezone)), self.table, self.holidays)

    def reopens_at(self, now: datetime) -> datetime | None:
        """The local time a closed place opens again, or None."""
        local = now.astimezone(ZoneInfo(self.timezone))
        return hours.next_opening(local, self.table, self.holidays)


def when_text(opening: datetime | None, now: datetime) -> str:
    """ "13:30" later today, "07:30 01/12" on another day ("" when unknown)."""
    if opening is None:
        return ""
    if opening.date() == now.astimezone(opening.tzinfo).date():
        return f"{opening:%H:%M}"
    return f"{opening:%H:%M %d/%m}"


def check_request(source: str, idempotency_key: str | None) -> str | None:
    """Refuse an unknown source or an over-long key; the key as stored (None when blank)."""
    if source not in SOURCES:
        raise InvalidInput("invalid_source", source=source)
    key = (idempotency_key or "").strip() or None
    if key and len(key) > MAX_KEY_LENGTH:
        raise InvalidInput("invalid_idempotency_key")
    return key


def same_request(
    earlier_service: str,
    earlier_priority: str | None,
    service: str,
    priority: str | None,
    number: str,
) -> None:
    """A key sent again (double tap, network retry) must ask for the same field and
    priority as the ticket it first issued; otherwise the client reused a key."""
    if earlier_service != service or (earlier_priority or None) != (priority or None):
        raise Conflict("idempotency_key_reused", number=number)


def admit(
    service: Service,
    opening: OpeningHours,
    policy: PriorityPolicy,
    priority: str | None,
    now: datetime,
) -> date:
    """May `service` take a number at `now`?  Answers the business day; raises
    `field_closed` / `centre_closed` (with when it reopens) or `unknown_priority`."""
    if not opening.is_open(now):
        reopens = when_text(opening.reopens_at(now), now)
        if opening.own:
            raise Conflict("field_closed", service=service.names, reopens=reopens)
        raise Conflict("centre_closed", reopens=reopens)
    if priority and policy.group(priority) is None:
        raise InvalidInput("unknown_priority", priority=priority)
    return numbering.business_day(now, opening.timezone)


@dataclass(frozen=True)
class Issue:
    """The decision: the waiting ticket (without id), and the last earlier day whose
    waiting tickets must be closed first (None unless this is a new day's first number)."""

    ticket: Ticket
    seq: int
    close_through: date | None


def number_ticket(
    centre_id: int,
    service: Service,
    seq: int,
    day: date,
    issued_at: datetime,
    *,
    priority: str | None = None,
    appointment_at: datetime | None = None,
) -> Issue:
    """The ticket numbered `seq` of `service` on `day`; raises `service_full` past the
    daily cap and `sequence_exhausted` past the last number that can be typed back.
    A checked-in booking is ordered by its booked time, everyone else by arrival."""
    if service.daily_cap and seq > service.daily_cap:
        raise Conflict("service_full", service=service.names, cap=service.daily_cap)
    ticket = Ticket(
        centre_id=centre_id,
        service_code=service.code,
        number=numbering.format_number(service.prefix, seq),
        business_day=day,
        issued_at=issued_at,
        queued_at=appointment_at or issued_at,
        status=TicketStatus.WAITING,
        priority=priority or None,
        appointment_at=appointment_at,
    )
    return Issue(ticket, seq, day - timedelta(days=1) if seq == 1 else None)
