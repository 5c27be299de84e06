"""Closing the day: tickets still waiting when a day ends are marked
`closed_unserved` (a ticket status and an event of that kind), never dropped,
and never carried into the next day, where yesterday's A001 would meet today's.

Three ways in, all through `close_waiting`:
- an admin presses "Close the day" (/admin/centre): every ticket still waiting,
  today's included, audited as `day.close`;
- automatically, inside the transaction of the first ticket a field issues on a
  new business day: every ticket left waiting from earlier days (a centre that
  forgot the button loses nothing and reports still count those citizens);
- at hub start, the same for earlier days, so "next" on a morning before any
  ticket was issued never calls yesterday's citizen.
Tickets held at a counter (called, being served) are left to their clerk.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import rooms
from kiosk.core import numbering, states
from kiosk.core.model import TicketStatus
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import TicketRow
from kiosk.usecases import audit
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader


def close_waiting(
    session: Session,
    centre_id: int,
    *,
    through: date,
    now: datetime,
    by: str,
    user_id: int | None = None,
) -> list[int]:
    """Mark every ticket waiting on `through` or before; returns their ids (uncommitted)."""
    rows = list(
        session.execute(
            select(TicketRow)
            .where(
                TicketRow.centre_id == centre_id,
                # a remote number never checked in ends the day unserved too
                TicketRow.status.in_((TicketStatus.WAITING.value, TicketStatus.REMOTE.value)),
                TicketRow.business_day <= through,
            )
            .with_for_update()
        ).scalars()
    )
    if not rows:
        return []
    code_by_id = {s.id: s.code for s in repo.services_of(session, centre_id)}
    id_by_code = {code: id_ for id_, code in code_by_id.items()}
    for row in rows:
        closed, events = states.close_unserved(repo.to_ticket(row, code_by_id), now, by)
        repo.apply_ticket(row, closed, id_by_code)
        repo.add_events(session, centre_id, events, user_id=user_id)
    return [row.id for row in rows]


def close_day(ctx: QueueContext, user_id: int | None) -> int:
    """The admin's button: close every ticket still waiting now; returns how many."""
    now = ctx.now()
    today = numbering.business_day(now, ctx.tz)
    with ctx.store.write() as session:
        closed = close_waiting(
            session, ctx.centre_id, through=today, now=now, by="admin", user_id=user_id
        )
        audit.record(
            session,
            ctx.centre_id,
            now,
            user_id,
            "day.close",
            today.isoformat(),
            {"closed": len(closed)},
        )
    publish_closed(ctx, closed)
    return len(closed)


def close_earlier_days(ctx: QueueContext) -> int:
    """At hub start: close what earlier days left waiting."""
    now = ctx.now()
    yesterday = numbering.business_day(now, ctx.tz) - timedelta(days=1)
    with ctx.store.write() as session:
        closed = close_waiting(session, ctx.centre_id, through=yesterday, now=now, by="auto")
    if closed:
        publish_closed(ctx, closed)
    return len(closed)


def publish_closed(ctx: QueueContext, ticket_ids: list[int]) -> None:
    """Phones following a closed ticket learn it; screens get the new waiting counts."""
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        tickets = [reader.holder_ticket(session.get(TicketRow, i)) for i in ticket_ids]
        queue = reader.queue_payload()
    out = [Outgoing("ticket", t, (rooms.ticket(ctx.centre_id, t["token"]),)) for t in tickets]
    out.append(
        Outgoing(
            "queue",
            queue,
            rooms.queue_audience(ctx.centre_id),
        )
    )
    ctx.publish(out)
