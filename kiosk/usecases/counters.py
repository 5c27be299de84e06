"""Counter actions: next, call a number, recall, start, finish, no-show,
transfer, pause, resume.  Each one locks what it changes, lets the core
decide, records who did it in the audit log (same transaction), builds the
events from what it wrote, commits, then publishes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Row
from sqlalchemy.orm import Session

from kiosk import rooms
from kiosk.core import numbering, policy, states
from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.core.model import Counter, Ticket, TicketStatus
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store import setup_cache
from kiosk.usecases import remote
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader, iso

# Actions that move no ticket, audited and published all the same.
_COUNTER_ONLY = ("pause", "resume")
_PLACED = (TicketStatus.WAITING.value, TicketStatus.REMOTE.value)  # their payload reads the queue


@dataclass
class _Unit:
    """What one write transaction found and changed.  Rows are plain (Core) rows, written
    by one statement each (repository.update_ticket, update_counter): no ORM object, no
    unit of work."""

    session: Session
    centre: Row  # repository.lock_centre's columns
    counter_row: Row
    counter: Counter
    setup: setup_cache.Setup
    code_by_id: Mapping[int, str]
    id_by_code: dict[str, int]
    counter_values: dict = field(default_factory=dict)  # written after the action
    ticket_row: Row | None = None  # the last ticket the action wrote, as stored


@dataclass(frozen=True)
class _Publish:
    """What an action's events are: a call (or recall) to announce, and whether the
    waiting queue changed."""

    call: bool = False
    recall: bool = False
    queue: bool = True


def _with_counter(
    ctx: QueueContext,
    number: int,
    action: Callable[[_Unit], int | None],
    user_id: int | None,
    audit_as: str,
    details: dict | None = None,
    publish: _Publish = _Publish(),
) -> tuple[int | None, dict | None, dict | None]:
    """Run `action` inside a write transaction holding the centre and counter locks; an
    action that changed something is audited as `counter.<audit_as>` and its events
    published after the commit.  Returns (the ticket's id, the clerk's (staff) view of it,
    the counter's staff view); (None, None, None) when a call found nobody to call.

    The events are built in the same transaction, from the rows it wrote: what a read
    after the commit gave, since the counter and its ticket are locked until then.  The
    waiting queue (and the place of a ticket that waits) is read there too on SQLite,
    which lets one writer in at a time across processes, so the counts are those at
    this commit; on PostgreSQL other transactions (issues) commit alongside, so these
    are read after the commit, as every issue does (kiosk/usecases/tickets.py)."""
    inside = ctx.store.is_sqlite
    with ctx.store.write() as session:
        centre = repo.lock_centre(session, ctx.centre_id)
        row = repo.counter_plain(session, ctx.centre_id, number, lock=True)
        setup = setup_cache.setup(session, ctx.centre_id)
        code_by_id = setup.code_by_id
        unit = _Unit(
            session,
            centre,
            row,
            repo.to_counter(row, setup.codes_by_counter_id.get(row.id, ())),
            setup,
            code_by_id,
            _id_by_code(setup),
        )
        try:
            ticket_id = action(unit)
        except Conflict as error:
            if error.code == "counter_busy" and not error.params.get("number"):
                # The core knows only the held ticket's id; the clerk needs its number.
                held = repo.held_tickets(session, [unit.counter.current_ticket_id or 0])
                error.params["number"] = next((t.number for t in held.values()), "?")
            raise
        if user_id is not None:
            unit.counter_values["current_user_id"] = user_id
        counter_row = repo.update_counter(session, row, unit.counter_values)
        if ticket_id is None and audit_as not in _COUNTER_ONLY:
            return None, None, None  # nobody to call: nothing happened that screens show
        ticket_row = None
        if ticket_id is not None:
            ticket_row = unit.ticket_row
            if ticket_row is None or ticket_row.id != ticket_id:
                ticket_row = repo.ticket_plain(session, ctx.centre_id, ticket_id)
        repo.add_audit(
            session,
            ctx.centre_id,
            ctx.now(),
            user_id,
            f"counter.{audit_as}",
            number,
            {**({"number": ticket_row.number} if ticket_row else {}), **(details or {})},
        )
        reader = QueueReader(ctx, session)
        reader.know(counter=counter_row, ticket=ticket_row)
        counters = reader.counter_views(counter_row)
        views = None
        if ticket_row is not None and (inside or ticket_row.status not in _PLACED):
            views = reader.ticket_views(ticket_row)
        queue = reader.queue_payload() if publish.queue and inside else None
        announce = None
        if publish.call and views is not None:
            announce = _announce(ctx, reader, views[0]["number"], number, publish.recall)
    if (ticket_row is not None and views is None) or (publish.queue and queue is None):
        with ctx.store.read() as session:  # PostgreSQL: see above
            reader = QueueReader(ctx, session)
            if views is None and ticket_row is not None:
                views = reader.ticket_views(repo.ticket_plain(session, ctx.centre_id, ticket_id))
            if publish.queue:
                queue = reader.queue_payload()
            if publish.call and announce is None and views is not None:
                announce = _announce(ctx, reader, views[0]["number"], number, publish.recall)
    ctx.publish(_events(ctx, number, counters, views, queue, publish, announce))
    return ticket_id, (views[0] if views else None), counters["staff"]


def _id_by_code(setup: setup_cache.Setup) -> dict[str, int]:
    """Field code → id, kept with the set-up (shared: never changed)."""
    kept = setup.derived.get("id_by_code")
    if kept is None:
        kept = setup.derived.setdefault("id_by_code", {v: k for k, v in setup.code_by_id.items()})
    return kept


def _announce(ctx: QueueContext, reader: QueueReader, ticket: str, number: int, recall: bool):
    """The `announce` object of a call, in the reader's transaction.  The admin may change
    the spoken languages at any time; every hub process reads them with the set-up."""
    settings = reader.centre.settings or {}
    return ctx.announce(
        ticket,
        number,
        tuple(settings.get("languages") or ctx.languages),
        recall,
        dict(settings.get("voice_packs") or {}),
        settings.get("number_reading") or "linh",
        session=reader.session,
    )


def _events(
    ctx: QueueContext,
    number: int,
    counters: dict[str, dict],
    views: tuple[dict, dict, dict] | None,
    queue_payload: dict | None,
    publish: _Publish,
    announce: dict | None,
) -> list[Outgoing]:
    """The events a counter action sends, each built for its audience (kiosk/rooms.py)."""
    centre = ctx.centre_id
    ticket, screen_ticket, holder_ticket = views or (None, None, None)
    audiences = rooms.counter_audiences(centre, number)
    everyone = tuple(room for group in audiences.values() for room in group)
    if ticket is not None:
        # A lobby wall follows calls by `call` and counts by `queue` (display.js has no
        # `counter` handler): what a counter holds between calls is for the screens at it
        # and for staff.  Its state (open, paused) still reaches the lobby: pause and resume
        # move no ticket.  So next + finish is two events at each lobby wall, not five.
        audiences = {**audiences, "public": (rooms.counter(centre, number),)}
    out: list[Outgoing] = []
    if publish.call and ticket:
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
                    "called_at": ticket["called_at"] if not publish.recall else iso(ctx.now()),
                    "recall": publish.recall,
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
        out.append(Outgoing("queue", queue_payload, rooms.queue_audience(centre)))
    return out


def _held(unit: _Unit, ctx: QueueContext) -> tuple[Row, Ticket]:
    if unit.counter.current_ticket_id is None:
        raise Conflict("counter_idle", counter=unit.counter.number)
    row = repo.ticket_plain(unit.session, ctx.centre_id, unit.counter.current_ticket_id, lock=True)
    return row, repo.to_ticket(row, unit.code_by_id)


def _store(
    unit: _Unit,
    ctx: QueueContext,
    ticket_row: Row,
    ticket: Ticket,
    counter: Counter | None,
    events,
    user_id: int | None,
    columns: dict | None = None,
) -> None:
    """Write a ticket's move (and `columns` of its row), its events, and what the counter
    becomes (written once the action is done)."""
    values = repo.ticket_values(ticket, unit.id_by_code)
    values.update(columns or {})
    unit.ticket_row = repo.update_ticket(unit.session, ticket_row, values)
    if counter is not None:
        unit.counter_values.update(repo.counter_values(counter))
    repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)


def call_next(ctx: QueueContext, number: int, user_id: int | None = None) -> dict | None:
    """Call the next citizen at a counter; None when nobody waits for it."""
    now = ctx.now()
    lost: list[str] = []  # remote numbers whose place this call took (core/remote.py)
    rules: list = []  # the centre's remote rules as this transaction saw them

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
        _store(
            unit, ctx, tickets[chosen.id], called, counter, events, user_id, {"user_id": user_id}
        )
        if new_state.normal_since_priority != unit.centre.normal_since_priority:
            repo.save_policy_state(unit.session, ctx.centre_id, new_state.normal_since_priority)
        lost[:] = remote.note_call(unit.session, ctx, chosen, tickets[chosen.id].service_id, now)
        rules.append(remote.rules_in(unit.session, ctx))
        return chosen.id

    ticket_id, called, _ = _with_counter(
        ctx, number, action, user_id, "next", publish=_Publish(call=True)
    )
    if ticket_id is None:
        return None
    remote.after_call(ctx, called, lost, rules[0])
    return called


def call_number(
    ctx: QueueContext, number: int, ticket_number: str, user_id: int | None = None
) -> dict:
    """Call one specific waiting ticket (typed or scanned) at this counter."""
    wanted = numbering.parse_number(ticket_number)
    now = ctx.now()
    rules: list = []

    def action(unit: _Unit) -> int:
        day = numbering.business_day(now, ctx.tz)
        row = repo.latest_plain_by_number(unit.session, ctx.centre_id, wanted, day, lock=True)
        if row is None:
            raise NotFound("unknown_ticket", ticket=wanted)
        ticket = repo.to_ticket(row, unit.code_by_id)
        called, counter, events = states.call(ticket, unit.counter, now)
        _store(unit, ctx, row, called, counter, events, user_id, {"user_id": user_id})
        rules.append(remote.rules_in(unit.session, ctx))
        return row.id

    _, called, _ = _with_counter(ctx, number, action, user_id, "call", publish=_Publish(call=True))
    remote.after_call(ctx, called, (), rules[0])
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

    recall = transition == "recall"
    publish = _Publish(
        call=recall,
        recall=recall,
        queue=transition not in ("recall", "start", "finish"),  # these leave the queue as it was
    )
    return _with_counter(ctx, number, action, user_id, transition, publish=publish)[1]


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
            repo.counter_plain(unit.session, ctx.centre_id, to_counter)
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
        return repo.insert_ticket(unit.session, new_row)

    target = {"to_service": to_service} if to_service else {"to_counter": to_counter}
    return _with_counter(ctx, number, action, user_id, "transfer", target)[1]


def pause(ctx: QueueContext, number: int, reason: str = "", user_id: int | None = None) -> dict:
    now = ctx.now()

    def action(unit: _Unit) -> None:
        counter, events = states.pause(unit.counter, now, reason[:200])
        unit.counter_values.update(repo.counter_values(counter))
        repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)

    details = {"reason": reason[:200]} if reason else None
    return _with_counter(
        ctx, number, action, user_id, "pause", details, publish=_Publish(queue=False)
    )[2]


def resume(ctx: QueueContext, number: int, user_id: int | None = None) -> dict:
    now = ctx.now()

    def action(unit: _Unit) -> None:
        counter, events = states.resume(unit.counter, now)
        unit.counter_values.update(repo.counter_values(counter))
        repo.add_events(unit.session, ctx.centre_id, events, user_id=user_id)

    return _with_counter(ctx, number, action, user_id, "resume", publish=_Publish(queue=False))[2]


def counter_state(ctx: QueueContext, number: int) -> dict:
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        return reader.staff_counter(repo.counter_row(session, ctx.centre_id, number))
