"""Ticket routes: issue, read, rate, cancel."""

from __future__ import annotations

from flask import jsonify, request

from kiosk.access import current_device, require_device, tokens_required
from kiosk.api.auth_routes import TooManyRequests
from kiosk.api.blueprint import bp
from kiosk.api.body import integer, json_body, text
from kiosk.api.common import ctx
from kiosk.auth import current_actor, require_role
from kiosk.core.errors import InvalidInput, NotFound
from kiosk.runtime import current_centre, current_hub, ticket_centre, use_centre
from kiosk.usecases import device_config, print_jobs, rating, tickets


def _known_kiosk(name: str) -> bool:
    """In the set-up this process read lately, or else as stored now: a kiosk an admin added
    a moment ago (here or in another process) is known before the cache is renewed."""
    if any(k.get("name") == name for k in current_centre().kiosks):
        return True
    return any(k.name == name for k in device_config.devices_of(ctx()).kiosks)


@bp.post("/tickets")
@require_device("kiosk")
def issue_ticket():
    if not current_hub().issue_limiter.allow(kiosk_key()):
        raise TooManyRequests("rate_limited")
    data = json_body()
    kiosk = text(data, "kiosk", max_len=64) or None
    if kiosk is not None and not _known_kiosk(kiosk):
        # A misspelt kiosk name would print nowhere without anyone noticing.
        raise NotFound("unknown_kiosk", kiosk=kiosk)
    issued = tickets.issue_ticket(
        ctx(),
        tickets.IssueRequest(
            service=text(data, "service", required=True, max_len=16),
            priority=text(data, "priority", max_len=32) or None,
            kiosk=kiosk,
            source=_kiosk_source(text(data, "source", max_len=16) or "kiosk"),
            idempotency_key=request.headers.get("Idempotency-Key")
            or text(data, "idempotency_key", max_len=64),
        ),
    )
    return jsonify(issued.ticket), 201 if issued.created else 200


def _kiosk_source(source: str) -> str:
    """A remote number comes only through POST /remote-tickets (its limits, its phone)."""
    if source == "remote":
        raise InvalidInput("invalid_source", source=source)
    return source


def kiosk_key() -> str:
    """Rate limits count per kiosk: the paired device, else the kiosk's address."""
    device = current_device()
    return f"device:{device.id}" if device else (request.remote_addr or "?")


@bp.get("/tickets/<int:ticket_id>")
@require_role("clerk")  # may carry a dossier code or a booked name; citizens use /t/{token}
def get_ticket(ticket_id: int):
    return jsonify(tickets.get_ticket(ctx(), ticket_id))


@bp.post("/tickets/<int:ticket_id>/cancel")
@require_role("clerk")
def cancel_ticket(ticket_id: int):
    """Clerks bound to a counter cancel only tickets of that counter; every cancel is audited."""
    actor = current_actor()
    data = json_body()
    return jsonify(
        tickets.cancel_ticket(
            ctx(),
            ticket_id,
            text(data, "reason", max_len=200) or "",
            user_id=actor.id,
            only_counter=None if actor.at_least("supervisor") else actor.counter_number,
        )
    )


@bp.post("/tickets/<int:ticket_id>/rating")
def rate_ticket(ticket_id: int):
    """Open to anyone who proves they are where the citizen is: `token` (the ticket's own,
    from the phone) or `key` (the rating key the counter's screens got with the finished
    ticket), or the paired screen of the counter that served it.  Reasons, comment, the
    rating window and once-only are checked by the use case (kiosk/usecases/rating.py)."""
    data = json_body()
    score = integer(data, "score", required=True, low=1, high=5)
    screen = current_device()
    proof = rating.Proof(
        token=text(data, "token", max_len=64) or None,
        key=text(data, "key", max_len=64) or None,
        screen=screen.name if screen is not None and screen.kind == "counter_screen" else None,
        keys_accepted=not tokens_required(),
    )
    result = rating.rate_ticket(
        ctx(),
        ticket_id,
        score,
        reasons=data.get("reasons"),
        comment=data.get("comment"),
        proof=proof,
    )
    return jsonify(result), 201


@bp.post("/tickets/by-token/<token>/rating")
def rate_by_token(token: str):
    """The citizen's phone rates its own ticket: the token in the address is the proof."""
    data = json_body()
    result = rating.rate_by_token(
        use_centre(ticket_centre(token[:64])).ctx,  # the ticket's own centre, as /t/{token}
        token[:64],
        integer(data, "score", required=True, low=1, high=5),
        reasons=data.get("reasons"),
        comment=data.get("comment"),
    )
    return jsonify(result), 201


@bp.post("/tickets/<int:ticket_id>/reprint")
@require_role("supervisor")
def reprint_ticket(ticket_id: int):
    """Print a ticket again (a jammed or torn ticket); supervisors and admins."""
    data = json_body()
    running = current_hub()
    job = print_jobs.queue_job(
        ctx(),
        [p.name for p in device_config.devices_of(ctx()).printers],
        text(data, "printer", max_len=64),
        ticket_id=ticket_id,
        user_id=current_actor().id,
    )
    if running.printing is not None and current_centre() is running.default_centre:
        # this process owns the printers (its default centre's): print now
        running.printing.submit_stored(job["job"])
    return jsonify(job), 202
