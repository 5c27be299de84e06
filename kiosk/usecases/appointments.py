"""Appointments: booking in batches (API or CSV), the day's list, and check-in
at the kiosk, where a booking becomes a waiting ticket ordered by its booked time."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kiosk.core.appointments import (
    Booking,
    BookingRules,
    check_booking,
    check_in_window,
    identities_of,
)
from kiosk.core.errors import Conflict, DomainError, InvalidInput, NotFound
from kiosk.store import repository as repo
from kiosk.store.tables import AppointmentRow, CentreRow
from kiosk.usecases import tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import iso

MAX_BATCH = 1000
FIELDS = ("code", "service", "day", "time", "name", "phone", "person_id")


@dataclass(frozen=True)
class Rejected:
    index: int
    code: str
    error: DomainError


def _rules(centre: CentreRow) -> BookingRules:
    return BookingRules.from_settings((centre.settings or {}).get("appointments"))


def _parse(item: dict, index: int) -> dict:
    if not isinstance(item, dict):
        raise InvalidInput("bad_request", detail=f"item {index} must be an object")
    values = {}
    for key in FIELDS:
        value = item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput("bad_request", detail=f"item {index}: {key} must be text")
        values[key] = value.strip()[:120]
    for key in ("code", "service", "day", "time"):
        if not values[key]:
            raise InvalidInput("bad_request", detail=f"item {index}: {key} is required")
    try:
        values["day"] = date.fromisoformat(values["day"])
        values["time"] = time.fromisoformat(values["time"])
    except ValueError as error:
        raise InvalidInput(
            "bad_request", detail=f"item {index}: day is YYYY-MM-DD and time HH:MM"
        ) from error
    return values


def book_many(ctx: QueueContext, items: list) -> tuple[list[dict], list[Rejected]]:
    """Store every acceptable booking; the others come back with the rule they broke."""
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise InvalidInput("bad_request", detail=f"appointments is a list of at most {MAX_BATCH}")
    created: list[dict] = []
    rejected: list[Rejected] = []
    now = ctx.now()
    today = now.astimezone(ctx.tz).date()
    with ctx.store.write() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        rules = _rules(centre)
        services = {s.code: s for s in repo.services_of(session, ctx.centre_id, active_only=True)}
        code_by_id = {s.id: c for c, s in services.items()}
        for index, item in enumerate(items):
            try:
                values = _parse(item, index)
                service = services.get(values["service"])
                if service is None:
                    raise NotFound("unknown_service", service=values["service"])
                person = identities_of(values["person_id"], values["phone"])
                existing = (
                    session.execute(
                        select(AppointmentRow).where(
                            AppointmentRow.centre_id == ctx.centre_id,
                            AppointmentRow.day == values["day"],
                            AppointmentRow.state != "cancelled",
                        )
                    )
                    .scalars()
                    .all()
                )
                if (
                    any(row.code.upper() == values["code"].upper() for row in existing)
                    or session.execute(
                        select(AppointmentRow.id).where(
                            AppointmentRow.centre_id == ctx.centre_id,
                            same_code(values["code"]),
                        )
                    ).first()
                ):
                    raise Conflict("duplicate_appointment", booking=values["code"])
                check_booking(
                    Booking(person, service.code, values["day"]),
                    [
                        Booking(
                            identities_of(r.person_id, r.phone),
                            code_by_id.get(r.service_id, ""),
                            r.day,
                        )
                        for r in existing
                    ],
                    today,
                    rules,
                )
                row = AppointmentRow(
                    centre_id=ctx.centre_id,
                    code=values["code"],
                    service_id=service.id,
                    day=values["day"],
                    slot_at=datetime.combine(values["day"], values["time"], ctx.tz),
                    name=values["name"],
                    phone=values["phone"],
                    person_id=values["person_id"],
                    state="booked",
                    created_at=now,
                )
                with session.begin_nested():  # one bad row must not undo the good ones
                    session.add(row)
                    session.flush()
                created.append(_payload(row, service.code))
            except DomainError as error:
                rejected.append(
                    Rejected(
                        index, str(item.get("code", "")) if isinstance(item, dict) else "", error
                    )
                )
            except IntegrityError:
                rejected.append(
                    Rejected(
                        index,
                        str(item.get("code", "")),
                        Conflict("duplicate_appointment", booking=item.get("code")),
                    )
                )
    return created, rejected


def parse_csv(text: str) -> list[dict]:
    """CSV with a header row: code,service,day,time[,name,phone,person_id] (UTF-8, ',' or ';')."""
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;") if sample.strip() else csv.excel
    except csv.Error:  # one column, or not CSV at all: the header check below says what is wrong
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=dialect)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = [c for c in ("code", "service", "day", "time") if c not in header]
    if missing:
        raise InvalidInput(
            "bad_request", detail=f"the CSV header lacks the column(s) {', '.join(missing)}"
        )
    return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _payload(row: AppointmentRow, service_code: str) -> dict:
    return {
        "id": row.id,
        "code": row.code,
        "service": service_code,
        "day": row.day.isoformat(),
        "slot_at": iso(row.slot_at),
        "name": row.name,
        "phone": row.phone,
        "state": row.state,
        "ticket_id": row.ticket_id,
        "checked_in_at": iso(row.checked_in_at),
    }


def appointments_for_day(ctx: QueueContext, day: date) -> list[dict]:
    with ctx.store.read() as session:
        codes = {s.id: s.code for s in repo.services_of(session, ctx.centre_id)}
        rows = session.execute(
            select(AppointmentRow)
            .where(AppointmentRow.centre_id == ctx.centre_id, AppointmentRow.day == day)
            .order_by(AppointmentRow.slot_at, AppointmentRow.id)
        ).scalars()
        return [_payload(r, codes.get(r.service_id, "")) for r in rows]


def same_code(code: str):
    """Booking codes match whatever the case: a scanner in caps-lock mode, a code typed
    in lower case, or a booking system that printed it in capitals."""
    return func.upper(AppointmentRow.code) == code.strip()[:64].upper()


def find_booking(ctx: QueueContext, code: str) -> AppointmentRow | None:
    with ctx.store.read() as session:
        return session.execute(
            select(AppointmentRow).where(AppointmentRow.centre_id == ctx.centre_id, same_code(code))
        ).scalar_one_or_none()


def check_in(ctx: QueueContext, code: str, kiosk: str | None = None) -> dict:
    """Turn today's booking into a waiting ticket placed by its booked time."""
    now = ctx.now()
    with ctx.store.write() as session:
        row = session.execute(
            select(AppointmentRow)
            .where(AppointmentRow.centre_id == ctx.centre_id, same_code(code))
            .with_for_update()
        ).scalar_one_or_none()
        if row is None or row.state == "cancelled":
            raise NotFound("unknown_appointment", booking=code)
        if row.state == "checked_in":
            raise Conflict("already_checked_in", booking=code)
        if row.day != now.astimezone(ctx.tz).date():
            raise Conflict("appointment_other_day", booking=code, day=row.day.strftime("%d/%m/%Y"))
        rules = _rules(session.get(CentreRow, ctx.centre_id))
        verdict = check_in_window(row.slot_at, now, rules)
        slot = row.slot_at.astimezone(ctx.tz).strftime("%H:%M")
        if verdict == "too_early":
            raise Conflict("appointment_too_early", time=slot, minutes=rules.early_min)
        if verdict == "too_late":
            raise Conflict("appointment_too_late", time=slot, minutes=rules.late_min)
        service_code = next(
            s.code for s in repo.services_of(session, ctx.centre_id) if s.id == row.service_id
        )
        appointment_id, slot_at = row.id, row.slot_at
    issued = tickets.issue_ticket(
        ctx,
        tickets.IssueRequest(
            service=service_code,
            kiosk=kiosk,
            source="scan",
            appointment_at=slot_at,
            appointment_id=appointment_id,
            idempotency_key=f"appointment-{appointment_id}",
        ),
    )
    with ctx.store.write() as session:
        row = session.get(AppointmentRow, appointment_id)
        row.state, row.checked_in_at, row.ticket_id = "checked_in", now, issued.ticket["id"]
    return issued.ticket
