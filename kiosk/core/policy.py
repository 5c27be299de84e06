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


@dataclass(frozen=True)
class Ahead:
    """The counts "people ahead" depends on, among the waiting tickets of one field that
    no counter was named for (the ticket itself left out): its class queued earlier, and
    each class in all.  The store counts them in SQL (repository.ahead_counts) so a long
    queue is never loaded to count it."""

    earlier_priority: int = 0
    earlier_normal: int = 0
    waiting_priority: int = 0
    waiting_normal: int = 0


def ahead_counts(ticket: Ticket, waiting: Iterable[Ticket]) -> Ahead:
    """The counts for `ticket` from the whole waiting list (the straightforward way)."""
    same_service = [
        t
        for t in waiting
        if t.status is TicketStatus.WAITING
        and t.service_code == ticket.service_code
        and t.target_counter is None
        and t.id != ticket.id
    ]
    key = (ticket.queued_at, ticket.id or 0)
    earlier = [t for t in same_service if (t.queued_at, t.id or 0) < key]
    return Ahead(
        earlier_priority=sum(1 for t in earlier if t.priority),
        earlier_normal=sum(1 for t in earlier if not t.priority),
        waiting_priority=sum(1 for t in same_service if t.priority),
        waiting_normal=sum(1 for t in same_service if not t.priority),
    )


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket], policy: PriorityPolicy) -> int:
    """How many waiting tickets of the same service are served before `ticket`."""
    return people_ahead_of(bool(ticket.priority), ahead_counts(ticket, waiting), policy)


def people_ahead_of(priority: bool, counts: Ahead, policy: PriorityPolicy) -> int:
    """How many waiting tickets of the same service are served before a ticket of this
    class, given its counts.

    Counts the same class queued earlier, plus, for a normal ticket, every
    priority ticket under strict policy (under interleave, one per N normal
    tickets ahead) and, for a priority ticket under interleave, the N normal
    tickets called after each earlier priority one.  The interleave counter
    (`PolicyState`) is not known here, so under interleave this is an estimate
    that some value of the counter would make exact.
    """
    # choose_next treats "interleave 0 normal : 1 priority" as strict; so must the estimate.
    strict = policy.mode is PolicyMode.STRICT or policy.normal_per_priority < 1
    if priority:
        if strict:
            return counts.earlier_priority
        # N normal calls come between two priority ones (assuming a priority turn is due now).
        return counts.earlier_priority + min(
            counts.waiting_normal, counts.earlier_priority * policy.normal_per_priority
        )
    if strict:
        return counts.earlier_normal + counts.waiting_priority
    interleaved = (counts.earlier_normal + 1) // policy.normal_per_priority
    return counts.earlier_normal + min(counts.waiting_priority, interleaved)


def heads(waiting: Iterable[Ticket], counter: Counter) -> list[Ticket]:
    """The only tickets `choose_next` can pick for `counter`: the oldest sent to it, and the
    oldest of each class in each of its fields.  Choosing among these gives the same
    ticket as choosing among all (repository.queue_heads reads just these in SQL)."""
    best: dict[tuple, Ticket] = {}
    for t in waiting:
        if not eligible(t, counter):
            continue
        slot = ("to",) if t.target_counter is not None else (t.service_code, bool(t.priority))
        if slot not in best or (t.queued_at, t.id or 0) < (
            best[slot].queued_at,
            best[slot].id or 0,
        ):
            best[slot] = t
    return list(best.values())
