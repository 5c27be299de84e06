"""The queue core: tickets, services, counters, priority policy, numbering and
the state machine.  Plain Python only: nothing here imports Flask, SQLAlchemy,
socketio, serial or escpos.  Functions take the current state and a clock
value (`now`, an aware datetime) and return the new state plus the events
they caused; an illegal move raises `DomainError`.
"""

from kiosk.core.errors import DomainError
from kiosk.core.model import (
    Counter,
    CounterState,
    Event,
    PriorityGroup,
    PriorityPolicy,
    Service,
    Ticket,
    TicketStatus,
)

__all__ = [
    "Counter",
    "CounterState",
    "DomainError",
    "Event",
    "PriorityGroup",
    "PriorityPolicy",
    "Service",
    "Ticket",
    "TicketStatus",
]
