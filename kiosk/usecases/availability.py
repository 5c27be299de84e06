"""Can a field take numbers right now?  Closed outside the centre's opening
hours (or the field's own hours, when an admin set them: they replace the
centre's for that field) and on holidays; full once its daily cap is reached."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.core import hours, numbering
from kiosk.core.errors import Conflict, Localised
from kiosk.store.tables import CentreRow, DailySequenceRow, ServiceRow

CLOSED = "closed"
FULL = "full"


def centre_open(centre: CentreRow, now: datetime, service: ServiceRow | None = None) -> bool:
    settings = centre.settings or {}
    local = now.astimezone(ZoneInfo(centre.timezone))
    table = settings.get("opening_hours")
    if service is not None and service.opening_hours:
        table = service.opening_hours
    return hours.is_open(local, table, settings.get("holidays", ()))


def unavailable(
    session: Session, centre: CentreRow, services: list[ServiceRow], now: datetime
) -> dict[str, str]:
    """code → why it cannot issue now (closed | full); fields that can issue are absent."""
    closed = {s.code: CLOSED for s in services if not centre_open(centre, now, s)}
    capped = [s for s in services if s.daily_cap and s.code not in closed]
    if not capped:
        return closed
    day = numbering.business_day(now, centre.timezone)
    issued = dict(
        session.execute(
            select(DailySequenceRow.service_id, DailySequenceRow.last).where(
                DailySequenceRow.service_id.in_([s.id for s in capped]),
                DailySequenceRow.business_day == day,
            )
        ).all()
    )
    full = {s.code: FULL for s in capped if issued.get(s.id, 0) >= s.daily_cap}
    return {**closed, **full}


def reopens_at(centre: CentreRow, now: datetime, service: ServiceRow | None = None):
    """The local time a closed centre (or field with its own hours) opens again, or None."""
    settings = centre.settings or {}
    table = settings.get("opening_hours")
    if service is not None and service.opening_hours:
        table = service.opening_hours
    local = now.astimezone(ZoneInfo(centre.timezone))
    return hours.next_opening(local, table, settings.get("holidays", ()))


def when_text(opening: datetime | None, now: datetime) -> str:
    """ "13:30" later today, "07:30 01/12" on another day ("" when unknown)."""
    if opening is None:
        return ""
    if opening.date() == now.astimezone(opening.tzinfo).date():
        return f"{opening:%H:%M}"
    return f"{opening:%H:%M %d/%m}"


def require_open(centre: CentreRow, now: datetime, service: ServiceRow | None = None) -> None:
    if not centre_open(centre, now, service):
        reopens = when_text(reopens_at(centre, now, service), now)
        if service is not None and service.opening_hours:
            raise Conflict(
                "field_closed",
                service=Localised(service.name, service.name_en or service.name),
                reopens=reopens,
            )
        raise Conflict("centre_closed", reopens=reopens)
