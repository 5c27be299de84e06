"""What a scanned code does.

At a kiosk: the QR of a number taken by phone (its /t page) checks it in
(kiosk/usecases/remote.py); a booking code checks the booking in; a dossier receipt code
(mã hồ sơ) takes a number for the result pick-up field carrying that code; a
citizen ID card's QR checks in the holder's booking for today, if any, and
otherwise proposes the priority group of the holder's age (the citizen still
chooses); anything else is "not recognised" and issues nothing.  At a counter: a
ticket's QR (its status URL) or its printed number calls that ticket there (the QR of
a number by phone not yet checked in checks it in instead); a citizen ID card is
refused with a message saying what it is.

Of a card, nothing leaves this module but the keyed hash of its ID number (to find
bookings), its last four digits (for whoever scanned) and the proposed group: no
name, address or full number in any answer, event, error or log line.

Either way the outcome goes to the screens of that place as one `scan` event
(texts in Vietnamese and English), after the commit; the caller (a serial
scanner, a page's keyboard-wedge scanner through the API) gets the same payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select

from kiosk import rooms
from kiosk.core import citizen_id, numbering
from kiosk.core.errors import Conflict, DomainError, InvalidInput, NotFound
from kiosk.core.model import PriorityGroup
from kiosk.events import Outgoing
from kiosk.messages import in_both_languages
from kiosk.store import repository as repo
from kiosk.store.tables import AppointmentRow, CentreRow, ServiceRow, TicketRow
from kiosk.usecases import appointments, counters, remote
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader

# Dossier codes as the national one-stop software prints them: 000.00.19.H34-241123-0001
DEFAULT_RECEIPT_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
TOKEN_IN_URL = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?$")
# A pick-up ticket in one of these still holds the citizen's place.
OPEN_STATUSES = ("waiting", "called", "serving")
# Outside the check-in window the citizen may still queue: the kiosk offers a normal number.
OFFER_NORMAL_TICKET = ("appointment_too_early", "appointment_too_late")


@dataclass(frozen=True)
class CardRead:
    """What a scanned citizen ID card leaves behind: no name, address or full number."""

    masked_id: str  # "…1234", for whoever scanned
    suggested: PriorityGroup | None  # the group the holder's age reaches, if any


@dataclass(frozen=True)
class ScanResult:
    kind: str  # checkin | pickup | citizen_id | call | error
    ticket: dict | None = None
    error: DomainError | None = None
    offer: str | None = None  # a field code: "take a normal number here instead"
    note: tuple[str, dict] | None = None  # message code + params shown with the ticket
    payload: dict = field(default_factory=dict)  # the `scan` event the screens were sent
    card: CardRead | None = None


def _settings(ctx: QueueContext) -> dict:
    with ctx.store.read() as session:
        return dict(session.get(CentreRow, ctx.centre_id).settings or {})


def at_kiosk(ctx: QueueContext, kiosk: str, code: str) -> ScanResult:
    """What `code` scanned at `kiosk` does; the kiosks are told (`scan`)."""
    return report(ctx, _at_kiosk(ctx, kiosk, code.strip()), kiosk=kiosk)


def _at_kiosk(ctx: QueueContext, kiosk: str, code: str) -> ScanResult:
    if citizen_id.looks_like_card(code):  # before anything could quote the code back
        try:
            return _card_at_kiosk(ctx, kiosk, code)
        except DomainError as error:
            return ScanResult("error", error=error)
    settings = _settings(ctx)
    try:
        token = TOKEN_IN_URL.search(code)
        if token and remote.is_remote_token(ctx, token.group(1)):
            # a number taken by phone: the QR on its /t page checks it in (docs/remote.md)
            ticket = remote.check_in(ctx, token.group(1), "scan")
            late = ticket["remote"]["lost_place"]
            return ScanResult(
                "checkin",
                ticket,
                note=("scan_remote_late" if late else "scan_remote_checked_in", {}),
            )
        if appointments.find_booking(ctx, code) is not None:
            try:
                ticket = appointments.check_in(ctx, code, kiosk)
            except Conflict as error:
                if error.code not in OFFER_NORMAL_TICKET:
                    raise
                return ScanResult("error", error=error, offer=_booked_service(ctx, code))
            slot = datetime.fromisoformat(ticket["appointment_at"]).astimezone(ctx.tz)
            return ScanResult(
                "checkin", ticket, note=("scan_checked_in", {"time": f"{slot:%H:%M}"})
            )
        pattern = settings.get("receipt_pattern", DEFAULT_RECEIPT_PATTERN)
        if re.fullmatch(pattern, code):
            ticket = _pickup(ctx, code, kiosk, settings.get("pickup_service", "TKQ"))
            return ScanResult("pickup", ticket, note=("scan_pickup", {"dossier": code}))
        raise InvalidInput("code_not_recognised")
    except DomainError as error:
        return ScanResult("error", error=error)


def _card_at_kiosk(ctx: QueueContext, kiosk: str, code: str) -> ScanResult:
    """Today's booking of the card's holder is checked in (the first whose check-in window
    is open, by booked time); without one, the group the holder's age reaches is proposed."""
    local_now = ctx.now().astimezone(ctx.tz)
    card = citizen_id.parse(code, local_now.date())
    with ctx.store.read() as session:
        groups = repo.policy_of(session, session.get(CentreRow, ctx.centre_id)).groups
    read = CardRead(card.masked, _group_for_age(groups, card.age_on(local_now.date())))
    refused: list[tuple[str, Conflict]] = []
    key = appointments.keyed_person(ctx, card.number)
    for booking in appointments.codes_of_person_today(ctx, key):
        try:
            ticket = appointments.check_in(ctx, booking, kiosk)
        except Conflict as error:
            refused.append((booking, error))
            continue
        slot = datetime.fromisoformat(ticket["appointment_at"]).astimezone(ctx.tz)
        note = ("scan_checked_in", {"time": f"{slot:%H:%M}"})
        return ScanResult("citizen_id", ticket, note=note, card=read)
    if refused:  # outside its window: the kiosk offers a normal number in that field
        booking, error = refused[0]
        offer = _booked_service(ctx, booking) if error.code in OFFER_NORMAL_TICKET else None
        return ScanResult("citizen_id", error=error, offer=offer, card=read)
    return ScanResult("citizen_id", note=("citizen_id_read", {}), card=read)


def _group_for_age(groups: tuple[PriorityGroup, ...], age: int | None) -> PriorityGroup | None:
    """Of the groups that name an age (`min_age`), the one with the highest age reached."""
    if age is None:
        return None
    reached = [g for g in groups if g.min_age is not None and age >= g.min_age]
    return max(reached, key=lambda g: g.min_age, default=None)


def _pickup(ctx: QueueContext, code: str, kiosk: str, service: str) -> dict:
    """A receipt scanned again while its pick-up ticket is still open gets that ticket back
    (a transfer's new ticket counts: it carries the code).  Once it is finished (served,
    no-show, cancelled) a citizen who returns the same day gets a new number."""
    day = numbering.business_day(ctx.now(), ctx.tz)
    with ctx.store.read() as session:
        rows = (
            session.execute(
                select(TicketRow)
                .where(
                    TicketRow.centre_id == ctx.centre_id,
                    TicketRow.business_day == day,
                    TicketRow.dossier_code == code,
                )
                .order_by(TicketRow.id)
            )
            .scalars()
            .all()
        )
        open_rows = [row for row in rows if row.status in OPEN_STATUSES]
        if open_rows:
            return QueueReader(ctx, session).holder_ticket(open_rows[-1])  # the scanner's
    # Two kiosks scanning the same receipt at once count the same tickets: one number.
    key = f"receipt-{day:%Y%m%d}-{len(rows)}-{code}"[:64]
    return appointments.issue_scanned(ctx, service, kiosk, key, dossier_code=code)


def _booked_service(ctx: QueueContext, code: str) -> str | None:
    """The field of a booking, if it still takes numbers."""
    with ctx.store.read() as session:
        return session.execute(
            select(ServiceRow.code)
            .join(AppointmentRow, AppointmentRow.service_id == ServiceRow.id)
            .where(
                AppointmentRow.centre_id == ctx.centre_id,
                appointments.same_code(code),
                ServiceRow.active.is_(True),
            )
        ).scalar_one_or_none()


def at_counter(
    ctx: QueueContext, counter: int, code: str, user_id: int | None = None
) -> ScanResult:
    """Call the scanned ticket here.  A serial scanner has no login: without `user_id` the
    call is made for the clerk signed in at the counter, so ratings reach the right person.
    The counter's screens are told (`scan`)."""
    return report(ctx, _at_counter(ctx, counter, code.strip(), user_id), counter=counter)


def _at_counter(ctx: QueueContext, counter: int, code: str, user_id: int | None) -> ScanResult:
    try:
        if citizen_id.looks_like_card(code):
            raise InvalidInput("citizen_id_at_counter")
        with ctx.store.read() as session:
            if user_id is None:
                user_id = repo.counter_row(session, ctx.centre_id, counter).current_user_id
            match = TOKEN_IN_URL.search(code)
            if match:
                row = QueueReader(ctx, session).ticket_by_token(match.group(1))
                if row is None:
                    raise NotFound("unknown_ticket", ticket=code[-24:])
                number, away = row.number, row.status == "remote"
            else:
                number, away = numbering.parse_number(code), False
        if away:
            # A number by phone whose holder stands at the counter: the clerk checks them
            # in (its place kept, or the end of the queue if it was lost), never calls it
            # ahead of the others (docs/remote.md).
            ticket = remote.check_in(ctx, match.group(1), "clerk", user_id=user_id)
            note = (
                "scan_remote_late" if ticket["remote"]["lost_place"] else "scan_counter_checked_in"
            )
            return ScanResult("checkin", ticket, note=(note, {"number": number}))
        return ScanResult("call", counters.call_number(ctx, counter, number, user_id=user_id))
    except DomainError as error:
        return ScanResult("error", error=error)


def report(
    ctx: QueueContext, result: ScanResult, *, kiosk: str | None = None, counter: int | None = None
) -> ScanResult:
    """Send `result` to the screens of its place as a `scan` event, each audience its own
    shape (docs/architecture.md, "What each audience may see"); returns it with the payload
    for whoever scanned: the ticket's holder at a kiosk, the clerk at a counter.  Also for a
    scan that never reached the use case (the database was away).

    Every kiosk gets the lobby wall's shape (number, field, place, whether it printed,
    receipt and booking codes cut to their last digits); the kiosk paired under that name
    also gets `scan_ticket`, the ticket with its token, to show its QR code on screen."""
    payload = scan_payload(result, kiosk=kiosk, counter=counter)
    if kiosk is None:
        out = [Outgoing("scan", payload, (rooms.counter_staff(ctx.centre_id, counter),))]
    else:
        shown = public_scan_payload(ctx, result, kiosk)
        out = [Outgoing("scan", shown, (rooms.kiosks(ctx.centre_id),))]
        if result.ticket is not None:
            own = {"kiosk": kiosk, "ticket": result.ticket, "note": payload.get("note")}
            out.append(Outgoing("scan_ticket", own, (rooms.kiosk(ctx.centre_id, kiosk),)))
    ctx.publish(out)
    return replace(result, payload=payload)


def scan_payload(
    result: ScanResult, *, kiosk: str | None = None, counter: int | None = None
) -> dict:
    """The `scan` answer for whoever scanned: what happened, with texts in both languages."""
    payload = {"kind": result.kind, "kiosk": kiosk, "counter": counter, "ticket": result.ticket}
    if result.card is not None:
        payload["masked_id"] = result.card.masked_id
    payload.update(_texts(result, public=False))
    return payload


def public_scan_payload(ctx: QueueContext, result: ScanResult, kiosk: str) -> dict:
    """The `scan` event every kiosk gets: the ticket as a lobby wall shows it."""
    ticket = None
    if result.ticket is not None:
        with ctx.store.read() as session:
            row = session.get(TicketRow, result.ticket["id"])
            ticket = QueueReader(ctx, session).public_ticket(row)
        printed = result.ticket.get("print")
        if printed:  # whether it printed, so the kiosk can say "take a photo of this screen"
            ticket["print"] = {k: printed.get(k) for k in ("printer", "job", "state", "printer_ok")}
    payload = {"kind": result.kind, "kiosk": kiosk, "counter": None, "ticket": ticket}
    payload.update(_texts(result, public=True))  # of a card: the proposed group, no digits
    return payload


# A receipt or booking code is the citizen's own: anyone holding it can check the booking
# in or queue for the result.  Public screens show its last digits only.
CITIZEN_CODES = ("dossier", "booking")


def _texts(result: ScanResult, *, public: bool) -> dict:
    def shown(params: dict) -> dict:
        if not public:
            return params
        return {
            k: f"…{v[-4:]}" if k in CITIZEN_CODES and isinstance(v, str) else v
            for k, v in params.items()
        }

    texts = {}
    if result.error is not None:
        texts["error"] = result.error.code
        texts["message"] = in_both_languages(result.error.code, **shown(result.error.params))
    if result.offer is not None:
        texts["offer"] = {"service": result.offer}
    if result.note is not None:
        code, params = result.note
        texts["note"] = in_both_languages(code, **shown(params))
    if result.card is not None:
        group = result.card.suggested
        texts["suggested_priority"] = group.code if group else None
        if group is not None:  # "Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?"
            texts["suggestion"] = in_both_languages(
                "citizen_id_suggest_priority", age=group.min_age, group=group.names
            )
    return texts
