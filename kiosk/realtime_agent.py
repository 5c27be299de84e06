"""Socket.IO namespace `/agent`: device agents (`motcua agent`, devices/agent/client.py)
connect here with their device token (kind "agent").  Each handler checks the token
again (a revoked agent is told why and disconnected) and calls one use case.

    connect {token}            joins rooms.agent(centre, name); the agent is online
                               (runtime/presence.py: away too long → supervisor alert)
    hello {now}                → {ok, agent, printers, scanners}: the devices it drives
                               (`now`, the agent's clock: how far it is from the hub's)
    jobs                       → {ok, jobs}: pending jobs of its printers (print_jobs)
    printed {job} / failed {job, error}
                               → {ok}: the printer took the last byte / gave up
    status {kind, name, status} its printer's or scanner's status (device_status)
    scan {scanner, code, at}   → {ok, kind, error}: scans.at_kiosk / at_counter; a scan
                               made more than MAX_SCAN_AGE_S ago (`at`, the agent's clock
                               as of its hello) is refused `scan_too_old` and not applied

An agent serves the centre its token belongs to (an address naming another centre, by
its /c/{code} prefix or host name, refuses the token as `device_not_paired`); every
later event of that connection is for that centre (kiosk/runtime: current_centre).

Every refusal answers {ok: false, error: CODE, message} (REFUSED; an unknown job is
`unknown_job`, which the agent does not take as acknowledged).  Only an agent's token
connects here: screens' and staff's are refused at connect.

Jobs reach an agent as `print_job` events in its room (print_jobs.offer_job), revoking
its token as `revoked` (device_tokens.revoke), a device change as `devices_changed`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import request
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from devices.scanner import ScannerConfig, ScannerConfigError
from devices.scanner.privacy import loggable
from kiosk import rooms
from kiosk.core.errors import DomainError
from kiosk.extensions import socketio
from kiosk.payloads import Refused
from kiosk.realtime import DATABASE_ERRORS
from kiosk.runtime import (
    SOCKET_CENTRE_KEY,
    agents,
    current_centre,
    current_hub,
    host_centre,
    named_centre,
    use_centre,
)
from kiosk.textrules import refused_character
from kiosk.usecases import device_status, device_tokens, print_jobs, scans

log = logging.getLogger(__name__)
NAMESPACE = rooms.AGENT_NAMESPACE
_connected: dict[str, tuple[str, str]] = {}  # sid → (token, agent name), this process only
_clock_gap: dict[str, timedelta] = {}  # sid → hub clock minus agent clock, at its hello
# A scan is for the citizen at the scanner now.  The agent gives up on an answer after
# CALL_TIMEOUT_S (5 s) and logs the scan dropped: the hub must not apply it after that,
# so it refuses one older than this (a hub that froze, then caught up).
MAX_SCAN_AGE_S = 3.0
REFUSED = {
    "device_revoked": "this agent's token was revoked",
    "device_not_paired": "not a device agent's token of this centre",
    "unknown_agent": "no [[agents]] entry of that name in this centre",
    "database_unavailable": "the hub's database is not answering; retrying",
    "bad_request": "the event's data is not what the hub expects",
    "unknown_job": "no print job of this agent's printers has that number",
    "too_deep": "the event's data is nested too deeply",
    "invalid_json": "the event's data is not JSON",
    "scan_too_old": f"the scan reached the hub more than {MAX_SCAN_AGE_S:g} s after it was "
    "made; dropped, not applied (the citizen has moved on)",
}


def _refusal(code: str) -> dict:
    """Every `ok: false` answer: a stable code and an English line for the agent's log."""
    return {"ok": False, "error": code, "message": REFUSED.get(code, code)}


def _refuse(code: str) -> ConnectionRefusedError:
    """The client's `connect_error` gets {message, data: {ok, error, message}}."""
    return ConnectionRefusedError(REFUSED.get(code, code), _refusal(code))


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    token = auth.get("token") if isinstance(auth, dict) else None
    token = token if isinstance(token, str) else None
    hub = current_hub()
    try:
        centre = _centre_of(token)
        device = device_tokens.verify(centre.ctx, token)
        if device is None or device.kind != agents.KIND:
            raise _refuse(device_tokens.refusal(centre.ctx, token))
    except DATABASE_ERRORS:
        raise _refuse("database_unavailable") from None
    if not agents.known(centre, device.name):
        raise _refuse("unknown_agent")
    _connected[request.sid] = (token, device.name)
    join_room(rooms.agent(centre.centre_id, device.name))
    hub.presence.joined(request.sid, agents.KIND, device.name, centre)
    log.info("device agent %s connected", device.name)


def _centre_of(token: str | None):
    """The centre of this agent connection: the one its address names (prefix or host
    name), else its token's own; it stays the centre of the connection's events."""
    hub = current_hub()
    try:
        named = named_centre() or host_centre()
    except DomainError:  # /c/{code} of no centre
        raise _refuse("device_not_paired") from None
    owner_id = device_tokens.centre_of(hub.store, token)
    owner = hub.centre_by_id(owner_id) if owner_id is not None else None
    centre = named or owner or hub.default_centre
    request.environ[SOCKET_CENTRE_KEY] = centre.code
    return use_centre(centre)


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_reason):
    _clock_gap.pop(request.sid, None)
    if _connected.pop(request.sid, None) is not None:
        current_hub().presence.left(request.sid)


def _agent() -> str | None:
    """The name of the agent asking, its token checked again: a revoked one is told why
    and disconnected."""
    token, name = _connected.get(request.sid, (None, None))
    if name is None:
        return None
    device = device_tokens.verify(current_centre().ctx, token)
    if device is None:
        emit("revoked", _refusal("device_revoked"))
        disconnect()
        return None
    return name


def _answer(handler):
    """Runs `handler(agent, data)` for an agent; a refusal, data too deep or not JSON
    (kiosk/payloads.py) and an outage are answers too."""

    def wrapped(data=None, *_more):
        try:
            name = _agent()
            if name is None:
                return _refusal("device_revoked")
            if isinstance(data, Refused):
                return _refusal(data.reason)
            return handler(name, data if isinstance(data, dict) else {})
        except DATABASE_ERRORS:
            return _refusal("database_unavailable")
        except DomainError as error:
            return _refusal(error.code)

    wrapped.__name__ = handler.__name__
    return wrapped


@socketio.on("hello", namespace=NAMESPACE)
@_answer
def on_hello(name: str, data: dict) -> dict:
    centre = current_centre()
    agent_now = _utc(data.get("now"))
    if agent_now is not None:
        _clock_gap[request.sid] = centre.ctx.now() - agent_now
    devices = agents.devices_of(centre, name)
    return {"ok": True, "agent": name, **devices}


@socketio.on("jobs", namespace=NAMESPACE)
@_answer
def on_jobs(name: str, _data: dict) -> dict:
    centre = current_centre()
    printers = [p["name"] for p in agents.devices_of(centre, name)["printers"]]
    jobs = print_jobs.pending_for(centre.ctx, printers, give_up_after_s=print_jobs.GIVE_UP_AFTER_S)
    return {"ok": True, "jobs": jobs}


def _finish(name: str, data: dict, state: str) -> dict:
    job = data.get("job")
    if isinstance(job, bool) or not isinstance(job, int) or not 0 < job < 2**31:
        return _refusal("bad_request")
    centre = current_centre()
    printers = [p["name"] for p in agents.devices_of(centre, name)["printers"]]
    error = (str(data.get("error") or "")[:300] or "printer failed") if state == "failed" else None
    if not print_jobs.finish_agent_job(centre.ctx, job, printers, state, error):
        return _refusal("unknown_job")  # not acknowledged: the agent keeps it
    return {"ok": True}


@socketio.on("printed", namespace=NAMESPACE)
@_answer
def on_printed(name: str, data: dict) -> dict:
    return _finish(name, data, "printed")


@socketio.on("failed", namespace=NAMESPACE)
@_answer
def on_failed(name: str, data: dict) -> dict:
    return _finish(name, data, "failed")


@socketio.on("status", namespace=NAMESPACE)
@_answer
def on_status(name: str, data: dict) -> dict:
    centre = current_centre()
    kind, device, status = data.get("kind"), data.get("name"), data.get("status")
    mine = agents.devices_of(centre, name).get(f"{kind}s", [])
    if not isinstance(status, dict) or device not in [t.get("name") for t in mine]:
        return _refusal("bad_request")
    status = {
        k: (v[:300] if isinstance(v, str) else v)
        for k, v in status.items()
        if isinstance(k, str) and (v is None or isinstance(v, bool | int | float | str))
    }
    build = agents.printer_entry if kind == "printer" else agents.scanner_entry
    device_status.report(centre.ctx, f"{kind}:{device}", build(centre, name, device, status))
    return {"ok": True}


@socketio.on("scan", namespace=NAMESPACE)
@_answer
def on_scan(name: str, data: dict) -> dict:
    centre = current_centre()
    scanner, code = data.get("scanner"), data.get("code")
    table = next(
        (t for t in agents.devices_of(centre, name)["scanners"] if t.get("name") == scanner), None
    )
    if table is None or not isinstance(code, str) or not 0 < len(code) <= 4096:
        return _refusal("bad_request")
    if refused_character(code) is not None:  # the agent's framing strips them; the API refuses them
        return _refusal("bad_request")
    try:
        config = ScannerConfig.from_table({k: v for k, v in table.items() if k != "agent"})
    except ScannerConfigError:
        return _refusal("bad_request")
    if "at" in data:  # agents before scans had a time send none: taken as made now
        made = _utc(data["at"])
        if made is None:
            return _refusal("bad_request")
        age = (centre.ctx.now() - _clock_gap.get(request.sid, timedelta()) - made).total_seconds()
        if age > MAX_SCAN_AGE_S:
            log.warning(
                "agent %s, scanner %s: %s dropped: made %.1f s before it reached the hub",
                name,
                scanner,
                loggable(code),
                age,
            )
            return _refusal("scan_too_old")
    if config.kiosk is not None:
        result = scans.at_kiosk(centre.ctx, config.kiosk, code)
    else:
        result = scans.at_counter(centre.ctx, config.counter, code)
    payload = result.payload
    log.info("agent %s, scanner %s: %s → %s", name, scanner, loggable(code), result.kind)
    return {"ok": True, "kind": payload.get("kind", result.kind), "error": payload.get("error")}


def _utc(value) -> datetime | None:
    """An agent's ISO 8601 time with its UTC offset (devices.agent.client.utc_now); None
    when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
