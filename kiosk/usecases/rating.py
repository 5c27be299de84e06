"""A citizen's satisfaction rating, tied to the ticket and the clerk who served it.

Rating needs no login (the counter screen, the citizen's phone), so what is
accepted is narrow: a score 1..5, reasons only from REASONS (the boxes the
counter screen offers, display/templates/counter_screen.html), a comment of at
most MAX_COMMENT characters, once per ticket, and only within the centre's
rating window after the ticket was finished (`rating_window_min` in the
centre's settings, DEFAULT_WINDOW_MIN when unset).

And only from where the citizen is (`Proof`): the phone holding the ticket's
token; the counter screen paired to the counter that served it; or, in a centre
that does not require paired devices, a screen at that counter, which proves it
with the `rating_key` it got with the finished ticket (read_models.screen_ticket).
A bare ticket id is refused: ids are sequential, anyone could rate them all.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict, Unpack

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk import rooms
from kiosk.core.errors import Conflict, DomainError, InvalidInput, NotFound
from kiosk.core.model import Event
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, RatingRow, TicketRow
from kiosk.textrules import clean
from kiosk.usecases.context import QueueContext

# What went wrong, as the counter screen's boxes send it (labels: kiosk/reporting/labels.py).
REASONS = ("attitude", "waiting_time", "unclear_guidance", "processing_time")
MAX_COMMENT = 500
DEFAULT_WINDOW_MIN = 30  # long enough to rate on the way out or from the phone, not days later
MAX_WINDOW_MIN = 24 * 60


class NotAllowed(DomainError):
    """403: the request proves neither the ticket's token nor the counter's screen."""

    status = 403


@dataclass(frozen=True)
class Proof:
    """What a rating request carried to show it comes from where the citizen is."""

    token: str | None = None  # the ticket's own token: the citizen's phone
    key: str | None = None  # the rating key the counter's screens got with the finished ticket
    screen: str | None = None  # the paired counter screen asking, by its counter number ("3")
    keys_accepted: bool = True  # False where the centre requires paired devices


class Answer(TypedDict, total=False):
    """What the citizen said beyond the score, as a request body may carry it (checked by
    `rate_ticket`: checked_reasons, checked_comment)."""

    reasons: list[str] | None
    comment: str | None


def rating_key(token: str, ticket_id: int) -> str:
    """The key a finished ticket's rating needs from a screen: derived from the ticket's
    secret token, so it is known only where the token is (the hub) and where the hub
    sent it (the screens at that counter), and it reveals nothing of the token."""
    return hmac.new(token.encode(), f"rating:{ticket_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _same(given: str | None, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def allowed(ticket: TicketRow, proof: Proof) -> bool:
    """The token wins; a paired screen rates only its own counter's tickets; a key only
    where the centre does not require paired devices."""
    if _same(proof.token, ticket.token):
        return True
    if proof.screen is not None:
        return proof.screen == str(ticket.counter_number)
    return proof.keys_accepted and _same(proof.key, rating_key(ticket.token, ticket.id))


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
    comment = clean(comment, "comment", multiline=True)  # no control characters, NFC
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("comment_too_long", max=MAX_COMMENT)
    return comment


def rate_ticket(
    ctx: QueueContext, ticket_id: int, score: int, *, proof: Proof, **answer: Unpack[Answer]
) -> dict:
    """Store a rating; the `answer` (reasons, comment) may come straight from a request body."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("invalid_score")
    reasons = checked_reasons(answer.get("reasons"))
    comment = checked_comment(answer.get("comment"))
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            ticket = repo.ticket_row(session, ctx.centre_id, ticket_id, lock=True)
            if not allowed(ticket, proof):
                raise NotAllowed("rating_not_allowed")
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
        "at": now.isoformat(),
    }
    if counter is not None:  # the citizen's score is for staff, not for the screens
        ctx.publish(
            [
                Outgoing(
                    "rating",
                    payload,
                    (rooms.counter_staff(ctx.centre_id, counter), rooms.staff(ctx.centre_id)),
                )
            ]
        )
    return payload


def rate_by_token(ctx: QueueContext, token: str, score: int, **answer: Unpack[Answer]) -> dict:
    """The citizen's phone rates its own ticket (the latest leg of a transferred visit)."""
    with ctx.store.read() as session:
        ticket_id = session.execute(
            select(TicketRow.id)
            .where(TicketRow.centre_id == ctx.centre_id, TicketRow.token == token)
            .order_by(TicketRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    if ticket_id is None:
        raise NotFound("unknown_ticket", ticket=token[:64])
    return rate_ticket(ctx, ticket_id, score, proof=Proof(token=token), **answer)
