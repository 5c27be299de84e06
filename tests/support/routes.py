"""Every HTTP route and Socket.IO event an app serves, with sample paths to call."""

from __future__ import annotations

import re

# clerk1 works counter 1; a token id that does not exist, so a walk revokes nobody.
SAMPLE = {
    "number": "1",
    "ticket_id": "1",
    "token_id": "999999",
    "name": "kiosk-1",
    "token": "no-such-token",
    "pack": "vi",
    "clip": "x",
}


def sample_path(rule) -> str:
    def fill(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" '\")")
        if converter == "int":
            return SAMPLE.get(name, "999999")
        if converter == "path":
            return "css/hub.css" if name == "filename" else "x"
        return SAMPLE.get(name, "x")

    return re.sub(r"<(?:([^:>]+(?:\([^)]*\))?):)?(\w+)>", fill, rule.rule)


def routes_and_events(app) -> tuple[list[tuple[str, str, str]], dict[str, list[str]]]:
    """([(endpoint, method, sample path)], {namespace: [socket event names]}) of `app`;
    "/" is the default namespace (screens), "/agent" the device agents'."""
    from kiosk.extensions import socketio as server

    # Flask-SocketIO keeps handlers declared before init_app in its own list, later ones on the server.
    declared: dict[str, set[str]] = {}
    for message, _, namespace in server.handlers:
        declared.setdefault(namespace or "/", set()).add(message)
    if server.server:
        for namespace, handlers in server.server.handlers.items():
            declared.setdefault(namespace, set()).update(handlers)
    events = {
        namespace: sorted(names - {"connect", "disconnect"})
        for namespace, names in sorted(declared.items())
    }
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, sample_path(rule)))
    return routes, events
