"""Reading and writing queue state: rows ↔ core values, locks, the daily sequence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.core.errors import NotFound
from kiosk.core.model import (
    Counter,
    CounterState,
    Event,
    PriorityPolicy,
    Service,
    Ticket,
    TicketStatus,
)
from kiosk.core.policy import Ahead
from kiosk.store import direct, setup_cache
from kiosk.store.tables import (
    AuditRow,
    CentreRow,
    CounterRow,
    DailySequenceRow,
    EventRow,
    RemoteTicketRow,
    ServiceRow,
    TicketRow,
    UserRow,
)

# The settings (a JSON document) and the names are the set-up's: "next" reads them from
# the kept copy.
_LOCK_CENTRE = (
    select(
        CentreRow.__table__.c.id,
        CentreRow.__table__.c.policy_mode,
        CentreRow.__table__.c.normal_per_priority,
        CentreRow.__table__.c.transfer_keeps_place,
        CentreRow.__table__.c.normal_since_priority,
    )
    .where(CentreRow.__table__.c.id == bindparam("centre"))
    .with_for_update()
)


def lock_centre(session: Session, centre_id: int):
    """Take the centre's row lock: serialises "next" within a centre (PostgreSQL);
    on SQLite the immediate transaction already did.  Returns what the counters' actions
    read of it, as a plain row: id, policy_mode, normal_per_priority,
    transfer_keeps_place, normal_since_priority (the interleave memory)."""
    return _run(session, _LOCK_CENTRE, {"centre": centre_id}).one()


def centre_by_code(session: Session, code: str | None) -> CentreRow | None:
    query = select(CentreRow).order_by(CentreRow.id)
    if code:
        query = query.where(CentreRow.code == code)
    return session.execute(query.limit(1)).scalar_one_or_none()


def policy_of(session: Session, centre) -> PriorityPolicy:
    """The centre's priority policy: its mode and interleave from `centre` (a row read in
    this transaction, or the set-up's centre), its groups from the kept set-up."""
    return setup_cache.setup(session, centre.id).policy(centre)


def services_of(
    session: Session, centre_id: int, *, active_only: bool = False
) -> list[setup_cache.ServiceSetup]:
    """The centre's fields in the admin's order (from the kept set-up: read-only values)."""
    services = setup_cache.setup(session, centre_id).services
    return [s for s in services if s.active] if active_only else list(services)


def service_by_code(session: Session, centre_id: int, code: str) -> setup_cache.ServiceSetup:
    row = setup_cache.setup(session, centre_id).service_by_code.get(code)
    if row is None or not row.active:
        raise NotFound("unknown_service", service=code)
    return row


def to_service(row: ServiceRow) -> Service:
    return Service(
        code=row.code,
        name=row.name,
        prefix=row.prefix,
        name_en=row.name_en or "",
        daily_cap=row.daily_cap,
        id=row.id,
    )


def counters_of(session: Session, centre_id: int) -> list[CounterRow]:
    return list(
        session.execute(
            select(CounterRow).where(CounterRow.centre_id == centre_id).order_by(CounterRow.number)
        ).scalars()
    )


def _one_row(session: Session, query, params: dict, *, code: str, **error: object):
    """The one row `query` finds, else NotFound(`code`, **error)."""
    row = session.execute(query, params).scalar_one_or_none()
    if row is None:
        raise NotFound(code, **error)
    return row


# Built once, locked and not (see _WAITING_SUMMARY below for why).
_COUNTER_ROW = select(CounterRow).where(
    CounterRow.centre_id == bindparam("centre"), CounterRow.number == bindparam("number")
)
_COUNTER_ROW_LOCKED = _COUNTER_ROW.with_for_update()
_TICKET_ROW = select(TicketRow).where(
    TicketRow.centre_id == bindparam("centre"), TicketRow.id == bindparam("id")
)
_TICKET_ROW_LOCKED = _TICKET_ROW.with_for_update()


def counter_row(session: Session, centre_id: int, number: int, *, lock: bool = False) -> CounterRow:
    query = _COUNTER_ROW_LOCKED if lock else _COUNTER_ROW
    params = {"centre": centre_id, "number": number}
    return _one_row(session, query, params, code="unknown_counter", counter=number)


def counter_plain(session: Session, centre_id: int, number: int, *, lock: bool = False):
    """The counter's columns as a plain row (no ORM object: what a counter action reads
    and then writes by `update_counter`); NotFound when there is no such counter."""
    query = _COUNTER_PLAIN_LOCKED if lock else _COUNTER_PLAIN
    row = _run(session, query, {"centre": centre_id, "number": number}).first()
    if row is None:
        raise NotFound("unknown_counter", counter=number)
    return row


def ticket_plain(session: Session, centre_id: int, ticket_id: int, *, lock: bool = False):
    """The ticket's columns as a plain row (see counter_plain); NotFound if none."""
    query = _TICKET_PLAIN_LOCKED if lock else _TICKET_PLAIN
    row = _run(session, query, {"centre": centre_id, "id": ticket_id}).first()
    if row is None:
        raise NotFound("unknown_ticket", ticket=ticket_id)
    return row


def counter_service_codes(session: Session, counter_id: int) -> tuple[str, ...]:
    """The active fields a counter serves, in the order "next" prefers them."""
    counter = session.get(CounterRow, counter_id)  # in the session already where it matters
    if counter is None:
        return ()
    return setup_cache.setup(session, counter.centre_id).codes_by_counter_id.get(counter_id, ())


def counter_services_map(session: Session, centre_id: int) -> dict[int, tuple[str, ...]]:
    """counter number → its service codes in preference order."""
    return dict(setup_cache.setup(session, centre_id).codes_by_counter_number)


def to_counter(row: CounterRow, services: tuple[str, ...]) -> Counter:
    return Counter(
        number=row.number,
        name=row.name,
        name_en=row.name_en or "",
        services=services,
        state=CounterState(row.state),
        pause_reason=row.pause_reason,
        current_ticket_id=row.current_ticket_id,
        id=row.id,
    )


def apply_counter(row: CounterRow, counter: Counter) -> None:
    row.state = counter.state.value
    row.pause_reason = counter.pause_reason
    row.current_ticket_id = counter.current_ticket_id


def counter_values(counter: Counter) -> dict:
    """The columns a counter's moves change (apply_counter's), by name."""
    return {
        "state": counter.state.value,
        "pause_reason": counter.pause_reason,
        "current_ticket_id": counter.current_ticket_id,
    }


def to_ticket(row: TicketRow, code_by_service_id: dict[int, str]) -> Ticket:
    return Ticket(
        centre_id=row.centre_id,
        service_code=code_by_service_id[row.service_id],
        number=row.number,
        business_day=row.business_day,
        issued_at=row.issued_at,
        queued_at=row.queued_at,
        status=TicketStatus(row.status),
        priority=row.priority,
        appointment_at=row.appointment_at,
        target_counter=row.target_counter,
        counter=row.counter_number,
        called_at=row.called_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        recalls=row.recalls,
        parent_id=row.parent_id,
        id=row.id,
    )


def apply_ticket(row: TicketRow, ticket: Ticket, service_id_by_code: dict[str, int]) -> None:
    row.service_id = service_id_by_code[ticket.service_code]
    row.status = ticket.status.value
    row.priority = ticket.priority
    row.queued_at = ticket.queued_at
    row.target_counter = ticket.target_counter
    row.counter_number = ticket.counter
    row.called_at = ticket.called_at
    row.started_at = ticket.started_at
    row.finished_at = ticket.finished_at
    row.recalls = ticket.recalls


def ticket_values(ticket: Ticket, service_id_by_code: dict[str, int]) -> dict:
    """The columns a ticket's moves change (apply_ticket's), by name."""
    return {
        "service_id": service_id_by_code[ticket.service_code],
        "status": ticket.status.value,
        "priority": ticket.priority,
        "queued_at": ticket.queued_at,
        "target_counter": ticket.target_counter,
        "counter_number": ticket.counter,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "finished_at": ticket.finished_at,
        "recalls": ticket.recalls,
    }


def _changed(row, values: dict) -> dict:
    """The entries of `values` that differ from `row`'s columns: what the ORM's unit of
    work would have written (a column rewritten with the value read could undo another
    transaction's change made meanwhile)."""
    return {key: value for key, value in values.items() if getattr(row, key) != value}


def update_ticket(session: Session, row, values: dict):
    """Write the ticket's columns in `values` that differ from `row` (a plain row read in
    this transaction) by one UPDATE; the ticket as stored after it (RETURNING), or `row`
    when nothing differs."""
    changed = _changed(row, values)
    if not changed:
        return row
    return _run(session, _UPDATE_TICKET, {"row_id": row.id, **changed}).one()


def update_counter(session: Session, row, values: dict):
    """update_ticket for a counter."""
    changed = _changed(row, values)
    if not changed:
        return row
    return _run(session, _UPDATE_COUNTER, {"row_id": row.id, **changed}).one()


class NewTicketRow:
    """A ticket row about to be stored: its columns as attributes, like a new `TicketRow`
    (a column not given reads None) but without the ORM's attribute instrumentation,
    which cost more than the INSERT itself.  `insert_ticket` stores the columns given
    (the table's defaults fill the rest) and sets `id`."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str):
        if name in _TICKET_COLUMNS:
            return None  # not given: as a new ORM row reads before its INSERT
        raise AttributeError(name)


# What a ticket row copies from its core ticket, under the same names, once when it is
# built: no move changes these (the fields a move changes are `apply_ticket`'s).
_BIRTH_FIELDS = ("centre_id", "number", "business_day", "issued_at", "appointment_at", "parent_id")


def new_ticket_row(
    ticket: Ticket,
    service_id_by_code: dict[str, int],
    *,
    seq: int,
    token: str,
    source: str,
    kiosk: str | None,
    dossier_code: str | None = None,
    idempotency_key: str | None = None,
    appointment_id: int | None = None,
) -> NewTicketRow:
    """The one place a ticket row is built: a core ticket (issued, or the next leg of a
    transfer) plus what only the row keeps (sequence, status-page token, where it came
    from).  The fields a ticket's moves change are written by `apply_ticket`."""
    row = NewTicketRow(
        **{name: getattr(ticket, name) for name in _BIRTH_FIELDS},
        seq=seq,
        token=token,
        source=source,
        kiosk=kiosk,
        idempotency_key=idempotency_key,
        dossier_code=dossier_code,
        appointment_id=appointment_id,
    )
    apply_ticket(row, ticket, service_id_by_code)
    return row


def ticket_row(
    session: Session, centre_id: int, ticket_id: int, *, lock: bool = False
) -> TicketRow:
    query = _TICKET_ROW_LOCKED if lock else _TICKET_ROW
    params = {"centre": centre_id, "id": ticket_id}
    return _one_row(session, query, params, code="unknown_ticket", ticket=ticket_id)


def latest_by_number(statement, centre_id: int, number: str, day: date):
    """`statement` narrowed to the centre's latest ticket numbered `number` on business
    day `day` (a number typed or scanned at a counter: numbers restart each day)."""
    return (
        statement.where(
            TicketRow.centre_id == centre_id,
            TicketRow.number == number,
            TicketRow.business_day == day,
        )
        .order_by(TicketRow.id.desc())
        .limit(1)
    )


def latest_plain_by_number(
    session: Session, centre_id: int, number: str, day: date, *, lock: bool = False
):
    """latest_by_number's ticket as a plain row (see counter_plain), or None."""
    query = _LATEST_LOCKED if lock else _LATEST
    return _run(session, query, {"centre": centre_id, "number": number, "day": day}).first()


def waiting_rows(
    session: Session,
    centre_id: int,
    service_ids: Iterable[int] | None = None,
    day: date | None = None,
) -> list[TicketRow]:
    query = select(TicketRow).where(
        TicketRow.centre_id == centre_id, TicketRow.status == TicketStatus.WAITING.value
    )
    if service_ids is not None:
        query = query.where(TicketRow.service_id.in_(list(service_ids)))
    if day is not None:
        query = query.where(TicketRow.business_day == day)
    return list(session.execute(query.order_by(TicketRow.queued_at, TicketRow.id)).scalars())


# Statements the hot paths run for every ticket, press and snapshot are built once: a
# statement built per call costs more CPU to put together and to find in SQLAlchemy's
# compiled cache than SQLite needs to answer it.
_tickets = TicketRow.__table__
_events = EventRow.__table__
_counters = CounterRow.__table__
_waiting = (_tickets.c.centre_id == bindparam("centre"), _tickets.c.status == "waiting")
_priority = _tickets.c.priority.is_not(None) & (_tickets.c.priority != "")


def _waiting_in(service):
    """The waiting tickets of the field `service` (a column or a bind parameter)."""
    return select(func.count()).where(
        _tickets.c.centre_id == bindparam("centre"),
        _tickets.c.status == "waiting",
        _tickets.c.service_id == service,
    )


def _waiting_summary(fields: int):
    """waiting_summary's statement on SQLite for `fields` fields (built once per count):
    per field, its waiting count, counted from an index alone, and its oldest issue time,
    one probe of ix_tickets_waiting_since (a GROUP BY over the waiting rows read each row).
    The fields' ids come from the kept set-up, so the set-up's tables are not read."""
    columns = []
    for n in range(fields):
        count = _waiting_in(bindparam(f"service_{n}"))
        columns.append(count.scalar_subquery())
        columns.append(count.with_only_columns(func.min(_tickets.c.issued_at)).scalar_subquery())
    return select(*columns)


_WAITING_SUMMARY: dict[int, object] = {}
# PostgreSQL groups the waiting rows in one pass (flat on it, docs/benchmarks.md); the
# probes above are for SQLite, whose GROUP BY visited each waiting row's table entry.
_PG_WAITING_SUMMARY = (
    select(_tickets.c.service_id, func.count(_tickets.c.id), func.min(_tickets.c.issued_at))
    .where(*_waiting)
    .group_by(_tickets.c.service_id)
)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_earlier = or_(
    _tickets.c.queued_at < bindparam("queued_at"),
    and_(_tickets.c.queued_at == bindparam("queued_at"), _tickets.c.id < bindparam("id")),
)
# PostgreSQL: the four counts in one pass over the field's untargeted waiting tickets.  Its
# per-row work is cheap (flat within 1.13x from 5 to 2,000 waiting, docs/benchmarks.md);
# split into ranges as SQLite's below, a planner without fresh statistics (a queue grown
# within the morning) scanned the field once per count.
_PG_AHEAD = select(
    _count(and_(_priority, _earlier)),
    _count(and_(~_priority, _earlier)),
    _count(_priority),
    _count(~_priority),
).where(
    *_waiting,
    _tickets.c.service_id == bindparam("service"),
    _tickets.c.target_counter.is_(None),
    _tickets.c.id != bindparam("id"),
)


# SQLite evaluates that per row slowly (0.78 ms at 2,000 waiting): it counts the field's
# total from an index alone, less the targeted, priority and later tickets, each a range
# of an index (a new ticket is the last in line).  Its planner, with no statistics here,
# is told each count's index: with several indexes starting (centre_id, status) it would
# take one that visits every waiting ticket.  Its binary collation makes `priority > ''` the
# priority class exactly (not NULL, not empty), and so a range of ix_tickets_classes.
_SQLITE_FIELD = "centre_id = :centre AND status = 'waiting' AND service_id = :service"
_SQLITE_LATER = "(queued_at > :queued_at OR (queued_at = :queued_at AND id > :id))"
_SQLITE_COUNTS = (
    f"ix_tickets_queue WHERE {_SQLITE_FIELD}",
    f"ix_tickets_classes WHERE target_counter IS NOT NULL AND {_SQLITE_FIELD}",
    f"ix_tickets_classes WHERE target_counter IS NULL AND {_SQLITE_FIELD} AND priority > ''",
    f"ix_tickets_queue WHERE {_SQLITE_FIELD} AND queued_at >= :queued_at AND {_SQLITE_LATER}",
    f"ix_tickets_classes WHERE target_counter IS NOT NULL AND {_SQLITE_FIELD} AND {_SQLITE_LATER}",
    f"ix_tickets_classes WHERE target_counter IS NULL AND {_SQLITE_FIELD} AND priority > ''"
    f" AND {_SQLITE_LATER}",
)
_SQLITE_ITSELF = f"id = :id AND target_counter IS NULL AND {_SQLITE_FIELD}"
_SQLITE_AHEAD = text(
    "SELECT "
    + ", ".join(f"(SELECT count(*) FROM tickets INDEXED BY {c})" for c in _SQLITE_COUNTS)
    + f", (SELECT count(*) FROM tickets WHERE {_SQLITE_ITSELF})"
    + f", (SELECT count(*) FROM tickets WHERE {_SQLITE_ITSELF} AND priority > '')"
).bindparams(
    bindparam("centre", type_=Integer),
    bindparam("service", type_=Integer),
    bindparam("queued_at", type_=_tickets.c.queued_at.type),
    bindparam("id", type_=Integer),
)
_COUNTER_STATES = (
    select(
        _counters.c.id,
        _counters.c.centre_id,
        _counters.c.number,
        _counters.c.name,
        _counters.c.name_en,
        _counters.c.state,
        _counters.c.pause_reason,
        _counters.c.current_ticket_id,
        _counters.c.current_user_id,
    )
    .where(_counters.c.centre_id == bindparam("centre"))
    .order_by(_counters.c.number)
)
_HELD = select(_tickets).where(_tickets.c.id.in_(bindparam("ids", expanding=True)))
_CALLING_SINCE = (
    select(_events.c.counter_number)
    .where(
        _events.c.centre_id == bindparam("centre"),
        _events.c.kind == "called",
        _events.c.at >= bindparam("since"),
    )
    .distinct()
)
_RECENT_SERVICES = (
    select(_tickets.c.started_at, _tickets.c.finished_at)
    .where(
        _tickets.c.centre_id == bindparam("centre"),
        _tickets.c.service_id == bindparam("service"),
        _tickets.c.status == "done",
        _tickets.c.finished_at >= bindparam("since"),
    )
    .order_by(_tickets.c.finished_at.desc())
    .limit(bindparam("limit"))
)
_USER_NAME = select(UserRow.__table__.c.display_name, UserRow.__table__.c.username).where(
    UserRow.__table__.c.id == bindparam("id")
)
_NORMAL_SINCE_PRIORITY = select(CentreRow.__table__.c.normal_since_priority).where(
    CentreRow.__table__.c.id == bindparam("centre")
)


_today_calls = (
    _events.c.centre_id == bindparam("centre"),
    _events.c.kind.in_(("called", "recalled")),
    _events.c.at >= bindparam("since"),
)
_newest_calls = (
    select(_events.c.id)
    .where(*_today_calls)
    .order_by(_events.c.at.desc(), _events.c.id.desc())
    .limit(bindparam("limit"))
    .subquery()
)
_latest_call_per_pair = (
    select(func.max(_events.c.id))
    .join(_tickets, _tickets.c.id == _events.c.ticket_id)
    .where(*_today_calls)
    .group_by(_events.c.counter_number, _tickets.c.service_id)
)
_RECENT_CALLS = (
    select(
        _events.c.kind,
        _events.c.at,
        _events.c.counter_number,
        _tickets.c.number,
        _tickets.c.service_id,
    )
    .join(_tickets, _tickets.c.id == _events.c.ticket_id)
    .where(
        _events.c.id.in_(union(select(_newest_calls.c.id), _latest_call_per_pair).scalar_subquery())
    )
    .order_by(_events.c.at.desc(), _events.c.id.desc())
)


def recent_calls(session: Session, centre_id: int, since, limit: int) -> list:
    """Calls and recalls since `since`, newest first: the last `limit`, plus the latest
    of every (counter, field) pair; rows of kind, at, counter_number, number, service_id."""
    return _run(session, _RECENT_CALLS, {"centre": centre_id, "since": since, "limit": limit}).all()


def _run(session: Session, statement, params=None):
    """Run a Core statement built once on the session's connection, on the driver's cursor
    (kiosk/store/direct.py: a tenth of the CPU of SQLAlchemy's execute for a small query);
    what the session still holds is written first, as the ORM would before a query."""
    if session.new or session.deleted or session.dirty:
        session.flush()
    return direct.run(_connection(session), statement, params)


def _connection(session: Session):
    """session.connection(), kept for the transaction it belongs to (asking the session
    again costs more than most statements here)."""
    transaction = session.get_transaction()
    kept = session.info.get("store_connection")
    if transaction is not None and kept is not None and kept[0] is transaction:
        return kept[1]
    connection = session.connection()
    session.info["store_connection"] = (session.get_transaction(), connection)
    return connection


def waiting_summary(session: Session, centre_id: int) -> dict[int, tuple[int, object]]:
    """Per service id: how many wait and the oldest issue time among them, counted by the
    database (a queue of thousands is never loaded to count it); fields nobody waits for
    are left out."""
    if session.bind.dialect.name != "sqlite":
        rows = _run(session, _PG_WAITING_SUMMARY, {"centre": centre_id}).all()
        return {service_id: (count, oldest) for service_id, count, oldest in rows}
    ids = [s.id for s in setup_cache.setup(session, centre_id).services]
    if not ids:
        return {}
    statement = _WAITING_SUMMARY.get(len(ids))
    if statement is None:
        statement = _WAITING_SUMMARY.setdefault(len(ids), _waiting_summary(len(ids)))
    params = {"centre": centre_id, **{f"service_{n}": i for n, i in enumerate(ids)}}
    row = _run(session, statement, params).one()
    return {i: (row[2 * n], row[2 * n + 1]) for n, i in enumerate(ids) if row[2 * n]}


def ahead_counts(session: Session, row: TicketRow) -> Ahead:
    """policy.ahead_counts for a stored ticket, counted by the database: the waiting
    tickets of its field that no counter was named for (the ticket left out), by class,
    and those of them queued before it (queued_at, then id)."""
    params = {
        "centre": row.centre_id,
        "service": row.service_id,
        "queued_at": row.queued_at,
        "id": row.id,
    }
    if session.bind.dialect.name != "sqlite":
        return Ahead(*(int(n) for n in _run(session, _PG_AHEAD, params).one()))
    # All less those queued after it: see _SQLITE_AHEAD.
    (
        total,
        targeted,
        priority,
        later_all,
        later_targeted,
        later_priority,
        itself,
        itself_priority,
    ) = _run(session, _SQLITE_AHEAD, params).one()
    later = later_all - later_targeted
    waiting_priority = priority - itself_priority
    waiting_normal = total - targeted - priority - (itself - itself_priority)
    return Ahead(
        earlier_priority=waiting_priority - later_priority,
        earlier_normal=waiting_normal - (later - later_priority),
        waiting_priority=waiting_priority,
        waiting_normal=waiting_normal,
    )


def _issued_on(fields: int):
    """issued_on's statement for `fields` fields (built once per count: an expanding IN
    is put together again for every execution)."""
    sequences = DailySequenceRow.__table__
    return select(sequences.c.service_id, sequences.c.last).where(
        sequences.c.service_id.in_([bindparam(f"service_{n}") for n in range(fields)]),
        sequences.c.business_day == bindparam("day"),
    )


_ISSUED_ON: dict[int, object] = {}


def issued_on(session: Session, service_ids: list[int], day: date) -> dict[int, int]:
    """Service id → the last number it gave out on `day` (absent: none yet)."""
    statement = _ISSUED_ON.get(len(service_ids))
    if statement is None:
        statement = _ISSUED_ON.setdefault(len(service_ids), _issued_on(len(service_ids)))
    params = {"day": day, **{f"service_{n}": i for n, i in enumerate(service_ids)}}
    return dict(_run(session, statement, params).all())


def counter_states(session: Session, centre_id: int) -> list:
    """Every counter of the centre by number, as plain rows (number, name, name_en, state,
    pause_reason, current_ticket_id, current_user_id, id, centre_id): what queue
    actions change, read for each request (no ORM objects)."""
    return _run(session, _COUNTER_STATES, {"centre": centre_id}).all()


def held_tickets(session: Session, ticket_ids: Iterable[int]) -> dict[int, object]:
    """Ticket id → the ticket's columns (a plain row), for the tickets counters hold."""
    rows = _run(session, _HELD, {"ids": list(ticket_ids)}).all()
    return {row.id: row for row in rows}


def counters_calling_since(session: Session, centre_id: int, since) -> set[int]:
    """The counters that called someone at or after `since`."""
    return set(_run(session, _CALLING_SINCE, {"centre": centre_id, "since": since}).scalars())


def recent_service_seconds(
    session: Session, centre_id: int, service_id: int, since, limit: int
) -> list[float]:
    """How long each of the field's last `limit` services finished since `since` took."""
    rows = _run(
        session,
        _RECENT_SERVICES,
        {"centre": centre_id, "service": service_id, "since": since, "limit": limit},
    ).all()
    return [(f - s).total_seconds() for s, f in rows if s and f]


def user_display_name(session: Session, user_id: int) -> str | None:
    """A user's display name (else user name), or None when there is no such user."""
    row = _run(session, _USER_NAME, {"id": user_id}).first()
    return (row.display_name or row.username) if row else None


def normal_since_priority(session: Session, centre_id: int) -> int:
    """The interleave policy's memory as stored now."""
    return _run(session, _NORMAL_SINCE_PRIORITY, {"centre": centre_id}).scalar_one()


def _queue_heads(fields: int):
    """queue_heads' statement for a counter serving `fields` fields (built once per count)."""
    waiting = (TicketRow.centre_id == bindparam("centre"), TicketRow.status == "waiting")
    priority = TicketRow.priority.is_not(None) & (TicketRow.priority != "")
    slots = [(TicketRow.target_counter == bindparam("counter"),)]
    for n in range(fields):
        field = TicketRow.service_id == bindparam(f"service_{n}")
        for cls in (priority, ~priority):
            slots.append((field, TicketRow.target_counter.is_(None), cls))
    oldest = [
        select(TicketRow.id)
        .where(*waiting, *slot)
        .order_by(TicketRow.queued_at, TicketRow.id)
        .limit(1)
        .scalar_subquery()
        for slot in slots
    ]
    return select(_tickets).where(or_(*(_tickets.c.id == o for o in oldest)))


def _sqlite_queue_heads(fields: int):
    """_queue_heads for SQLite, each head read through the index that finds it (see
    _SQLITE_AHEAD): the ticket sent to the counter and a field's priority head are ranges
    of ix_tickets_classes (few tickets), a field's normal head the first untargeted normal
    ticket in ix_tickets_queue's order (ordered by queued_at, then id)."""
    head = "SELECT id FROM tickets INDEXED BY {} WHERE centre_id = :centre AND status = 'waiting'"
    head += " AND {} ORDER BY queued_at, id LIMIT 1"
    heads = [head.format("ix_tickets_classes", "target_counter = :counter")]
    for n in range(fields):
        field = f"service_id = :service_{n} AND target_counter IS NULL"
        heads.append(head.format("ix_tickets_classes", f"{field} AND priority > ''"))
        normal = f"{field} AND NOT (priority IS NOT NULL AND priority != '')"
        heads.append(head.format("ix_tickets_queue", normal))
    columns = ", ".join(c.name for c in _tickets.columns)
    statement = text(
        f"SELECT {columns} FROM tickets WHERE id IN ({', '.join(f'({h})' for h in heads)})"
    )
    params = [bindparam("centre", type_=Integer), bindparam("counter", type_=Integer)]
    params += [bindparam(f"service_{n}", type_=Integer) for n in range(fields)]
    return statement.bindparams(*params).columns(*_tickets.columns)


_QUEUE_HEADS: dict[tuple[str, int], object] = {}
_HEADS_BUILDERS = {"postgresql": _queue_heads, "sqlite": _sqlite_queue_heads}


def queue_heads(
    session: Session, centre_id: int, counter_number: int, service_ids: Iterable[int]
) -> list:
    """policy.heads in SQL: the oldest waiting ticket sent to this counter, and the oldest
    of each class in each of its fields, each one index lookup, all in one statement (the
    caller holds the centre's lock, so no other call takes them meanwhile).  Plain rows
    (see counter_plain)."""
    service_ids = list(service_ids)
    key = (session.bind.dialect.name, len(service_ids))
    statement = _QUEUE_HEADS.get(key)
    if statement is None:
        statement = _QUEUE_HEADS.setdefault(key, _HEADS_BUILDERS[key[0]](key[1]))
    params = {"centre": centre_id, "counter": counter_number}
    params.update({f"service_{n}": service_id for n, service_id in enumerate(service_ids)})
    return _run(session, statement, params).all()


def _next_sequence(insert):
    return (
        insert(DailySequenceRow.__table__)
        .values(service_id=bindparam("service"), business_day=bindparam("day"), last=1)
        .on_conflict_do_update(
            index_elements=[DailySequenceRow.service_id, DailySequenceRow.business_day],
            set_={"last": DailySequenceRow.last + 1},
        )
        .returning(DailySequenceRow.last)
    )


_NEXT_SEQUENCE = {"postgresql": _next_sequence(pg_insert), "sqlite": _next_sequence(sqlite_insert)}


def next_sequence(session: Session, service_id: int, day: date) -> int:
    """Atomically take the next number of a service for a business day (never max()+1)."""
    statement = _NEXT_SEQUENCE[session.bind.dialect.name]
    return int(_run(session, statement, {"service": service_id, "day": day}).scalar_one())


_WITH_KEY = select(_tickets.c.id).where(
    _tickets.c.centre_id == bindparam("centre"), _tickets.c.idempotency_key == bindparam("key")
)


def ticket_with_key(session: Session, centre_id: int, key: str) -> bool:
    """Whether a ticket was issued under this idempotency key."""
    return _run(session, _WITH_KEY, {"centre": centre_id, "key": key}).first() is not None


def insert_ticket(session: Session, row: NewTicketRow) -> int:
    """Store a ticket row built by `new_ticket_row` by one INSERT, without the ORM's
    unit of work (the row stays out of the session, as a record of what was stored);
    its new id is set on it and returned."""
    values = {key: value for key, value in vars(row).items() if key in _TICKET_KEYS}
    row.id = _run(session, _INSERT_TICKET, values).scalar_one()
    return row.id


_COUNTER_PLAIN = select(_counters).where(
    _counters.c.centre_id == bindparam("centre"), _counters.c.number == bindparam("number")
)
_COUNTER_PLAIN_LOCKED = _COUNTER_PLAIN.with_for_update()
_TICKET_PLAIN = select(_tickets).where(
    _tickets.c.centre_id == bindparam("centre"), _tickets.c.id == bindparam("id")
)
_TICKET_PLAIN_LOCKED = _TICKET_PLAIN.with_for_update()
_LATEST = (
    select(_tickets)
    .where(
        _tickets.c.centre_id == bindparam("centre"),
        _tickets.c.number == bindparam("number"),
        _tickets.c.business_day == bindparam("day"),
    )
    .order_by(_tickets.c.id.desc())
    .limit(1)
)
_LATEST_LOCKED = _LATEST.with_for_update()
# No values: the SET clause is the parameters' columns (one compiled form per set of them).
_UPDATE_TICKET = (
    _tickets.update().where(_tickets.c.id == bindparam("row_id")).returning(*_tickets.c)
)
_UPDATE_COUNTER = (
    _counters.update().where(_counters.c.id == bindparam("row_id")).returning(*_counters.c)
)
_TICKET_COLUMNS = frozenset(c.key for c in _tickets.columns)
_TICKET_KEYS = _TICKET_COLUMNS - {"id"}
# The new id said by RETURNING, the events' and audit rows' not asked for (inline): each
# then one statement on the driver's cursor (kiosk/store/direct.py) on either database.
_INSERT_TICKET = _tickets.insert().returning(_tickets.c.id)
_INSERT_EVENTS = _events.insert().inline()


def add_events(
    session: Session, centre_id: int, events: Sequence[Event], *, user_id: int | None = None
) -> None:
    """Store one `events` row per core event, by one INSERT (no ORM objects: nobody reads
    them back in the transaction that writes them); what the session holds is written
    first, so the rows follow the changes they record."""
    if not events:
        return
    rows = [
        {
            "centre_id": centre_id,
            "ticket_id": e.ticket_id,
            "kind": e.kind,
            "at": e.at,
            "counter_number": e.counter,
            "user_id": user_id,
            "data": dict(e.data),
        }
        for e in events
    ]
    _run(session, _INSERT_EVENTS, rows[0] if len(rows) == 1 else rows)


_SAVE_POLICY_STATE = (
    update(CentreRow.__table__)
    .where(CentreRow.__table__.c.id == bindparam("centre"))
    .values(normal_since_priority=bindparam("normal_since_priority"))
)


def save_policy_state(session: Session, centre_id: int, normal_since_priority: int) -> None:
    """Store the interleave memory (not a set-up change: the set-up's version stays)."""
    _run(
        session,
        _SAVE_POLICY_STATE,
        {"centre": centre_id, "normal_since_priority": normal_since_priority},
    )


_audit = AuditRow.__table__
_INSERT_AUDIT = _audit.insert().inline()
_AUDIT_ACTION = _audit.c.action.type.length
_AUDIT_TARGET = _audit.c.target.type.length


def add_audit(
    session: Session,
    centre_id: int,
    at,
    user_id: int | None,
    action: str,
    target: object = "",
    details: dict | None = None,
) -> None:
    """The row audit.record adds, by one INSERT now (no ORM object: the counters' actions
    write nothing through the unit of work); the same columns, cut to the same lengths."""
    _run(
        session,
        _INSERT_AUDIT,
        {
            "centre_id": centre_id,
            "at": at,
            "user_id": user_id,
            "action": action[:_AUDIT_ACTION],
            "target": str(target if target is not None else "")[:_AUDIT_TARGET],
            "details": dict(details or {}),
        },
    )


# note_call's question, asked at every call (kiosk/usecases/remote.py): is there a
# remote number, not yet checked in, that this call passes?
_PASSED_BY_CALL = (
    select(_tickets.c.id)
    .join(RemoteTicketRow.__table__, RemoteTicketRow.__table__.c.ticket_id == _tickets.c.id)
    .where(
        _tickets.c.centre_id == bindparam("centre"),
        _tickets.c.status == "remote",
        _tickets.c.service_id == bindparam("service"),
        _tickets.c.queued_at <= bindparam("queued_at"),
    )
    .limit(1)
)


def remote_passed_by_call(session: Session, centre_id: int, service_id: int, queued_at) -> bool:
    """Whether a call of a ticket queued at `queued_at` in this field passes a remote
    number not yet checked in (one index lookup, on the driver's cursor)."""
    params = {"centre": centre_id, "service": service_id, "queued_at": queued_at}
    return _run(session, _PASSED_BY_CALL, params).first() is not None
