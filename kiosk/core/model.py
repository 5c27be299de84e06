"""The queue's value objects.  Immutable dataclasses; changes make new copies
(`dataclasses.replace`) so a decision can be inspected before it is stored."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.core.errors import Localised


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    CLOSED_UNSERVED = "closed_unserved"  # still waiting when the day was closed
    REMOTE = "remote"  # taken on a phone, not yet checked in: "next" passes over it

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
class Choice:
    """What a citizen picks on a kiosk (a field, a priority group): its code (API, centre
    file, audit log) and its name in Vietnamese, and in English when the centre gives one
    (by keyword: `name_en`)."""

    code: str
    name: str
    name_en: str = field(default="", kw_only=True)

    @property
    def names(self) -> Localised:
        """The name a message shows in its own language (English falls back to Vietnamese)."""
        return Localised(self.name, self.name_en)


@dataclass(frozen=True)
class PriorityGroup(Choice):
    description: str = ""
    description_en: str = ""
    min_age: int | None = None  # a citizen ID card holder this old is proposed the group


DEFAULT_PRIORITY_GROUPS: tuple[PriorityGroup, ...] = (
    PriorityGroup(
        "elderly",
        "Người cao tuổi",
        name_en="Elderly people",
        description="Từ 60 tuổi trở lên",
        description_en="Aged 60 or over",
        min_age=60,  # Luật Người cao tuổi 2009, art. 2 (docs/admin.md, "Priority groups")
    ),
    PriorityGroup(
        "disability",
        "Người khuyết tật",
        name_en="People with disabilities",
        description="Có giấy xác nhận khuyết tật hoặc khó khăn khi đi lại",
        description_en="With a disability certificate or difficulty moving",
    ),
    PriorityGroup(
        "pregnant",  # the name says both: someone carrying a baby would not tap "pregnant"
        "Phụ nữ mang thai hoặc nuôi con dưới 12 tháng tuổi",
        name_en="Pregnant women or mothers of a baby under 12 months",
        description="Đang mang thai, hoặc đi cùng con nhỏ dưới 12 tháng tuổi",
        description_en="Pregnant, or with a baby under 12 months",
    ),
    PriorityGroup(
        "merit",
        "Người có công với cách mạng",
        name_en="People with meritorious service",
        description="Thương binh, bệnh binh, thân nhân liệt sĩ…",
        description_en="War invalids, families of martyrs…",
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
class Service(Choice):
    prefix: str
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
    name_en: str = ""  # the name English screens show ("Counter 3")


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
