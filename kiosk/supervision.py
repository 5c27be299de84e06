"""The supervisor live view: per field and counter, who waits, for how long,
who is served, which counters are paused; and alerts.

`subscribe {supervisor: true}` (a logged-in supervisor or admin: session
cookie, or `Authorization: Bearer` on the Socket.IO connection) joins the
staff room (queue, counter, device events) and the supervisors room
(`alert`), and is answered with a `snapshot` holding `fields`, `counters`,
`devices` and the alerts active now.  How alerts fire: kiosk/runtime/alerts.py.

Each device shows its state and when it was last heard from, as on /admin/devices: a
connected kiosk, screen or agent (runtime/presence.py) now; any other its `last_scan_at`
or `at`, the time its owner last reported it (offline: since then).  The page
(static/js/supervisor.js) writes that time in the centre's time zone, so a `device`
event updates it as well as a snapshot.
"""

from __future__ import annotations

from flask import request
from flask_socketio import emit, join_room

from kiosk import rooms
from kiosk.auth import Unauthorized, current_actor
from kiosk.core.alerts import device_alerts
from kiosk.core.alerts import wait_alerts as find_wait_alerts
from kiosk.runtime import current_centre
from kiosk.runtime.alerts import alert_payload
from kiosk.runtime.device_health import all_device_status
from kiosk.usecases.alerts import oldest_waiting, targets_of
from kiosk.usecases.read_models import QueueReader, iso


def snapshot(centre, reader: QueueReader) -> dict:
    """Everything the live view of `centre` shows, as of now."""
    now = centre.ctx.now()
    base = reader.staff_snapshot()
    oldest = {w.service: w for w in oldest_waiting(reader)}
    targets = targets_of(reader)
    devices = all_device_status(centre)
    names = {s.code: (s.name, s.name_en or s.name) for s in reader.services}
    alerts = find_wait_alerts(oldest.values(), targets, now) + device_alerts(devices)
    fields = []
    for service in base["services"]:
        code = service["code"]
        waiting = oldest.get(code)
        at_counters = [c for c in base["counters"] if code in c["services"] or _serving(c) == code]
        fields.append(
            {
                "code": code,
                "name": service["name"],
                "name_en": service["name_en"] or service["name"],
                "waiting": service["waiting"],
                "longest_wait_s": int((now - waiting.since).total_seconds()) if waiting else 0,
                "oldest_number": waiting.number if waiting else None,
                "oldest_since": iso(waiting.since) if waiting else None,
                "target_wait_s": targets.get(code),
                "serving": sum(1 for c in at_counters if _serving(c) == code),
                "counters_open": sum(1 for c in at_counters if c["state"] == "open"),
                "counters_paused": sum(1 for c in at_counters if c["state"] == "paused"),
            }
        )
    return {
        "centre": base["centre"],
        "fields": fields,
        "counters": base["counters"],
        "devices": devices,
        "alerts": [alert_payload(a, names) for a in alerts],
        "at": iso(now),
    }


def _serving(counter: dict) -> str | None:
    current = counter.get("current")
    return current["service"] if current else None


# -- Socket.IO ----------------------------------------------------------------------


def subscribe() -> dict:
    """The `subscribe {supervisor: true}` branch of kiosk/realtime.py: the request's
    centre (kiosk/runtime: current_centre), for a supervisor or admin of that centre."""
    centre = current_centre()
    try:
        actor = current_actor()
    except Unauthorized:
        actor = None
    if actor is None:
        return {"ok": False, "error": "login_required"}
    if not actor.at_least("supervisor"):
        return {"ok": False, "error": "forbidden"}
    # Rooms first, then the snapshot: a change published meanwhile either reaches this
    # view as an event or is in the snapshot read after it (a device that came online
    # between a snapshot and a later join was missing from the view until its next change).
    join_room(rooms.staff(centre.centre_id))
    join_room(rooms.supervisors(centre.centre_id))
    join_room(rooms.user(centre.centre_id, actor.id))  # told if this login ends
    with centre.ctx.store.read() as session:
        payload = snapshot(centre, QueueReader(centre.ctx, session))
    payload["subscription"] = {"supervisor": True}
    emit("snapshot", payload, to=request.sid)
    centre.wait_watcher.start()
    return {"ok": True}
