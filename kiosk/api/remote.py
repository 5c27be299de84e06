"""Remote numbers (issue 17, CONTRACT.md "Remote numbers"): take one from a phone,
check in at the centre.  The rules are kiosk/core/remote.py's."""

from __future__ import annotations

from flask import jsonify, request

from kiosk.api import openapi_remote  # noqa: F401  (its routes' description)
from kiosk.api.auth_routes import TooManyRequests
from kiosk.api.blueprint import bp
from kiosk.api.body import json_body, text
from kiosk.api.common import ctx
from kiosk.auth import Unauthorized, current_actor, require_counter
from kiosk.core.errors import DomainError
from kiosk.core.remote import on_network
from kiosk.runtime import current_hub, ticket_centre, use_centre
from kiosk.usecases import remote


class NotAtCentre(DomainError):
    """ "I am here" from outside the centre's network, by someone not staff."""

    status = 403


@bp.post("/remote-tickets")
def take_remote_ticket():
    """A number taken before leaving home.  Open to anyone, rate-limited per address as
    kiosks are; refused with 409 and a reason when a limit applies."""
    if not current_hub().issue_limiter.allow("remote:" + (request.remote_addr or "?")):
        raise TooManyRequests("rate_limited")
    data = json_body()
    ticket = remote.take(
        ctx(),
        text(data, "service", required=True, max_len=16),
        text(data, "phone", required=True, max_len=20),
        text(data, "citizen_id", max_len=20) or "",
    )
    return jsonify(ticket), 201


@bp.post("/tickets/by-token/<token>/check-in")
def check_in(token: str):
    """ "I am here": from the ticket's own /t page on the centre's network (a centre
    setting lists its addresses), or by staff of the ticket's centre."""
    centre_ctx = use_centre(ticket_centre(token[:64])).ctx  # the ticket's own centre
    try:
        actor = current_actor()
    except Unauthorized:  # a login of another centre means nothing here: a citizen's path
        actor = None
    if actor is not None and actor.at_least("clerk") and not actor.read_only:
        return jsonify(remote.check_in(centre_ctx, token[:64], "clerk", user_id=actor.id))
    away = remote.waiting_for_check_in(centre_ctx, token[:64])
    if away and not on_network(request.remote_addr, remote.settings_rules(centre_ctx).networks):
        raise NotAtCentre("remote_not_at_centre")
    # not away: check_in says why (not a number by phone, already checked in)
    return jsonify(remote.check_in(centre_ctx, token[:64], "network"))


@bp.post("/counters/<int:number>/check-in")
def counter_check_in(number: int):
    """A clerk checks in a number by phone typed as the citizen's phone shows it (a
    counter without a scanner); the ticket's place is kept, or it goes to the end of the
    queue if it was lost.  It is not called here: "next" calls it in its turn."""
    user = require_counter(number)
    ticket = text(json_body(), "ticket", required=True, max_len=16)
    return jsonify(remote.check_in_number(ctx(), ticket, user_id=user.id))
