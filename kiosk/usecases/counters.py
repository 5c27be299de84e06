"""Counter actions: next, call a number, recall, start, finish, no-show,
transfer, pause, resume.  Each one locks what it changes, lets the core
decide, records who did it in the audit log (same transaction), commits,
then publishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from kiosk import rooms
from kiosk.core import numbering, policy, states
from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.core.model import Counter, Ticket
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, CounterRow, TicketRow
from kiosk.usecases import audit, remote
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader, iso


@dataclass
class _Unit:
    """What one write transaction found and changed."""

    session: object
    centre: CentreRow
    counter_row: CounterRow
    counter: Counter
    code_by_id: dict[int, str]
    id_by_code: dict[str, int]


def _with_counter(
    ctx: QueueContext,
    number: int,
    action: Callable[[_Unit], int | None],
    user_id: int | None,
    audit_as: str,
    details: dict | None = None,
) -> int | None:
    """Run `action` inside a write transaction holding the centre and counter locks;
    an action that changed something is audited as `counter.<audit_as>`."""
    with ctx.store.write() as session:
        centre = repo.lock_centre(session, ctx.centre_id)
        row = repo.counter_row(session, ctx.centre_id, number, lock=True)
        services = repo.services_of(session, ctx.centre_id)
        code_by_id = {s.id: s.code for s in services}
        unit = _Unit(
            session,
            centre,
            row,
            repo.to_counter(row, repo.counter_service_codes(session, row.id)),
            code_by_id,
            {v: k for k, v in code_by_id.items()},
        )
        try:
            ticket_id = action(unit)
        except Conflict as error:
            if error.code == "counter_busy" and not error.params.get("number"):
                # The core knows only the held ticket's id; the clerk needs its number.
                held = session.get(TicketRow, unit.counter.current_ticket_id or 0)
                error.params["number"] = held.number if held else "?"
            raise
        if user_id is not None:
            row.current_user_id = user_id
        if ticket_id is not None or audit_as in ("pause", "resume"):
            held = session.get(TicketRow, ticket_id) if ticket_id is not None else None
            audit.record(
                session,
                ctx.centre_id,
                ctx.now(),
                user_id,
                f"counter.{audit_as}",
                number,
                {**({"number": held.number} if held else {}), **(details or {})},
            )
        return ticket_id


def _held(unit: _Unit, ctx: QueueContext) -> tuple[TicketRow, Ticket]:
    if unit.counter.current_ticket_id is None:
        raise Conflict("counter_idle", counter=unit.counter.number)
    row = repo.ticket_row(unit.session, ctx.centre_id, unit.counter.current_ticket_id, lock=True)
    return row, repo.to_ticket(row, unit.code_by_id)


def _store(
    unit: _Unit,
    ctx: QueueContext,
    ticket_row: TicketRow,
    ticket: Ticket,
    counter: Counter | None,
    events,
    user_id: int | None,
) -> None:
    repo.apply_ticket(ticket_row, ticket, unit.id_by_code)
    if counter is not None:
        repo.apply_counter(unit.counter_row, counter)
    repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)


def _publish_after(
    ctx: QueueContext,
    number: int,
    ticket_id: int | None,
    *,
    call: bool = False,
    recall: bool = False,
    queue: bool = True,
) -> dict | None:
    """Read the committed state and send the events the change caused, each built for
    its audience (kiosk/rooms.py); the answer is the clerk's (staff) view of the ticket."""
    centre = ctx.centre_id
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        counter_row = repo.counter_row(session, centre, number)
        counters = {
            "public": reader.public_counter(counter_row),
            "screen": reader.screen_counter(counter_row),
            "staff": reader.staff_counter(counter_row),
        }
        row = session.get(TicketRow, ticket_id) if ticket_id else None
        ticket = reader.staff_ticket(row) if row else None
        screen_ticket = reader.screen_ticket(row) if row else None
        holder_ticket = reader.holder_ticket(row) if row else None
        queue_payload = reader.queue_payload() if queue else None
        # The admin may change the spoken languages at any time; every hub process reads them here.
        languages = tuple((reader.centre.settings or {}).get("languages") or ctx.languages)
        packs = dict((reader.centre.settings or {}).get("voice_packs") or {})
        reading = (reader.centre.settings or {}).get("number_reading") or "linh"
        announce = None
        if call and ticket:
            announce = ctx.announce(
                ticket["number"], number, languages, recall, packs, reading, session=session
            )
    audiences = rooms.counter_audiences(centre, number)
    everyone = tuple(room for group in audiences.values() for room in group)
    if ticket_id is not None:
        # A lobby wall follows calls by `call` and counts by `queue` (display.js has no
        # `counter` handler): what a counter holds between calls is for the screens at it
        # and for staff.  Its state (open, paused) still reaches the lobby: pause and resume
        # move no ticket.  So next + finish is two events at each lobby wall, not five.
        audiences = {**audiences, "public": (rooms.counter(centre, number),)}
    out: list[Outgoing] = []
    if call and ticket:
        # A call is what the lobby wall shows: the same for every audience.
        out.append(
            Outgoing(
                "call",
                {
                    "id": ticket["id"],
                    "number": ticket["number"],
                    "counter": number,
                    "counter_name": counters["public"]["name"],
                    "counter_name_en": counters["public"]["name_en"],
                    "service": ticket["service"],
                    "called_at": ticket["called_at"] if not recall else iso(ctx.now()),
                    "recall": recall,
                    "announce": announce,
                },
                everyone + (rooms.ticket(centre, ticket["token"]),),
            )
        )
    out.extend(Outgoing("counter", counters[who], audiences[who]) for who in audiences)
    if ticket:
        out.append(Outgoing("ticket", holder_ticket, (rooms.ticket(centre, ticket["token"]),)))
        screens = (rooms.counter(centre, number), rooms.counter_screen(centre, number))
        out.append(Outgoing("ticket", screen_ticket, screens))
        out.append(Outgoing("ticket", ticket, (rooms.counter_staff(centre, number),)))
    if queue_payload:
        out.append(
            Outgoing(
                "queue",
                queue_payload,
                rooms.queue_audience(centre),
            )
        )
    ctx.publish(out)
    return ticket


def call_next(ctx: QueueContext, number: int, user_id: int | None = None) -> dict | None:
    """Call the next citizen at a counter; None when nobody waits for it."""
    now = ctx.now()
    lost: list[str] = []  # remote numbers whose place this call took (core/remote.py)

    def action(unit: _Unit) -> int | None:
        if unit.counter.current_ticket_id is not None:  # before "nobody waits" (204)
            raise Conflict("counter_busy", counter=unit.counter.number)  # number: _with_counter
        if unit.counter.state.value == "paused":
            raise Conflict("counter_paused", counter=unit.counter.number)
        # Only the tickets the policy can pick (policy.heads), read by index: the cost of
        # a call does not grow with the queue.
        services = [unit.id_by_code[code] for code in unit.counter.services]
        rows = repo.queue_heads(unit.session, ctx.centre_id, number, services)
        tickets = {r.id: r for r in rows}
        waiting = [repo.to_ticket(r, unit.code_by_id) for r in rows]
        centre_policy = repo.policy_of(unit.session, unit.centre)
        chosen, new_state = policy.choose_next(
            waiting,
            unit.counter,
            centre_policy,
            policy.PolicyState(unit.centre.normal_since_priority),
        )
        if chosen is None:
            return None
        called, counter, events = states.call(chosen, unit.counter, now)
        _store(unit, ctx, tickets[chosen.id], called, counter, events, user_id)
        tickets[chosen.id].user_id = user_id
        unit.centre.normal_since_priority = new_state.normal_since_priority
        lost[:] = remote.note_call(unit.session, ctx, chosen, tickets[chosen.id].service_id, now)
        return chosen.id

    ticket_id = _with_counter(ctx, number, action, user_id, "next")
    if ticket_id is None:
        return None
    called = _publish_after(ctx, number, ticket_id, call=True)
    remote.after_call(ctx, called, lost)
    return called


def call_number(
    ctx: QueueContext, number: int, ticket_number: str, user_id: int | None = None
) -> dict:
    """Call one specific waiting ticket (typed or scanned) at this counter."""
    wanted = numbering.parse_number(ticket_number)
    now = ctx.now()

    def action(unit: _Unit) -> int:
        day = numbering.business_day(now, ctx.tz)
        row = unit.session.execute(
            repo.latest_by_number(select(TicketRow), ctx.centre_id, wanted, day).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("unknown_ticket", ticket=wanted)
        ticket = repo.to_ticket(row, unit.code_by_id)
        called, counter, events = states.call(ticket, unit.counter, now)
        _store(unit, ctx, row, called, counter, events, user_id)
        row.user_id = user_id
        return row.id

    ticket_id = _with_counter(ctx, number, action, user_id, "call")
    called = _publish_after(ctx, number, ticket_id, call=True)
    remote.after_call(ctx, called, ())
    return called


def _simple(ctx: QueueContext, number: int, user_id: int | None, transition: str) -> dict:
    now = ctx.now()

    def action(unit: _Unit) -> int:
        row, ticket = _held(unit, ctx)
        if transition == "recall":
            changed, events = states.recall(ticket, unit.counter, now)
            counter = None
        elif transition == "start":
            changed, events = states.start(ticket, unit.counter, now)
            counter = None
        elif transition == "finish":
            changed, counter, events = states.finish(ticket, unit.counter, now)
        else:
            changed, counter, events = states.no_show(ticket, unit.counter, now)
        _store(unit, ctx, row, changed, counter, events, user_id)
        return row.id

    ticket_id = _with_counter(ctx, number, action, user_id, transition)
    recall = transition == "recall"
    return _publish_after(
        ctx,
        number,
        ticket_id,
        call=recall,
        recall=recall,
        queue=transition not in ("recall", "start", "finish"),  # these leave the queue as it was
    )


def recall(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    return _simple(ctx, number, user_id, "recall")


def start(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    return _simple(ctx, number, user_id, "start")


def finish(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    return _simple(ctx, number, user_id, "finish")


def no_show(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    return _simple(ctx, number, user_id, "no_show")


def transfer(
    ctx: QueueContext,
    number: int,
    *,
    to_service: str | None = None,
    to_counter: int | None = None,
    note: str = "",
    user_id: int | None = None,
) -> dict:
    """Send the held citizen on to another field or counter; they keep their number (and place)."""
    now = ctx.now()
    if (to_service is None) == (to_counter is None):
        raise InvalidInput("transfer_target_required")

    def action(unit: _Unit) -> int:
        if to_service is not None:
            repo.service_by_code(unit.session, ctx.centre_id, to_service)
        if to_counter is not None:
            repo.counter_row(unit.session, ctx.centre_id, to_counter)
        row, ticket = _held(unit, ctx)
        closed, new, counter, events = states.transfer(
            ticket,
            unit.counter,
            now,
            to_service=to_service,
            to_counter=to_counter,
            keep_place=unit.centre.transfer_keeps_place,
            note=note[:300],
        )
        _store(unit, ctx, row, closed, counter, events, user_id)
        new_row = repo.new_ticket_row(
            new,
            unit.id_by_code,
            seq=row.seq,
            token=row.token,  # the citizen's status page follows them
            source=row.source,
            kiosk=row.kiosk,
            dossier_code=row.dossier_code,  # the next clerk still needs the receipt code
        )
        unit.session.add(new_row)
        unit.session.flush()
        return new_row.id

    target = {"to_service": to_service} if to_service else {"to_counter": to_counter}
    new_ticket_id = _with_counter(ctx, number, action, user_id, "transfer", target)
    return _publish_after(ctx, number, new_ticket_id)


def pause(ctx: QueueContext, number: int, reason: str = "", user_id: int | None = None) -> dict:
    now = ctx.now()

    def action(unit: _Unit) -> None:
        counter, events = states.pause(unit.counter, now, reason[:200])
        repo.apply_counter(unit.counter_row, counter)
        repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)

    _with_counter(
        ctx, number, action, user_id, "pause", {"reason": reason[:200]} if reason else None
    )
    _publish_after(ctx, number, None, queue=False)
    return counter_state(ctx, number)


def resume(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    now = ctx.now()

    def action(unit: _Unit) -> None:
        counter, events = states.resume(unit.counter, now)
        repo.apply_counter(unit.counter_row, counter)
        repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)

    _with_counter(ctx, number, action, user_id, "resume")
    _publish_after(ctx, number, None, queue=False)
    return counter_state(ctx, number)


def counter_state(ctx: QueueContext, number: int) -> dict:
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        return reader.staff_counter(repo.counter_row(session, ctx.centre_id, number))
