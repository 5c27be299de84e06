"""Can a field take numbers right now?  Closed outside the centre's opening
hours (or the field's own hours, when an admin set them: they replace the
centre's for that field) and on holidays; full once its daily cap is reached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.core import numbering
from kiosk.core.issuing import OpeningHours, when_text
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, ServiceRow

CLOSED = "closed"
FULL = "full"

__all__ = [
    "CLOSED",
    "FULL",
    "centre_open",
    "opening_hours",
    "reopens_at",
    "unavailable",
    "when_text",
]


def opening_hours(centre: CentreRow, service: ServiceRow | None = None) -> OpeningHours:
    """The hours that decide whether `service` (or the centre, without one) takes numbers."""
    settings = centre.settings or {}
    own = service is not None and bool(service.opening_hours)
    return OpeningHours(
        timezone=centre.timezone,
        table=service.opening_hours if own else settings.get("opening_hours"),
        holidays=tuple(settings.get("holidays", ())),
        own=own,
    )


def centre_open(centre: CentreRow, now: datetime, service: ServiceRow | None = None) -> bool:
    return opening_hours(centre, service).is_open(now)


def unavailable(session: Session, centre, services, now: datetime) -> dict[str, str]:
    """code → why it cannot issue now (closed | full); fields that can issue are absent."""
    closed = {s.code: CLOSED for s in services if not centre_open(centre, now, s)}
    capped = [s for s in services if s.daily_cap and s.code not in closed]
    if not capped:
        return closed
    day = numbering.business_day(now, centre.timezone)
    issued = repo.issued_on(session, [s.id for s in capped], day)
    full = {s.code: FULL for s in capped if issued.get(s.id, 0) >= s.daily_cap}
    return {**closed, **full}


def reopens_at(centre: CentreRow, now: datetime, service: ServiceRow | None = None):
    """The local time a closed centre (or field with its own hours) opens again, or None."""
    return opening_hours(centre, service).reopens_at(now)
