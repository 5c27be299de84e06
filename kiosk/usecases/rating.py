"""A citizen's satisfaction rating, tied to the ticket and the clerk who served it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk import rooms
from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import Event
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import RatingRow
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import iso


def rate_ticket(
    ctx: QueueContext,
    ticket_id: int,
    score: int,
    *,
    reasons: list[str] | None = None,
    comment: str = "",
) -> dict:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("invalid_score")
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            ticket = repo.ticket_row(session, ctx.centre_id, ticket_id, lock=True)
            if ticket.status != "done":
                raise Conflict("not_rateable", number=ticket.number)
            if session.execute(
                select(RatingRow.id).where(RatingRow.ticket_id == ticket_id)
            ).first():
                raise Conflict("already_rated", number=ticket.number)
            row = RatingRow(
                centre_id=ctx.centre_id,
                ticket_id=ticket_id,
                user_id=ticket.user_id,
                counter_number=ticket.counter_number,
                score=score,
                reasons=list(reasons or []),
                comment=comment,
                at=now,
            )
            session.add(row)
            repo.add_events(
                session,
                ctx.centre_id,
                [Event("rated", now, ticket_id, ticket.counter_number, {"score": score})],
                user_id=ticket.user_id,
            )
            number, counter = ticket.number, ticket.counter_number
    except IntegrityError as error:  # two screens rated the same ticket at once
        raise Conflict("already_rated", number=str(ticket_id)) from error
    payload = {
        "ticket": ticket_id,
        "number": number,
        "counter": counter,
        "score": score,
        "reasons": list(reasons or []),
        "at": iso(now),
    }
    if counter is not None:
        ctx.publish(
            [
                Outgoing(
                    "rating",
                    payload,
                    (rooms.counter(ctx.centre_id, counter), rooms.staff(ctx.centre_id)),
                )
            ]
        )
    return payload
