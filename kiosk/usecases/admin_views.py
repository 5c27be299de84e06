"""Read models of the admin pages: what each form shows.  Queries only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from kiosk.core import hours
from kiosk.store import repository as repo
from kiosk.store.tables import AppointmentRow, CentreRow, PriorityGroupRow, TicketRow, UserRow
from kiosk.usecases import rating
from kiosk.usecases.context import QueueContext


def centre(ctx: QueueContext) -> dict:
    with ctx.store.read() as session:
        row = session.get(CentreRow, ctx.centre_id)
        settings = row.settings or {}
        return {
            "name": row.name,
            "timezone": row.timezone,
            "hours_text": hours.hours_to_text(settings.get("opening_hours")),
            "holidays_text": "\n".join(settings.get("holidays", [])),
            "rating_window_min": rating.window_minutes(settings),
            "ticker": settings.get("ticker", ""),
            "footer": settings.get("footer", ""),
            "voice": settings.get("voice", True),
            "languages": list(settings.get("languages") or ("vi", "en")),
            "repeat": settings.get("repeat", 1),
            "voice_vi": (settings.get("voice_packs") or {}).get("vi", "vi"),
            "voice_en": (settings.get("voice_packs") or {}).get("en", "en"),
            "number_reading": settings.get("number_reading") or "linh",
            "policy_mode": row.policy_mode,
            "normal_per_priority": row.normal_per_priority,
        }


def services(ctx: QueueContext) -> list[dict]:
    with ctx.store.read() as session:
        return [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "prefix": s.prefix,
                "daily_cap": s.daily_cap,
                "target_wait_min": (s.target_wait_s // 60) if s.target_wait_s else None,
                "hours_text": hours.hours_to_text(s.opening_hours),
                "active": s.active,
                "position": s.position,
            }
            for s in repo.services_of(session, ctx.centre_id)
        ]


def counters(ctx: QueueContext) -> list[dict]:
    with ctx.store.read() as session:
        served = repo.counter_services_map(session, ctx.centre_id)
        return [
            {
                "number": c.number,
                "name": c.name,
                "name_en": c.name_en,
                "state": c.state,
                "busy": c.current_ticket_id is not None,
                "services": list(served.get(c.number, ())),
            }
            for c in repo.counters_of(session, ctx.centre_id)
        ]


def priority_groups(ctx: QueueContext) -> list[dict]:
    with ctx.store.read() as session:
        rows = session.execute(
            select(PriorityGroupRow)
            .where(PriorityGroupRow.centre_id == ctx.centre_id)
            .order_by(PriorityGroupRow.position, PriorityGroupRow.id)
        ).scalars()
        return [
            {
                "code": g.code,
                "name": g.name,
                "name_en": g.name_en,
                "description": g.description,
                "description_en": g.description_en,
                "position": g.position,
                "min_age": g.min_age,
            }
            for g in rows
        ]


@dataclass(frozen=True)
class UserLine:
    id: int
    username: str
    display_name: str
    role: str
    counter_number: int | None
    active: bool


def users(ctx: QueueContext) -> list[UserLine]:
    with ctx.store.read() as session:
        rows = session.execute(
            select(UserRow)
            .where(UserRow.centre_id == ctx.centre_id)
            .order_by(UserRow.active.desc(), UserRow.username)
        ).scalars()
        return [
            UserLine(r.id, r.username, r.display_name, r.role, r.counter_number, r.active)
            for r in rows
        ]


def appointments(ctx: QueueContext, day: date) -> list[dict]:
    """The day's bookings with their field and, once checked in, the ticket and its state."""
    with ctx.store.read() as session:
        names = {
            s.id: (s.code, s.name, s.name_en) for s in repo.services_of(session, ctx.centre_id)
        }
        rows = session.execute(
            select(AppointmentRow, TicketRow)
            .outerjoin(TicketRow, TicketRow.id == AppointmentRow.ticket_id)
            .where(AppointmentRow.centre_id == ctx.centre_id, AppointmentRow.day == day)
            .order_by(AppointmentRow.slot_at, AppointmentRow.id)
        ).all()
        result = []
        for booking, ticket in rows:
            code, name, name_en = names.get(booking.service_id, ("", "", ""))
            result.append(
                {
                    "code": booking.code,
                    "slot": booking.slot_at.astimezone(ctx.tz),
                    "service": code,
                    "service_name": name,
                    "service_name_en": name_en,
                    "name": booking.name,
                    "phone": booking.phone,
                    "state": booking.state,
                    "checked_in_at": booking.checked_in_at.astimezone(ctx.tz)
                    if booking.checked_in_at
                    else None,
                    "ticket_number": ticket.number if ticket else None,
                    "ticket_status": ticket.status if ticket else None,
                }
            )
        return result
