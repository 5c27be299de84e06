"""Ticket routes: issue, read, rate, cancel."""

from __future__ import annotations

from flask import jsonify, request

from kiosk.access import current_device, require_device
from kiosk.api import bp
from kiosk.api.auth_routes import TooManyRequests
from kiosk.api.body import integer, json_body, text
from kiosk.api.common import ctx, hub
from kiosk.auth import current_actor, require_role
from kiosk.core.errors import NotFound
from kiosk.usecases import print_jobs, rating, tickets


@bp.post("/tickets")
@require_device("kiosk")
def issue_ticket():
    if not hub().issue_limiter.allow(kiosk_key()):
        raise TooManyRequests("rate_limited")
    data = json_body()
    kiosk = text(data, "kiosk", max_len=64) or None
    if kiosk is not None and all(k.get("name") != kiosk for k in hub().kiosks):
        # A misspelt kiosk name would print nowhere without anyone noticing.
        raise NotFound("unknown_kiosk", kiosk=kiosk)
    issued = tickets.issue_ticket(
        ctx(),
        tickets.IssueRequest(
            service=text(data, "service", required=True, max_len=16),
            priority=text(data, "priority", max_len=32) or None,
            kiosk=kiosk,
            source=text(data, "source", max_len=16) or "kiosk",
            idempotency_key=request.headers.get("Idempotency-Key")
            or text(data, "idempotency_key", max_len=64),
        ),
    )
    return jsonify(issued.ticket), 201 if issued.created else 200


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
@require_device("counter_screen")
def rate_ticket(ticket_id: int):
    """Reasons, comment and the rating window are checked by the use case (kiosk/usecases/rating.py)."""
    data = json_body()
    result = rating.rate_ticket(
        ctx(),
        ticket_id,
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
    running = hub()
    job = print_jobs.queue_job(
        ctx(),
        [p["name"] for p in running.centre_file.get("printers", [])],
        text(data, "printer", max_len=64),
        ticket_id=ticket_id,
        user_id=current_actor().id,
    )
    if running.printing is not None:  # this process owns the printers: print now
        running.printing.submit_stored(job["job"])
    return jsonify(job), 202
