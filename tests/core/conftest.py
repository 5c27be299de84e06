"""Shared values for the queue-core tests: a fixed Monday at a centre in the
Asia/Ho_Chi_Minh time zone, and factories for tickets and counters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.model import Counter, Ticket

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2024, 3, 4)  # a Monday


def local(hhmm: str, day: date = DAY) -> datetime:
    """ "08:05" or "23:59:59" on `day`, centre time."""
    return datetime.combine(day, time.fromisoformat(hhmm), TZ)


@pytest.fixture(scope="session")
def at() -> Callable[..., datetime]:
    return local


@pytest.fixture(scope="session")
def make_ticket() -> Callable[..., Ticket]:
    """make_ticket(7, "A", "08:05", priority="elderly") → a waiting ticket A007 queued at 08:05."""

    def make(
        id: int,
        service: str = "A",
        queued: str | datetime = "08:00",
        priority: str | None = None,
        **changes: object,
    ) -> Ticket:
        queued_at = local(queued) if isinstance(queued, str) else queued
        fields: dict = {
            "centre_id": 1,
            "service_code": service,
            "number": f"{service}{id:03d}",
            "business_day": queued_at.astimezone(TZ).date(),
            "issued_at": queued_at,
            "queued_at": queued_at,
            "priority": priority,
            "id": id,
        }
        fields.update(changes)
        return Ticket(**fields)

    return make


@pytest.fixture(scope="session")
def make_counter() -> Callable[..., Counter]:
    def make(number: int = 1, *services: str, **changes: object) -> Counter:
        return Counter(number, f"Quầy {number}", tuple(services) or ("A",), **changes)

    return make
