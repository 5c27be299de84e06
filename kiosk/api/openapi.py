"""The OpenAPI 3.1 document of /api/v1.  A test compares it with the route
table, so a route added without a description here fails CI.

The answers every route shares are added at the end (`_shared_answers`): a 400 for a
Host not on MOTCUA_ALLOWED_HOSTS on every route, the body refusals (too deep, too
large, a control character) on every route that reads a JSON body, and Retry-After on
every 429."""

from __future__ import annotations

from flask import jsonify

from kiosk.api.blueprint import bp
from kiosk.core.model import CounterState, TicketStatus
from kiosk.payloads import MAX_DEPTH, MAX_JSON_BYTES
from kiosk.usecases import rating

ERROR = {"$ref": "#/components/schemas/Error"}
BEARER = [{"bearer": []}]


def _errors(*codes: int) -> dict:
    return {
        str(c): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
        for c in codes
    }


def _json(schema: dict, description: str = "ok") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _object(required: list[str], properties: dict) -> dict:
    """A JSON object's schema: its properties, of which `required` are always there."""
    return {"type": "object", "required": required, "properties": properties}


TICKET = {"$ref": "#/components/schemas/Ticket"}
COUNTER = {"$ref": "#/components/schemas/Counter"}
MAX_ID = 2**31 - 1  # larger ids are answered 404 (kiosk/api/errors.py), never tried on the database
NUMBER_PARAM = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
}
ID_PARAM = {
    "name": "ticket_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
}


APPOINTMENT = _object(
    ["code", "service", "day", "time"],
    {
        "code": {"type": "string"},
        "service": {"type": "string"},
        "day": {"type": "string", "format": "date"},
        "time": {"type": "string"},
        "name": {"type": "string"},
        "phone": {"type": "string"},
        "person_id": {"type": "string"},
    },
)
APPOINTMENTS = _object(
    ["appointments"], {"appointments": {"type": "array", "items": APPOINTMENT, "maxItems": 1000}}
)
BOOKED = {
    "type": "object",
    "properties": {
        "created": {"type": "array", "items": {"type": "object"}},
        "rejected": {"type": "array", "items": {"type": "object"}},
    },
}
DEVICE_TOKEN = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "token": {"type": "string", "description": "only in the answer to pairing"},
        "pair_path": {"type": "string"},
        "last_seen_at": {"type": ["string", "null"]},
        "revoked": {"type": "boolean"},
    },
}
SCAN = _object(["code"], {"code": {"type": "string"}})
SCAN_RESULT = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["checkin", "pickup", "call", "error"]},
        "ticket": {"type": ["object", "null"]},
        "kiosk": {"type": ["string", "null"]},
        "counter": {"type": ["integer", "null"]},
        "error": {"type": "string"},
        "message": {"type": "string", "description": "the refusal in the caller's language"},
        "messages": {
            "type": "object",
            "description": "the refusal in every language (what the kiosk screen shows)",
            "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
        },
        "offer": {
            "type": "object",
            "description": "outside the check-in window: a normal ticket for this field instead",
            "properties": {"service": {"type": "string"}},
        },
        "note": {
            "type": "object",
            "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
        },
    },
}


def _error_json(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


RATING_BODY = _object(
    ["score"],
    {
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "reasons": {
            "type": "array",
            "items": {"type": "string", "enum": list(rating.REASONS)},
        },
        "comment": {
            "type": "string",
            "maxLength": rating.MAX_COMMENT,
            "description": "line breaks allowed, other control characters refused",
        },
    },
)


def _counter_action(summary: str, body: dict | None = None, response: dict = TICKET) -> dict:
    operation = {
        "summary": summary,
        "security": BEARER,
        "parameters": [NUMBER_PARAM],
        "responses": {"200": _json(response), **_errors(400, 401, 403, 404, 409)},
    }
    if body:
        operation["requestBody"] = _body(body)
    return {"post": operation}


SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "motcua hub API",
        "version": "1",
        "description": "Queue kiosk and counter hub for one-stop public-service centres. "
        "Errors are JSON {error, message}; message in the request's language "
        "(?lang=vi|en or Accept-Language).",
    },
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": _object(
                ["error", "message"],
                {
                    "error": {
                        "type": "string",
                        "description": "a stable code (`too_deep`, `rating_not_allowed`, …)",
                    },
                    "message": {
                        "type": "string",
                        "description": "the same in the request's language",
                    },
                },
            ),
            "Ticket": _object(
                ["id", "number", "service", "status", "position", "estimated_wait_s", "status_url"],
                {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "service": {"type": "string"},
                    "service_name": {"type": "string"},
                    "priority": {"type": ["string", "null"]},
                    "status": {"type": "string", "enum": [s.value for s in TicketStatus]},
                    "position": {"type": "integer"},
                    "people_ahead": {"type": "integer"},
                    "estimated_wait_s": {"type": "integer"},
                    "status_url": {"type": "string"},
                    "counter": {"type": ["integer", "null"]},
                    "dossier_code": {"type": ["string", "null"]},
                    "transfer": {
                        "type": ["object", "null"],
                        "description": "A ticket that came by transfer: from where, and the "
                        "sending clerk's note for the next one.",
                        "properties": {
                            "note": {"type": "string"},
                            "from_counter": {"type": ["integer", "null"]},
                            "from_counter_name": {"type": ["string", "null"]},
                            "from_counter_name_en": {"type": ["string", "null"]},
                            "from_service": {"type": ["string", "null"]},
                            "at": {"type": ["string", "null"]},
                        },
                    },
                    "history": {"type": "array", "items": {"type": "object"}},
                },
            ),
            "Counter": _object(
                ["number", "name", "state"],
                {
                    "number": {"type": "integer"},
                    "name": {"type": "string"},
                    "name_en": {"type": "string", "description": "Shown on English screens."},
                    "state": {"type": "string", "enum": [s.value for s in CounterState]},
                    "pause_reason": {
                        "type": ["string", "null"],
                        "description": "break, lunch, meeting, helping or dossiers (each "
                        "screen names it in its own language), or the clerk's own words.",
                    },
                    "current": {"type": ["object", "null"]},
                },
            ),
            "Rating": _object(
                ["ticket", "number", "score"],
                {
                    "ticket": {"type": "integer"},
                    "number": {"type": "string"},
                    "counter": {"type": ["integer", "null"]},
                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                    "at": {"type": "string", "format": "date-time"},
                },
            ),
        },
    },
    "paths": {
        "/api/v1/auth/token": {
            "post": {
                "summary": "Exchange a user name and password for a bearer token",
                "description": "Two limits answer 429 with Retry-After (seconds): attempts "
                "per address (`rate_limited`), and wrong passwords per account "
                "(`account_locked`: after 5, a wait that doubles from 2 s up to 15 min, even "
                "for the right password; docs/admin.md). A user name with a control "
                "character is a 400 `control_character`, never trimmed into an account.",
                "requestBody": _body(
                    _object(
                        ["username", "password"],
                        {
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                        },
                    )
                ),
                "responses": {
                    "200": _json(
                        _object(
                            ["token"],
                            {
                                "token": {"type": "string"},
                                "expires_in": {"type": "integer", "description": "seconds"},
                                "user": {"type": "object"},
                            },
                        )
                    ),
                    **_errors(400, 401, 429),
                },
            }
        },
        "/api/v1/services": {
            "get": {
                "summary": "Fields with waiting counts and estimated wait",
                "responses": {
                    "200": _json({"type": "array", "items": {"type": "object"}}),
                    **_errors(401),
                },
            }
        },
        "/api/v1/queue": {
            "get": {
                "summary": "Snapshot: counters (current ticket, state), waiting per field, recent calls",
                "responses": {"200": _json({"type": "object"}), **_errors(401)},
            }
        },
        "/api/v1/tickets": {
            "post": {
                "summary": "Issue a ticket (open to kiosks; rate-limited). Idempotency-Key header "
                "(at most 64 characters): a retry with the same key returns the first ticket with "
                "200 and its print state; the same key for another field or group is a 409.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 64},
                    }
                ],
                "requestBody": _body(
                    _object(
                        ["service"],
                        {
                            "service": {"type": "string"},
                            "priority": {"type": ["string", "null"]},
                            "kiosk": {"type": ["string", "null"]},
                            "source": {"type": "string", "enum": ["kiosk", "web", "scan"]},
                        },
                    )
                ),
                "responses": {
                    "201": _json(TICKET, "issued"),
                    "200": _json(TICKET, "already issued"),
                    **_errors(400, 401, 404, 409, 429),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}": {
            "get": {
                "summary": "A ticket with its status and history (staff)",
                "security": BEARER,
                "parameters": [ID_PARAM],
                "responses": {"200": _json(TICKET), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/tickets/{ticket_id}/cancel": {
            "post": {
                "summary": "Cancel a waiting ticket",
                "security": BEARER,
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {"type": "object", "properties": {"reason": {"type": "string"}}}, required=False
                ),
                "responses": {"200": _json(TICKET), **_errors(400, 401, 403, 404, 409)},
            }
        },
        "/api/v1/tickets/{ticket_id}/reprint": {
            "post": {
                "summary": "Print a ticket again on a kiosk printer (supervisor)",
                "security": BEARER,
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {"type": "object", "properties": {"printer": {"type": "string"}}},
                    required=False,
                ),
                "responses": {
                    "202": _json({"type": "object"}, "queued"),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}/rating": {
            "post": {
                "summary": "Rate the service of a finished ticket (once)",
                "description": (
                    "Accepted once per ticket, within the centre's rating window after the "
                    "ticket was finished (`rating_window_min`, default "
                    f"{rating.DEFAULT_WINDOW_MIN} min; 409 `rating_closed` after it), and only "
                    "from where the citizen is: with the ticket's `token`, with the `key` the "
                    "counter's screens got, or from the paired screen of the counter that "
                    "served it (403 `rating_not_allowed` otherwise; a bare id is not enough)."
                ),
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {
                        **RATING_BODY,
                        "properties": {
                            **RATING_BODY["properties"],
                            "token": {
                                "type": "string",
                                "maxLength": 64,
                                "description": "the ticket's own token (the citizen's phone)",
                            },
                            "key": {
                                "type": "string",
                                "maxLength": 64,
                                "description": "the `rating_key` the counter's screens got with "
                                "the finished ticket (not accepted where the centre requires "
                                "paired devices)",
                            },
                        },
                    }
                ),
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Rating"}),
                    **_errors(400, 401, 404, 409),
                    "403": _error_json(
                        "`rating_not_allowed`: the request shows neither the ticket's token, "
                        "nor its rating key, nor the paired screen of the counter that served it"
                    ),
                },
            }
        },
        "/api/v1/tickets/by-token/{token}/rating": {
            "post": {
                "summary": "The citizen's phone rates its own ticket (once)",
                "description": "The token in the address (the one in the ticket's QR code "
                "and status page) is the proof; the latest leg of a transferred visit is "
                "rated. Same window and once-only rule as the rating by id.",
                "parameters": [
                    {
                        "name": "token",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": _body(RATING_BODY),
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Rating"}),
                    **_errors(400, 404, 409),
                },
            }
        },
        "/api/v1/counters/{number}/next": {
            "post": {
                "summary": "Call the next citizen (204: nobody waits for this counter)",
                "security": BEARER,
                "parameters": [NUMBER_PARAM],
                "responses": {
                    "200": _json(TICKET),
                    "204": {"description": "nobody waits"},
                    **_errors(400, 401, 403, 404, 409),
                },
            }
        },
        "/api/v1/counters/{number}/call": _counter_action(
            "Call one ticket by its number",
            _object(["ticket"], {"ticket": {"type": "string"}}),
        ),
        "/api/v1/counters/{number}/recall": _counter_action("Call the held ticket again"),
        "/api/v1/counters/{number}/start": _counter_action("Start serving the held ticket"),
        "/api/v1/counters/{number}/finish": _counter_action("Finish the held ticket"),
        "/api/v1/counters/{number}/no-show": _counter_action("The called citizen did not come"),
        "/api/v1/counters/{number}/transfer": _counter_action(
            "Send the held citizen to another field or counter (keeps their number and place)",
            {
                "type": "object",
                "properties": {
                    "service": {"type": "string"},
                    "counter": {"type": "integer"},
                    "note": {"type": "string"},
                },
            },
        ),
        "/api/v1/counters/{number}/pause": _counter_action(
            "Pause the counter (break)",
            {"type": "object", "properties": {"reason": {"type": "string"}}},
            response=COUNTER,
        ),
        "/api/v1/counters/{number}/resume": _counter_action("Resume the counter", response=COUNTER),
        "/api/v1/appointments": {
            "post": {
                "summary": "Book appointments in a batch; each item is accepted or rejected with "
                "the rule it broke (per-person daily limits, booking horizon, duplicates)",
                "security": BEARER,
                "requestBody": _body(APPOINTMENTS),
                "responses": {
                    "201": _json(BOOKED, "all booked"),
                    "200": _json(BOOKED, "some rejected"),
                    **_errors(400, 401, 403),
                },
            },
            "get": {
                "summary": "The bookings of a day (default today) with their check-in state",
                "security": BEARER,
                "parameters": [
                    {
                        "name": "day",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date"},
                    }
                ],
                "responses": {
                    "200": _json({"type": "array", "items": {"type": "object"}}),
                    **_errors(400, 401, 403),
                },
            },
        },
        "/api/v1/appointments/import": {
            "post": {
                "summary": "Import bookings from CSV (header code,service,day,time[,name,phone,"
                "person_id]; UTF-8)",
                "security": BEARER,
                "requestBody": {
                    "required": True,
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                "responses": {
                    "201": _json(BOOKED, "all booked"),
                    "200": _json(BOOKED, "some rejected"),
                    **_errors(400, 401, 403),
                },
            }
        },
        "/api/v1/kiosks/{name}/scan": {
            "post": {
                "summary": "A code scanned at a kiosk: booking check-in, result pick-up, or "
                "not recognised",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": _body(SCAN),
                "responses": {"200": _json(SCAN_RESULT), **_errors(400, 401, 404, 409, 429)},
            }
        },
        "/api/v1/counters/{number}/scan": {
            "post": {
                "summary": "A ticket's QR or number scanned at a counter: call it there",
                "security": BEARER,
                "parameters": [NUMBER_PARAM],
                "requestBody": _body(SCAN),
                "responses": {"200": _json(SCAN_RESULT), **_errors(400, 401, 403, 404, 409)},
            }
        },
        "/api/v1/devices/tokens": {
            "get": {
                "summary": "Paired kiosks, displays and counter screens (admin)",
                "security": BEARER,
                "responses": {
                    "200": _json({"type": "array", "items": DEVICE_TOKEN}),
                    **_errors(401, 403),
                },
            },
            "post": {
                "summary": "Pair a device: returns its token and pairing link once (admin)",
                "security": BEARER,
                "requestBody": _body(
                    _object(
                        ["kind", "name"],
                        {
                            "kind": {
                                "type": "string",
                                "enum": ["kiosk", "display", "counter_screen", "agent"],
                            },
                            "name": {"type": "string", "minLength": 1, "maxLength": 64},
                        },
                    )
                ),
                "responses": {"201": _json(DEVICE_TOKEN), **_errors(400, 401, 403)},
            },
        },
        "/api/v1/devices/tokens/{token_id}/revoke": {
            "post": {
                "summary": "Revoke a device's token: the device stops working at once (admin)",
                "security": BEARER,
                "parameters": [
                    {
                        "name": "token_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    }
                ],
                "responses": {"200": _json(DEVICE_TOKEN), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": _json({"type": "object"})}}
        },
    },
}
# pause's body is optional
SPEC["paths"]["/api/v1/counters/{number}/pause"]["post"]["requestBody"]["required"] = False

# -- reports (kiosk/api/reports.py) ---------------------------------------------------
_DURATION = {
    "type": "object",
    "properties": {k: {"type": ["number", "null"]} for k in ("mean", "median", "p90")},
}
REPORT_ROW = _object(
    ["issued", "served", "no_show", "cancelled", "transferred", "wait_s", "ratings"],
    {
        "key": {"type": ["string", "integer"]},
        "name": {"type": "string"},
        **{
            k: {"type": "integer"}
            for k in (
                "issued",
                "called",
                "served",
                "no_show",
                "cancelled",
                "transferred",
                "closed_unserved",
            )
        },
        "wait_s": _DURATION,
        "service_s": _DURATION,
        "target_n": {"type": "integer"},
        "within_target": {"type": "integer"},
        "within_target_share": {"type": ["number", "null"]},
        "ratings": {
            "type": "object",
            "properties": {
                "rated": {"type": "integer"},
                "scores": {"type": "object", "additionalProperties": {"type": "integer"}},
                "satisfied": {"type": "integer"},
                "satisfied_share": {"type": ["number", "null"]},
                "reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
    },
)
REPORT = _object(
    ["from", "to", "totals", "by_service", "by_counter", "by_clerk", "by_hour"],
    {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "days": {"type": "integer"},
        "timezone": {"type": "string"},
        "totals": REPORT_ROW,
        **{
            k: {"type": "array", "items": REPORT_ROW}
            for k in ("by_service", "by_counter", "by_clerk", "by_hour")
        },
    },
)
_RANGE = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{what} business day (local), YYYY-MM-DD; default today",
        "schema": {"type": "string", "format": "date"},
    }
    for name, what in (("from", "First"), ("to", "Last"))
]


def _report(summary: str, content: str, schema: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "security": BEARER,
            "parameters": _RANGE,
            "responses": {
                "200": {"description": "ok", "content": {content: {"schema": schema}}},
                **_errors(400, 401, 403),
            },
        }
    }


SPEC["paths"].update(
    {
        "/api/v1/reports/summary": _report(
            "Report for a range of business days (at most 400; supervisor): tickets issued, "
            "served, no-show, cancelled, transferred; wait and service time (mean, median, 90th "
            "percentile); share called within the field's target; ratings — by field, counter, "
            "clerk and hour of day",
            "application/json",
            REPORT,
        ),
        "/api/v1/reports/summary.csv": _report(
            "The same report as CSV (UTF-8 with byte-order mark; minutes, shares as fractions)",
            "text/csv",
            {"type": "string"},
        ),
        "/api/v1/reports/summary.xlsx": _report(
            "The same report as an Excel workbook, one sheet per grouping",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            {"type": "string", "format": "binary"},
        ),
    }
)

# -- province (kiosk/api/province.py) -------------------------------------------------
_COUNT = {"type": "integer", "minimum": 0}
PROVINCE_CENTRE = _object(
    ["code", "name", "waiting", "longest_wait_s", "counters_open", "served_today"],
    {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "waiting": _COUNT,
        "longest_wait_s": _COUNT,
        "target_wait_s": {"type": ["integer", "null"]},
        "wait_vs_target": {
            "type": ["number", "null"],
            "description": "highest longest wait / target of any field (1.0 = at target)",
        },
        "counters_open": _COUNT,
        "counters_paused": _COUNT,
        "served_today": _COUNT,
        "satisfaction_today": {
            "type": ["number", "null"],
            "description": "share (0..1) of today's ratings that are 4 or 5; null: none",
        },
        "ratings_today": _COUNT,
        "devices_offline": _COUNT,
        "screens_offline": _COUNT,
        "alerts": _COUNT,
    },
)
SPEC["paths"]["/api/v1/province/overview"] = {
    "get": {
        "summary": "Every centre of the installation, as of now (province roles only)",
        "security": BEARER,
        "responses": {
            "200": _json(
                _object(["centres"], {"centres": {"type": "array", "items": PROVINCE_CENTRE}})
            ),
            **_errors(401, 403),
        },
    }
}


HOST_REFUSED = (
    "`host_not_allowed`: the request's Host is not one of this hub's names "
    "(MOTCUA_ALLOWED_HOSTS; docs/deploy.md)"
)
BODY_REFUSED = (
    f"`too_deep` (JSON nested deeper than {MAX_DEPTH} levels), `body_too_large` (a body over "
    f"{MAX_JSON_BYTES // 1024} KiB), `invalid_json`, `control_character` (a text field holds "
    "a control character such as NUL or a tab; the message names the field), `bad_request` "
    "(a field missing, of the wrong type or too long)"
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _shared_answers(spec: dict) -> None:
    """What every route may answer besides its own: see the module doc."""
    for item in spec["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            reads_json = "application/json" in operation.get("requestBody", {}).get("content", {})
            refusals = [BODY_REFUSED, HOST_REFUSED] if reads_json else [HOST_REFUSED]
            responses["400"] = _error_json("Bad request: " + "; ".join(refusals))
            if "429" in responses:
                responses["429"] = {
                    **_error_json("Too many requests: wait as Retry-After says"),
                    "headers": RETRY_AFTER,
                }


_shared_answers(SPEC)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(SPEC)
