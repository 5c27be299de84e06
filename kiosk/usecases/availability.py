"""Can a field take numbers right now?  Closed outside the centre's opening
hours and on holidays; full once its daily cap is reached."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.core import hours, numbering
from kiosk.core.errors import Conflict
from kiosk.store.tables import CentreRow, DailySequenceRow, ServiceRow

CLOSED = "closed"
FULL = "full"


def centre_open(centre: CentreRow, now: datetime) -> bool:
    settings = centre.settings or {}
    local = now.astimezone(ZoneInfo(centre.timezone))
    return hours.is_open(local, settings.get("opening_hours"), settings.get("holidays", ()))


def unavailable(
    session: Session, centre: CentreRow, services: list[ServiceRow], now: datetime
) -> dict[str, str]:
    """code → why it cannot issue now (closed | full); fields that can issue are absent."""
    if not centre_open(centre, now):
        return {s.code: CLOSED for s in services}
    capped = [s for s in services if s.daily_cap]
    if not capped:
        return {}
    day = numbering.business_day(now, centre.timezone)
    issued = dict(
        session.execute(
            select(DailySequenceRow.service_id, DailySequenceRow.last).where(
                DailySequenceRow.service_id.in_([s.id for s in capped]),
                DailySequenceRow.business_day == day,
            )
        ).all()
    )
    return {s.code: FULL for s in capped if issued.get(s.id, 0) >= s.daily_cap}


def require_open(centre: CentreRow, now: datetime) -> None:
    if not centre_open(centre, now):
        raise Conflict("centre_closed")
