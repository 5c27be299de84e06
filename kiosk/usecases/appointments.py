"""Appointments: booking in batches (API or CSV), the day's list, and check-in
at the kiosk, where a booking becomes a waiting ticket ordered by its booked time."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.core.appointments import (
    Booking,
    BookingRules,
    check_booking,
    check_in_window,
    identities_of,
)
from kiosk.core.citizen_id import person_key
from kiosk.core.errors import Conflict, DomainError, InvalidInput, NotFound
from kiosk.store import repository as repo
from kiosk.store.tables import AppointmentRow, CentreRow
from kiosk.textrules import clean
from kiosk.usecases import tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import iso

MAX_BATCH = 1000  # bookings per request, and data rows per CSV file
MAX_CSV_BYTES = 512 * 1024  # 1000 rows of ~150 characters, with room to spare
MAX_CSV_FIELD = 200  # characters in one CSV value (a name is the longest: 120 are kept)
FIELDS = ("code", "service", "day", "time", "name", "phone", "person_id")


@dataclass(frozen=True)
class Rejected:
    index: int
    code: str
    error: DomainError


def _rules(session: Session, centre_id: int) -> BookingRules:
    """The centre's booking limits and check-in window (its "appointments" settings)."""
    settings = session.get(CentreRow, centre_id).settings or {}
    return BookingRules.from_settings(settings.get("appointments"))


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
        values[key] = clean(value, key)[:120]
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
        rules = _rules(session, ctx.centre_id)
        services = {s.code: s for s in repo.services_of(session, ctx.centre_id, active_only=True)}
        code_by_id = {s.id: c for c, s in services.items()}
        for index, item in enumerate(items):
            try:
                values = _parse(item, index)
                service = services.get(values["service"])
                if service is None:
                    raise NotFound("unknown_service", service=values["service"])
                # The ID number is kept as its keyed hash only: the same key a scanned
                # citizen ID card gives (kiosk/usecases/scans.py), so limits and check-in
                # find the person without the hub holding the number.
                values["person_id"] = keyed_person(ctx, values["person_id"])
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
    """CSV with a header row: code,service,day,time[,name,phone,person_id] (UTF-8, ',' or ';').

    A file beyond the limits (MAX_CSV_BYTES, MAX_BATCH rows, MAX_CSV_FIELD characters in
    a value) or that the csv module cannot read is refused as a whole, with the row."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CSV_BYTES:
        raise InvalidInput("csv_too_large", max_kib=MAX_CSV_BYTES // 1024)
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;") if sample.strip() else csv.excel
    except csv.Error:  # one column, or not CSV at all: the header check below says what is wrong
        dialect = csv.excel
    # csv.field_size_limit is process-wide: leave it, and answer its csv.Error instead.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=dialect)
    try:
        header = {(name or "").strip().lower() for name in reader.fieldnames or []}
        missing = [c for c in ("code", "service", "day", "time") if c not in header]
        if missing:
            raise InvalidInput(
                "bad_request", detail=f"the CSV header lacks the column(s) {', '.join(missing)}"
            )
        rows = []
        for row in reader:
            if len(rows) == MAX_BATCH:
                raise InvalidInput("csv_too_many_rows", max=MAX_BATCH)
            values = {}
            for key, value in row.items():
                if not key:
                    continue
                # DictReader puts surplus values in a list under the key None (skipped)
                value = value if isinstance(value, str) else ""
                if len(value) > MAX_CSV_FIELD:
                    raise InvalidInput("csv_field_too_long", row=reader.line_num, max=MAX_CSV_FIELD)
                values[key.strip().lower()] = value.strip()
            rows.append(values)
    except csv.Error as error:
        if "field limit" in str(error):  # the csv module's own limit (128 KiB) was hit first
            raise InvalidInput(
                "csv_field_too_long", row=reader.line_num + 1, max=MAX_CSV_FIELD
            ) from error
        raise InvalidInput("csv_unreadable", row=reader.line_num, detail=str(error)) from error
    return rows


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


def keyed_person(ctx: QueueContext, person_id: str) -> str:
    """An ID number as bookings store it ("" stays "": no known person)."""
    return person_key(ctx.identity_key, person_id) if person_id.strip() else ""


_KEYED = re.compile(r"[0-9a-f]{32}")


def rekey_stored_ids(ctx: QueueContext) -> int:
    """Bookings stored before ID numbers were keyed held the number as typed: replace each
    with its key (run at every start; a no-op once done).  Returns how many were changed."""
    with ctx.store.write() as session:
        rows = session.execute(
            select(AppointmentRow).where(
                AppointmentRow.centre_id == ctx.centre_id,
                AppointmentRow.person_id != "",
                # keys are 32 characters: start-up reads only rows that may still be raw
                func.length(AppointmentRow.person_id) != 32,
            )
        ).scalars()
        changed = 0
        for row in rows:
            if row.person_id and not _KEYED.fullmatch(row.person_id):
                row.person_id = keyed_person(ctx, row.person_id)
                changed += 1
        return changed


def codes_of_person_today(ctx: QueueContext, key: str) -> list[str]:
    """The codes of today's bookings of the person keyed `key` not yet checked in, by
    booked time (a person holds at most a few a day: core.appointments.BookingRules)."""
    today = ctx.now().astimezone(ctx.tz).date()
    with ctx.store.read() as session:
        return list(
            session.execute(
                select(AppointmentRow.code)
                .where(
                    AppointmentRow.centre_id == ctx.centre_id,
                    AppointmentRow.day == today,
                    AppointmentRow.person_id == key,
                    AppointmentRow.state == "booked",
                )
                .order_by(AppointmentRow.slot_at, AppointmentRow.id)
            ).scalars()
        )


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
        rules = _rules(session, ctx.centre_id)
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
    ticket = issue_scanned(
        ctx,
        service_code,
        kiosk,
        f"appointment-{appointment_id}",
        appointment_at=slot_at,
        appointment_id=appointment_id,
    )
    with ctx.store.write() as session:
        row = session.get(AppointmentRow, appointment_id)
        row.state, row.checked_in_at, row.ticket_id = "checked_in", now, ticket["id"]
    return ticket


def issue_scanned(ctx: QueueContext, service: str, kiosk: str | None, key: str, **links) -> dict:
    """The ticket for what a kiosk's scanner read (a booking here, a receipt in scans.py):
    `key` makes a second read of the same thing the same ticket; `links` tie it to what
    was read (tickets.IssueRequest's appointment_* or dossier_code)."""
    request = tickets.IssueRequest(
        service=service, kiosk=kiosk, source="scan", idempotency_key=key, **links
    )
    return tickets.issue_ticket(ctx, request).ticket
