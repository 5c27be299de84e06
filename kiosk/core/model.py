"""The queue's value objects.  Immutable dataclasses; changes make new copies
(`dataclasses.replace`) so a decision can be inspected before it is stored."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    CLOSED_UNSERVED = "closed_unserved"  # still waiting when the day was closed

    @property
    def is_open(self) -> bool:
        """Still in the building's queue or at a counter."""
        return self in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)

    @property
    def is_held(self) -> bool:
        """Held by a counter (called or being served)."""
        return self in (TicketStatus.CALLED, TicketStatus.SERVING)


class CounterState(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"


class PolicyMode(enum.StrEnum):
    STRICT = "strict"  # any waiting priority ticket goes first
    INTERLEAVE = "interleave"  # one priority ticket after every N normal ones


@dataclass(frozen=True)
class PriorityGroup:
    code: str
    name: str
    name_en: str
    description: str = ""
    description_en: str = ""


DEFAULT_PRIORITY_GROUPS: tuple[PriorityGroup, ...] = (
    PriorityGroup(
        "elderly", "Người cao tuổi", "Elderly people", "Từ 60 tuổi trở lên", "Aged 60 or over"
    ),
    PriorityGroup(
        "disability",
        "Người khuyết tật",
        "People with disabilities",
        "Có giấy xác nhận khuyết tật hoặc khó khăn khi đi lại",
        "With a disability certificate or difficulty moving",
    ),
    PriorityGroup(
        "pregnant",
        "Phụ nữ mang thai",
        "Pregnant women",
        "Hoặc đang bế con nhỏ dưới 12 tháng",
        "Or carrying a baby under 12 months",
    ),
    PriorityGroup(
        "merit",
        "Người có công với cách mạng",
        "People with meritorious service",
        "Thương binh, bệnh binh, thân nhân liệt sĩ…",
        "War invalids, families of martyrs…",
    ),
)


@dataclass(frozen=True)
class PriorityPolicy:
    mode: PolicyMode = PolicyMode.STRICT
    normal_per_priority: int = 3
    groups: tuple[PriorityGroup, ...] = DEFAULT_PRIORITY_GROUPS

    def group(self, code: str | None) -> PriorityGroup | None:
        return next((g for g in self.groups if g.code == code), None)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    prefix: str
    name_en: str = ""
    daily_cap: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Counter:
    number: int
    name: str
    services: tuple[str, ...]  # service codes; order = preference when calling next
    state: CounterState = CounterState.OPEN
    pause_reason: str | None = None
    current_ticket_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Ticket:
    centre_id: int
    service_code: str
    number: str  # "A012"; a transferred ticket keeps the citizen's number
    business_day: date
    issued_at: datetime
    queued_at: datetime  # ordering time: arrival, booked time, or kept across a transfer
    status: TicketStatus = TicketStatus.WAITING
    priority: str | None = None  # a PriorityGroup code
    appointment_at: datetime | None = None
    target_counter: int | None = None  # only this counter may call it (transfer to a counter)
    counter: int | None = None  # the counter holding or last holding it
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    parent_id: int | None = None  # the ticket this one was transferred from
    id: int | None = None


@dataclass(frozen=True)
class Event:
    """One timestamped fact, stored as a row; wait and service times are computed from these."""

    kind: (
        str  # issued called recalled started finished no_show cancelled transferred paused
        # resumed closed_unserved
    )
    at: datetime
    ticket_id: int | None = None
    counter: int | None = None
    data: dict = field(default_factory=dict)
