"""The ticket and counter state machine.

    waiting ──call──▶ called ──start──▶ serving ──finish──▶ done
       │                │  ▲                │
       │                │  └─recall         ├──transfer──▶ transferred (+ a new waiting ticket)
       │                └──no_show──▶ no_show ──call──▶ called   (came back late: called by number)
       ├──cancel──▶ cancelled
       └──close_unserved──▶ closed_unserved   (the day was closed while it waited)
    remote ──check_in──▶ waiting   (kiosk/core/remote.py; also close_unserved, cancel)

`finish` is also allowed straight from `called`: a clerk who never pressed
"start" still finishes; service time then counts from the call.  Only a
waiting ticket can be cancelled: a called one is held by a counter, which
`cancel` does not get to free, so the clerk closes it (no-show or finish).
Every function returns the new value(s) and the events to store; an illegal
move raises Conflict and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import Counter, CounterState, Event, Ticket, TicketStatus

S = TicketStatus


def _require(ticket: Ticket, allowed: tuple[TicketStatus, ...], action: str) -> None:
    if ticket.status not in allowed:
        raise Conflict(
            "illegal_transition", number=ticket.number, status=ticket.status.value, action=action
        )


def _require_holder(ticket: Ticket, counter: Counter, action: str) -> None:
    if ticket.counter != counter.number:
        raise Conflict(
            "not_your_ticket", number=ticket.number, counter=counter.number, action=action
        )


def call(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, Counter, list[Event]]:
    """A counter calls a waiting ticket (by "next" or by its number)."""
    if counter.state is CounterState.PAUSED:
        raise Conflict("counter_paused", counter=counter.number)
    if counter.current_ticket_id is not None:
        raise Conflict("counter_busy", counter=counter.number)
    if ticket.status is S.REMOTE:  # a clerk never calls someone who is not there
        raise Conflict("remote_not_checked_in", number=ticket.number)
    # A citizen marked absent who comes back is called again by number (never by "next").
    _require(ticket, (S.WAITING, S.NO_SHOW), "call")
    if ticket.id is None:
        # The counter records what it holds by id; without one it would look free.
        raise InvalidInput("ticket_not_stored", number=ticket.number)
    if ticket.target_counter is not None and ticket.target_counter != counter.number:
        raise Conflict(
            "reserved_for_other_counter", number=ticket.number, counter=ticket.target_counter
        )
    called = replace(ticket, status=S.CALLED, counter=counter.number, called_at=now)
    held = replace(counter, current_ticket_id=ticket.id)
    return called, held, [Event("called", now, ticket.id, counter.number)]


def recall(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, list[Event]]:
    _require(ticket, (S.CALLED,), "recall")
    _require_holder(ticket, counter, "recall")
    recalled = replace(ticket, recalls=ticket.recalls + 1)
    return recalled, [
        Event("recalled", now, ticket.id, counter.number, {"recall": recalled.recalls})
    ]


def start(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, list[Event]]:
    _require(ticket, (S.CALLED,), "start")
    _require_holder(ticket, counter, "start")
    return replace(ticket, status=S.SERVING, started_at=now), [
        Event("started", now, ticket.id, counter.number)
    ]


def finish(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, Counter, list[Event]]:
    _require(ticket, (S.CALLED, S.SERVING), "finish")
    _require_holder(ticket, counter, "finish")
    done = replace(
        ticket, status=S.DONE, finished_at=now, started_at=ticket.started_at or ticket.called_at
    )
    return (
        done,
        replace(counter, current_ticket_id=None),
        [Event("finished", now, ticket.id, counter.number)],
    )


def no_show(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, Counter, list[Event]]:
    _require(ticket, (S.CALLED,), "no_show")
    _require_holder(ticket, counter, "no_show")
    gone = replace(ticket, status=S.NO_SHOW, finished_at=now)
    return (
        gone,
        replace(counter, current_ticket_id=None),
        [Event("no_show", now, ticket.id, counter.number)],
    )


def cancel(ticket: Ticket, now: datetime, reason: str = "") -> tuple[Ticket, list[Event]]:
    _require(ticket, (S.WAITING, S.REMOTE), "cancel")
    return replace(ticket, status=S.CANCELLED, finished_at=now), [
        Event("cancelled", now, ticket.id, ticket.counter, {"reason": reason} if reason else {})
    ]


def close_unserved(ticket: Ticket, now: datetime, by: str = "") -> tuple[Ticket, list[Event]]:
    """The day ends with the citizen still waiting: mark the ticket, never drop it, so
    reports count who went home unserved."""
    _require(ticket, (S.WAITING, S.REMOTE), "close_unserved")
    return replace(ticket, status=S.CLOSED_UNSERVED, finished_at=now), [
        Event("closed_unserved", now, ticket.id, None, {"by": by} if by else {})
    ]


def transfer(
    ticket: Ticket,
    counter: Counter,
    now: datetime,
    *,
    to_service: str | None = None,
    to_counter: int | None = None,
    keep_place: bool = True,
    note: str = "",
) -> tuple[Ticket, Ticket, Counter, list[Event]]:
    """Close the ticket at this counter and queue a new one for a field or a counter.

    The new ticket keeps the citizen's number and, unless the centre says
    otherwise, their place (the original ordering time).  Returns
    (closed ticket, new waiting ticket without id, freed counter, events);
    the caller stores the new ticket and fills its id into the events.
    """
    _require(ticket, (S.CALLED, S.SERVING), "transfer")
    _require_holder(ticket, counter, "transfer")
    if (to_service is None) == (to_counter is None):
        raise InvalidInput("transfer_target_required")
    if to_counter is not None and to_counter == counter.number:
        raise InvalidInput("transfer_to_same_counter", counter=to_counter)
    closed = replace(
        ticket,
        status=S.TRANSFERRED,
        finished_at=now,
        started_at=ticket.started_at or ticket.called_at,
    )
    new = replace(
        ticket,
        id=None,
        parent_id=ticket.id,
        service_code=to_service or ticket.service_code,
        status=S.WAITING,
        queued_at=ticket.queued_at if keep_place else now,
        target_counter=to_counter,
        counter=None,
        called_at=None,
        started_at=None,
        finished_at=None,
        recalls=0,
    )
    data = {"to_service": to_service, "to_counter": to_counter}
    if note:
        data["note"] = note
    return (
        closed,
        new,
        replace(counter, current_ticket_id=None),
        [Event("transferred", now, ticket.id, counter.number, data)],
    )


def pause(counter: Counter, now: datetime, reason: str = "") -> tuple[Counter, list[Event]]:
    if counter.current_ticket_id is not None:
        raise Conflict("counter_busy", counter=counter.number)
    if counter.state is CounterState.PAUSED:
        raise Conflict("counter_paused", counter=counter.number)
    return replace(counter, state=CounterState.PAUSED, pause_reason=reason or None), [
        Event("paused", now, None, counter.number, {"reason": reason} if reason else {})
    ]


def resume(counter: Counter, now: datetime) -> tuple[Counter, list[Event]]:
    if counter.state is not CounterState.PAUSED:
        raise Conflict("counter_not_paused", counter=counter.number)
    return replace(counter, state=CounterState.OPEN, pause_reason=None), [
        Event("resumed", now, None, counter.number)
    ]
