"""Appointment rules: when a booking may be made, how many a person may hold,
and when its holder may check in.

Defaults follow Hanoi's rules for online numbers (VIETNAM.md): booked
numbers count like kiosk numbers, at most 2 a day per person and 1 per
field, booked for today or up to 6 days ahead; check-in from 15 minutes
before to 10 minutes after the booked time.  Every number is a centre setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.core.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class BookingRules:
    per_person_per_day: int = 2
    per_person_per_field: int = 1
    days_ahead: int = 6
    early_min: int = 15
    late_min: int = 10

    @classmethod
    def from_settings(cls, settings: dict | None) -> BookingRules:
        values = {k: int(v) for k, v in (settings or {}).items() if k in cls.__dataclass_fields__}
        return cls(**values)


@dataclass(frozen=True)
class Booking:
    """What the rules need to know of an existing or new booking."""

    # Who booked: an id number or phone, or several identities of one person
    # (`identities_of`); "" or empty = unknown person, no per-person limit.
    person: str | frozenset[str]
    service: str
    day: date

    @property
    def identities(self) -> frozenset[str]:
        if isinstance(self.person, str):
            return frozenset({self.person}) if self.person else frozenset()
        return frozenset(p for p in self.person if p)


def identities_of(person_id: str | None, phone: str | None) -> frozenset[str]:
    """A person as booking systems send them: an id number, a phone, or both.  Two bookings
    sharing either are the same person, so leaving out the id number does not lift the
    limits.  Phones compare by digits, +84 written as 0 (VIETNAM.md)."""
    found = set()
    if person_id and person_id.strip():
        found.add("id:" + person_id.strip().upper())
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if len(digits) >= 9:
        found.add("tel:" + digits)
    return frozenset(found)


def check_booking(
    new: Booking, existing: Iterable[Booking], today: date, rules: BookingRules
) -> None:
    """Raise if `new` breaks a rule; `existing` are the live bookings of the centre that day."""
    if new.day < today or new.day > today + timedelta(days=rules.days_ahead):
        raise InvalidInput(
            "booking_day_out_of_range", day=new.day.isoformat(), days=rules.days_ahead
        )
    if not new.identities:
        return
    same_person = [b for b in existing if b.identities & new.identities and b.day == new.day]
    if len(same_person) >= rules.per_person_per_day:
        raise Conflict("booking_limit_day", limit=rules.per_person_per_day)
    if sum(1 for b in same_person if b.service == new.service) >= rules.per_person_per_field:
        raise Conflict("booking_limit_field", limit=rules.per_person_per_field)


def check_in_window(slot_at: datetime, now: datetime, rules: BookingRules) -> str:
    """ "ok", "too_early" or "too_late" for a check-in at `now`."""
    if now < slot_at - timedelta(minutes=rules.early_min):
        return "too_early"
    if now > slot_at + timedelta(minutes=rules.late_min):
        return "too_late"
    return "ok"
