"""The OpenAPI description of the remote-number routes (kiosk/api/remote.py), added to
the one document kiosk/api/openapi.py serves."""

from __future__ import annotations

from kiosk.api.openapi import (
    BEARER,
    NUMBER_PARAM,
    SPEC,
    TICKET,
    _body,
    _error_json,
    _errors,
    _json,
    _object,
)
from kiosk.api.openapi import _shared_answers as shared_answers

TOKEN_PARAM = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}

REMOTE_VIEW = _object(
    ["checked_in", "lost_place", "passed", "lose_place_after", "near_ahead"],
    {
        "checked_in": {"type": "boolean"},
        "checked_in_at": {"type": ["string", "null"]},
        "lost_place": {
            "type": "boolean",
            "description": "its turn passed `lose_place_after` times before check-in: "
            "checking in now queues it at the end (docs/remote.md)",
        },
        "passed": {"type": "integer", "minimum": 0},
        "lose_place_after": {"type": "integer", "minimum": 1},
        "near_ahead": {"type": "integer", "minimum": 0},
        "bring": {"type": "string"},
        "bring_en": {"type": "string"},
    },
)
REMOTE_TICKET = {
    "allOf": [
        TICKET,
        _object(["token", "remote"], {"token": {"type": "string"}, "remote": REMOTE_VIEW}),
    ]
}

PATHS = {
    "/api/v1/remote-tickets": {
        "post": {
            "summary": "Take a number from a phone before leaving home",
            "description": "The number takes its place in the queue now (status `remote`), "
            "but no counter calls it until the citizen checks in at the centre. Open to "
            "anyone, rate-limited per address like kiosks. Refused with 409 and a reason: "
            "`remote_off` (the field gives no remote numbers), `remote_share_full` (its "
            "share of the field's daily cap is taken), `remote_one_per_person` (this phone "
            "or ID number holds an open remote number today), or a kiosk's refusals "
            "(`centre_closed`, `service_full`, …).",
            "requestBody": _body(
                _object(
                    ["service", "phone"],
                    {
                        "service": {"type": "string", "maxLength": 16},
                        "phone": {"type": "string", "maxLength": 20},
                        "citizen_id": {"type": "string", "maxLength": 20},
                    },
                )
            ),
            "responses": {
                "201": _json(REMOTE_TICKET),
                **_errors(404, 409, 429),
            },
        }
    },
    "/api/v1/tickets/by-token/{token}/check-in": {
        "post": {
            "summary": "Check a remote number in: the citizen is at the centre",
            "description": "From the ticket's own status page on the centre's network "
            "(the centre's `networks` setting), or by staff (a clerk's session or bearer "
            "token). The ticket becomes `waiting`, at its own place, or at the end of "
            "the queue if it lost its place. A scan of the ticket's QR at a kiosk "
            "scanner does the same.",
            "parameters": [TOKEN_PARAM],
            "responses": {
                "200": _json(REMOTE_TICKET),
                **_errors(401, 404, 409),
                "403": _error_json(
                    "`remote_not_at_centre`: not from the centre's network, and not staff"
                ),
            },
        }
    },
    "/api/v1/counters/{number}/check-in": {
        "post": {
            "summary": "A clerk checks in a remote number typed as the citizen's phone shows it",
            "description": "For a counter without a scanner: the clerk (of this counter, "
            "logged in) types the number the citizen shows on the phone, e.g. `A012`. "
            "Today's ticket of that number becomes `waiting`, at its own place or at the "
            "end of the queue if it lost its place (`remote.lost_place`); it is not "
            "called here. Refused: 404 `unknown_ticket` (no such number today), 409 "
            "`remote_not_by_phone` (a kiosk number: nothing to check in) or "
            "`remote_already_checked_in`, 400 `invalid_ticket_number`.",
            "security": BEARER,
            "parameters": [NUMBER_PARAM],
            "requestBody": _body(
                _object(["ticket"], {"ticket": {"type": "string", "maxLength": 16}})
            ),
            "responses": {
                "200": _json(REMOTE_TICKET),
                **_errors(401, 403, 404, 409),
            },
        }
    },
}

SPEC["paths"].update(PATHS)
shared_answers({"paths": PATHS})
