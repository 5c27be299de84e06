"""Reading and writing queue state: rows ↔ core values, locks, the daily sequence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.core.errors import NotFound
from kiosk.core.model import (
    Counter,
    CounterState,
    Event,
    PolicyMode,
    PriorityGroup,
    PriorityPolicy,
    Ticket,
    TicketStatus,
)
from kiosk.store.tables import (
    CentreRow,
    CounterRow,
    CounterServiceRow,
    DailySequenceRow,
    EventRow,
    PriorityGroupRow,
    ServiceRow,
    TicketRow,
)


def lock_centre(session: Session, centre_id: int) -> CentreRow:
    """Take the centre's row lock: serialises "next" within a centre (PostgreSQL);
    on SQLite the immediate transaction already did."""
    row = session.execute(
        select(CentreRow).where(CentreRow.id == centre_id).with_for_update()
    ).scalar_one()
    return row


def centre_by_code(session: Session, code: str | None) -> CentreRow | None:
    query = select(CentreRow).order_by(CentreRow.id)
    if code:
        query = query.where(CentreRow.code == code)
    return session.execute(query.limit(1)).scalar_one_or_none()


def policy_of(session: Session, centre: CentreRow) -> PriorityPolicy:
    groups = session.execute(
        select(PriorityGroupRow)
        .where(PriorityGroupRow.centre_id == centre.id)
        .order_by(PriorityGroupRow.position, PriorityGroupRow.id)
    ).scalars()
    return PriorityPolicy(
        mode=PolicyMode(centre.policy_mode),
        normal_per_priority=centre.normal_per_priority,
        groups=tuple(
            PriorityGroup(g.code, g.name, g.name_en, g.description, g.description_en)
            for g in groups
        ),
    )


def services_of(session: Session, centre_id: int, *, active_only: bool = False) -> list[ServiceRow]:
    query = select(ServiceRow).where(ServiceRow.centre_id == centre_id)
    if active_only:
        query = query.where(ServiceRow.active.is_(True))
    return list(session.execute(query.order_by(ServiceRow.position, ServiceRow.id)).scalars())


def service_by_code(session: Session, centre_id: int, code: str) -> ServiceRow:
    row = session.execute(
        select(ServiceRow).where(ServiceRow.centre_id == centre_id, ServiceRow.code == code)
    ).scalar_one_or_none()
    if row is None or not row.active:
        raise NotFound("unknown_service", service=code)
    return row


def counters_of(session: Session, centre_id: int) -> list[CounterRow]:
    return list(
        session.execute(
            select(CounterRow).where(CounterRow.centre_id == centre_id).order_by(CounterRow.number)
        ).scalars()
    )


def counter_row(session: Session, centre_id: int, number: int, *, lock: bool = False) -> CounterRow:
    query = select(CounterRow).where(CounterRow.centre_id == centre_id, CounterRow.number == number)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound("unknown_counter", counter=number)
    return row


def counter_service_codes(session: Session, counter_id: int) -> tuple[str, ...]:
    rows = session.execute(
        select(ServiceRow.code)
        .join(CounterServiceRow, CounterServiceRow.service_id == ServiceRow.id)
        .where(CounterServiceRow.counter_id == counter_id, ServiceRow.active.is_(True))
        .order_by(CounterServiceRow.position)
    ).scalars()
    return tuple(rows)


def counter_services_map(session: Session, centre_id: int) -> dict[int, tuple[str, ...]]:
    """counter number → its service codes in preference order."""
    rows = session.execute(
        select(CounterRow.number, ServiceRow.code)
        .join(CounterServiceRow, CounterServiceRow.counter_id == CounterRow.id)
        .join(ServiceRow, ServiceRow.id == CounterServiceRow.service_id)
        .where(CounterRow.centre_id == centre_id, ServiceRow.active.is_(True))
        .order_by(CounterRow.number, CounterServiceRow.position)
    ).all()
    result: dict[int, list[str]] = {}
    for number, code in rows:
        result.setdefault(number, []).append(code)
    return {k: tuple(v) for k, v in result.items()}


def to_counter(row: CounterRow, services: tuple[str, ...]) -> Counter:
    return Counter(
        number=row.number,
        name=row.name,
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


def ticket_row(
    session: Session, centre_id: int, ticket_id: int, *, lock: bool = False
) -> TicketRow:
    query = select(TicketRow).where(TicketRow.centre_id == centre_id, TicketRow.id == ticket_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound("unknown_ticket", ticket=ticket_id)
    return row


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


def next_sequence(session: Session, service_id: int, day: date) -> int:
    """Atomically take the next number of a service for a business day (never max()+1)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(DailySequenceRow)
        .values(service_id=service_id, business_day=day, last=1)
        .on_conflict_do_update(
            index_elements=[DailySequenceRow.service_id, DailySequenceRow.business_day],
            set_={"last": DailySequenceRow.last + 1},
        )
        .returning(DailySequenceRow.last)
    )
    return int(session.execute(statement).scalar_one())


def add_events(
    session: Session, centre_id: int, events: Sequence[Event], *, user_id: int | None = None
) -> list[EventRow]:
    rows = [
        EventRow(
            centre_id=centre_id,
            ticket_id=e.ticket_id,
            kind=e.kind,
            at=e.at,
            counter_number=e.counter,
            user_id=user_id,
            data=dict(e.data),
        )
        for e in events
    ]
    session.add_all(rows)
    return rows


def save_policy_state(session: Session, centre_id: int, normal_since_priority: int) -> None:
    session.execute(
        update(CentreRow)
        .where(CentreRow.id == centre_id)
        .values(normal_since_priority=normal_since_priority)
    )
