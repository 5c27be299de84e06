"""Who is called next at a counter.

The rule, in order:
1. tickets transferred to this very counter, oldest first (they already waited);
2. the class chosen by the centre's priority policy: *strict* serves any
   waiting priority ticket first; *interleave* serves one priority ticket after
   every N normal calls (or whichever class is the only one waiting);
3. within the class: the counter's services in its preference order, then
   the ordering time (arrival, booked time for appointments, or the original
   arrival kept across a transfer), then the ticket id.  Oldest first, always.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.core.model import Counter, PolicyMode, PriorityPolicy, Ticket, TicketStatus


@dataclass(frozen=True)
class PolicyState:
    """Per-centre memory of the interleave policy."""

    normal_since_priority: int = 0


def eligible(ticket: Ticket, counter: Counter) -> bool:
    if ticket.status is not TicketStatus.WAITING:
        return False
    if ticket.target_counter is not None:
        return ticket.target_counter == counter.number
    return ticket.service_code in counter.services


def _order_key(ticket: Ticket, counter: Counter) -> tuple:
    preference = (
        counter.services.index(ticket.service_code)
        if ticket.service_code in counter.services
        else len(counter.services)
    )
    return (preference, ticket.queued_at, ticket.id or 0)


def choose_next(
    waiting: Iterable[Ticket],
    counter: Counter,
    policy: PriorityPolicy,
    state: PolicyState,
) -> tuple[Ticket | None, PolicyState]:
    """The ticket `counter` should call now, and the policy state after calling it."""
    candidates = [t for t in waiting if eligible(t, counter)]
    if not candidates:
        return None, state
    targeted = [t for t in candidates if t.target_counter == counter.number]
    if targeted:
        return min(targeted, key=lambda t: (t.queued_at, t.id or 0)), state

    priority = [t for t in candidates if t.priority]
    normal = [t for t in candidates if not t.priority]
    take_priority = bool(priority) and (
        not normal
        or policy.mode is PolicyMode.STRICT
        or state.normal_since_priority >= policy.normal_per_priority
    )
    if take_priority:
        chosen = min(priority, key=lambda t: _order_key(t, counter))
        return chosen, PolicyState(normal_since_priority=0)
    chosen = min(normal, key=lambda t: _order_key(t, counter))
    return chosen, PolicyState(normal_since_priority=state.normal_since_priority + 1)


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket], policy: PriorityPolicy) -> int:
    """How many waiting tickets of the same service are served before `ticket`.

    Counts the same class queued earlier, plus, for a normal ticket, every
    priority ticket under strict policy (under interleave, one per N normal
    tickets ahead) and, for a priority ticket under interleave, the N normal
    tickets called after each earlier priority one.  The interleave counter
    (`PolicyState`) is not known here, so under interleave this is an estimate
    that some value of the counter would make exact.
    """
    same_service = [
        t
        for t in waiting
        if t.status is TicketStatus.WAITING
        and t.service_code == ticket.service_code
        and t.target_counter is None
        and t.id != ticket.id
    ]
    key = (ticket.queued_at, ticket.id or 0)
    # choose_next treats "interleave 0 normal : 1 priority" as strict; so must the estimate.
    strict = policy.mode is PolicyMode.STRICT or policy.normal_per_priority < 1
    if ticket.priority:
        earlier_priority = sum(
            1 for t in same_service if t.priority and (t.queued_at, t.id or 0) < key
        )
        if strict:
            return earlier_priority
        # N normal calls come between two priority ones (assuming a priority turn is due now).
        waiting_normal = sum(1 for t in same_service if not t.priority)
        return earlier_priority + min(waiting_normal, earlier_priority * policy.normal_per_priority)
    earlier_normal = sum(
        1 for t in same_service if not t.priority and (t.queued_at, t.id or 0) < key
    )
    waiting_priority = sum(1 for t in same_service if t.priority)
    if strict:
        return earlier_normal + waiting_priority
    interleaved = (earlier_normal + 1) // policy.normal_per_priority
    return earlier_normal + min(waiting_priority, interleaved)
