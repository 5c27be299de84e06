"""A citizen's satisfaction rating, tied to the ticket and the clerk who served it.

Rating needs no login (the counter screen, the citizen's phone), so what is
accepted is narrow: a score 1..5, reasons only from REASONS (the boxes the
counter screen offers, display/templates/counter_screen.html), a comment of at
most MAX_COMMENT characters, once per ticket, and only within the centre's
rating window after the ticket was finished (`rating_window_min` in the
centre's settings, DEFAULT_WINDOW_MIN when unset).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk import rooms
from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import Event
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, RatingRow
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import iso

# What went wrong, as the counter screen's boxes send it (labels: kiosk/reporting/labels.py).
REASONS = ("attitude", "waiting_time", "unclear_guidance", "processing_time")
MAX_COMMENT = 500
DEFAULT_WINDOW_MIN = 30  # long enough to rate on the way out or from the phone, not days later
MAX_WINDOW_MIN = 24 * 60


def window_minutes(settings: dict | None) -> int:
    """The centre's rating window in minutes (`rating_window_min`), within 1..MAX_WINDOW_MIN."""
    value = (settings or {}).get("rating_window_min", DEFAULT_WINDOW_MIN)
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_WINDOW_MIN
    return min(max(value, 1), MAX_WINDOW_MIN)


def checked_reasons(reasons: object) -> list[str]:
    """The reason codes, each once, in the order given; anything else is refused."""
    if reasons is None:
        return []
    if not isinstance(reasons, list):
        raise InvalidInput("invalid_reason")
    for reason in reasons:
        if not isinstance(reason, str) or reason not in REASONS:
            raise InvalidInput("invalid_reason")
    return list(dict.fromkeys(reasons))


def checked_comment(comment: object) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise InvalidInput("bad_request", detail="comment")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("comment_too_long", max=MAX_COMMENT)
    return comment


def rate_ticket(
    ctx: QueueContext,
    ticket_id: int,
    score: int,
    *,
    reasons: list[str] | None = None,
    comment: str | None = "",
) -> dict:
    """Store a rating; `reasons` and `comment` may come straight from a request body."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("invalid_score")
    reasons = checked_reasons(reasons)
    comment = checked_comment(comment)
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
            window = window_minutes(session.get(CentreRow, ctx.centre_id).settings)
            finished = ticket.finished_at
            if finished is None or now - finished > timedelta(minutes=window):
                raise Conflict("rating_closed", number=ticket.number, minutes=window)
            row = RatingRow(
                centre_id=ctx.centre_id,
                ticket_id=ticket_id,
                user_id=ticket.user_id,
                counter_number=ticket.counter_number,
                score=score,
                reasons=reasons,
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
        "reasons": reasons,
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
