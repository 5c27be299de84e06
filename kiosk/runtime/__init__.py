"""The running hub (`hub.Hub`) and what it runs besides requests: opening the
hub (`bootstrap.open_hub`), the device services (`print_service`, `scanner_service`,
started by `device_startup`), live device status (`device_health`), paired
screens' presence (`presence`) and supervisor alerts (`alerts`).

Routes, socket handlers and commands reach the running hub through
`current_hub()` only, and the centre they serve through `current_centre()`.  This
package imports the store, the use cases and the `devices` package; it never
imports a shell (api, pages, admin, realtime, auth), so those may all import it.
"""

from __future__ import annotations

from flask import current_app, g, request

from kiosk.core.errors import NotFound
from kiosk.hosts import host_name
from kiosk.runtime.hub import EXTENSION, Hub, ServedCentre

# WSGI environ keys.  CENTRE_KEY: the code of a /c/{code}/… or /api/v1/c/{code}/… address
# (kiosk/centre_routing.py).  SOCKET_CENTRE_KEY: the centre a Socket.IO connection's
# `subscribe` named (or a device agent's token belongs to); the environ lives as long as
# the connection, so every later event of that socket is for the same centre.
CENTRE_KEY = "motcua.centre"
SOCKET_CENTRE_KEY = "motcua.socket_centre"


def current_hub() -> Hub:
    """The hub of the Flask app in context (a request, a socket event, an app context)."""
    return current_app.extensions[EXTENSION]


def current_centre() -> ServedCentre:
    """The centre this request or Socket.IO event is for, found once per request:

    1. the centre a view chose (`use_centre`: a ticket's own centre on /t/{token}, the
       centre a `subscribe` named);
    2. the code of the address's prefix, /c/{code}/… or /api/v1/c/{code}/…, or the
       centre this socket subscribed to: NotFound `unknown_centre` when no centre has it;
    3. the centre whose `hosts` list the request's host name;
    4. the default centre (the only one, or MOTCUA_CENTRE).
    """
    centre = g.get("centre")
    if centre is None:
        centre = named_centre() or host_centre() or current_hub().default_centre
        g.centre = centre
    return centre


def named_centre() -> ServedCentre | None:
    """The centre the address's prefix or the socket's subscription names, if any."""
    environ = request.environ
    code = environ.get(SOCKET_CENTRE_KEY) or environ.get(CENTRE_KEY)
    return centre_named(code) if code is not None else None


def host_centre() -> ServedCentre | None:
    """The centre whose `hosts` list this request's host name, if any."""
    return current_hub().centre_for_host(host_name(request.host))


def centre_named(code: str) -> ServedCentre:
    """The centre with this code; NotFound `unknown_centre` (404) when there is none."""
    centre = current_hub().centre(code) if isinstance(code, str) else None
    if centre is None:
        raise NotFound("unknown_centre", centre=str(code)[:64])
    return centre


def ticket_centre(token: str) -> ServedCentre:
    """The centre of the ticket holding this status token, whatever the address says
    (`/t/{token}` finds its own centre); the request's centre when no ticket holds it."""
    from kiosk.usecases import centres

    hub = current_hub()
    centre_id = centres.centre_of_ticket(hub.store, token) if isinstance(token, str) else None
    found = hub.centre_by_id(centre_id) if centre_id is not None else None
    return found or current_centre()


def use_centre(centre: ServedCentre) -> ServedCentre:
    """Serve the rest of this request (or socket event) for `centre`."""
    if g.get("centre") is not centre:
        g.centre_chosen = True  # not the address's: a page names it (kiosk/centre_routing.py)
        g.pop("devices", None)  # paired devices found for another centre (kiosk/access.py)
        g.pop("actor", None)  # the user, likewise (kiosk/auth.py)
        g.pop("_login_user", None)  # and Flask-Login's copy of it
    g.centre = centre
    return centre


__all__ = [
    "CENTRE_KEY",
    "SOCKET_CENTRE_KEY",
    "ServedCentre",
    "centre_named",
    "current_centre",
    "current_hub",
    "host_centre",
    "named_centre",
    "ticket_centre",
    "use_centre",
]
