"""The supervisor live view: per field and counter, who waits, for how long,
who is served, which counters are paused; and alerts.

`subscribe {supervisor: true}` (a logged-in supervisor or admin: session
cookie, or `Authorization: Bearer` on the Socket.IO connection) joins the
staff room (queue, counter, device events) and the supervisors room
(`alert`), and is answered with a `snapshot` holding `fields`, `counters`,
`devices` and the alerts active now.

How alerts fire (the decision):
- Wait past target: a watcher in a background task (kiosk.blocking.spawn,
  so a greenlet under gevent/eventlet), started by the first supervisor who
  subscribes to this process.  Each field's longest wait only grows until
  that citizen is called, so instead of polling every few seconds it sleeps
  until the next field would pass its target (computed from the oldest
  waiting ticket), at most CHECK_S; a `queue` event published by this
  process wakes it early, because a new or transferred ticket may change the
  next crossing.  An alert is sent once when a field crosses its target
  ({active: true}) and once when it is back under ({active: false}).
  A wait starts when the citizen joined the field's queue (their ticket, or
  the transfer that sent them), as in the reports.
- Device offline: device status changes already go out as `device` events
  (printers: kiosk/printing.py, scanners: kiosk/scanning.py, paired kiosks
  and screens that stay disconnected: kiosk/presence.py); the publisher
  wrapper below turns an offline, faulty
  or paper-out status into an `alert`, and its recovery into {active: false},
  in whichever process owns the device, the moment it is published.
Alerts carry a stable `key`; a screen replaces an alert with the same key, so
two hub processes (scaled out behind Redis) raising the same wait alert show
it once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from flask import Flask, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_socketio import emit, join_room
from sqlalchemy import select

from kiosk import rooms
from kiosk.auth import Unauthorized, current_actor
from kiosk.blocking import spawn
from kiosk.core.alerts import Alert, Waiting, device_alert, device_alerts, next_crossing
from kiosk.core.alerts import wait_alerts as find_wait_alerts
from kiosk.events import Outgoing, Publisher
from kiosk.store.tables import TicketRow
from kiosk.usecases.views import QueueReader, iso

log = logging.getLogger(__name__)
CHECK_S = 15.0  # at the latest: catches target changes and tickets issued by other processes
EXTENSION = "motcua_supervision"

TEXTS = {
    "wait": _l("%(field)s: %(number)s has waited %(minutes)s min (target %(target)s min)."),
    "offline": _l("%(device)s is offline."),
    "paper_out": _l("%(device)s is out of paper."),
    "fault": _l("%(device)s reports a fault: %(error)s"),
}


# -- reading the queue ------------------------------------------------------------


def oldest_waiting(reader: QueueReader) -> list[Waiting]:
    """Each field's longest-waiting citizen, waiting since they joined its queue."""
    rows = reader.waiting
    parents = [r.parent_id for r in rows if r.parent_id]
    transferred_at = {}
    if parents:
        transferred_at = dict(
            reader.session.execute(
                select(TicketRow.id, TicketRow.finished_at).where(TicketRow.id.in_(parents))
            ).all()
        )
    oldest: dict[str, Waiting] = {}
    for row in rows:
        code = reader.code_by_id.get(row.service_id)
        since = transferred_at.get(row.parent_id) or row.issued_at
        if code and (code not in oldest or since < oldest[code].since):
            oldest[code] = Waiting(code, row.number, since)
    return list(oldest.values())


def targets_of(reader: QueueReader) -> dict[str, int | None]:
    return {s.code: s.target_wait_s for s in reader.services if s.active}


def alert_payload(alert: Alert, names: dict[str, tuple[str, str]], active: bool = True) -> dict:
    """The `alert` event: what, since when, and a sentence in each language."""
    data = {"key": alert.key, "kind": alert.kind, "active": active, "since": iso(alert.since)}
    data.update(alert.details)
    if alert.kind == "wait":
        name, name_en = names.get(alert.details["service"], (alert.details["service"],) * 2)
        data.update(service_name=name, service_name_en=name_en)
    texts = {}
    for language in ("vi", "en"):
        with force_locale(language):
            texts[language] = _text(alert, data, language)
    data["message"] = texts
    return data


def _text(alert: Alert, data: dict, language: str) -> str:
    if alert.kind == "wait":
        return str(TEXTS["wait"]) % {
            "field": data["service_name_en"] if language == "en" else data["service_name"],
            "number": data["number"],
            "minutes": data["waited_s"] // 60,
            "target": data["target_s"] // 60,
        }
    device = data["name"]
    if data["state"] == "offline":
        return str(TEXTS["offline"]) % {"device": device}
    if data["paper_out"]:
        return str(TEXTS["paper_out"]) % {"device": device}
    return str(TEXTS["fault"]) % {"device": device, "error": data.get("error") or "?"}


def snapshot(hub, reader: QueueReader) -> dict:
    """Everything the live view shows, as of now."""
    from kiosk.devices_runtime import all_device_status

    now = hub.ctx.now()
    base = reader.snapshot()
    oldest = {w.service: w for w in oldest_waiting(reader)}
    targets = targets_of(reader)
    devices = all_device_status(hub)
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
    """The `subscribe {supervisor: true}` branch of kiosk/realtime.py."""
    hub = current_app.extensions["motcua"]
    try:
        actor = current_actor()
    except Unauthorized:
        actor = None
    if actor is None:
        return {"ok": False, "error": "login_required"}
    if not actor.at_least("supervisor"):
        return {"ok": False, "error": "forbidden"}
    with hub.store.read() as session:
        payload = snapshot(hub, QueueReader(hub.ctx, session))
    join_room(rooms.staff(hub.centre_id))
    join_room(rooms.supervisors(hub.centre_id))
    join_room(rooms.user(hub.centre_id, actor.id))  # told if this login ends
    payload["subscription"] = {"supervisor": True}
    emit("snapshot", payload, to=request.sid)
    watcher(current_app._get_current_object()).start()
    return {"ok": True}


# -- alerts ---------------------------------------------------------------------------


class WaitWatcher:
    """Sends `alert` when a field's longest wait passes its target (see the module doc)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.active: dict[str, Alert] = {}
        self._wake = threading.Event()
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        spawn(self._run)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            try:
                delay = self.check()
            except Exception:  # a database hiccup must not end the alerts for the day
                log.exception("checking waits against targets failed; retrying")
                delay = CHECK_S
            self._wake.wait(delay)
            self._wake.clear()

    def check(self) -> float:
        """Publish what changed; return how long to sleep before the next crossing."""
        with self.app.app_context():
            hub = self.app.extensions["motcua"]
            now = hub.ctx.now()
            with hub.store.read() as session:
                reader = QueueReader(hub.ctx, session)
                oldest = oldest_waiting(reader)
                targets = targets_of(reader)
                names = {s.code: (s.name, s.name_en or s.name) for s in reader.services}
            current = {a.key: a for a in find_wait_alerts(oldest, targets, now)}
            changes = [alert_payload(a, names) for k, a in current.items() if k not in self.active]
            changes += [
                alert_payload(a, names, active=False)
                for k, a in self.active.items()
                if k not in current
            ]
            self.active = current
            if changes:
                room = (rooms.supervisors(hub.centre_id),)
                hub.ctx.publish([Outgoing("alert", change, room) for change in changes])
            upcoming = next_crossing(oldest, targets, now)
        if upcoming is None:
            return CHECK_S
        return min(CHECK_S, max(0.2, (upcoming - now).total_seconds() + 0.05))


class AlertingPublisher:
    """Wraps the hub's publisher: a device going offline (or back) becomes an `alert`;
    a `queue` change wakes the wait watcher."""

    def __init__(self, inner: Publisher, app: Flask) -> None:
        self.inner = inner
        self.app = app
        self.problems: set[str] = set()

    def publish(self, events: Iterable[Outgoing]) -> None:
        events = list(events)
        extra = []
        for event in events:
            if event.name == "device":
                extra.extend(self._device(event.payload))
            elif event.name == "queue" and EXTENSION in self.app.extensions:
                self.app.extensions[EXTENSION].wake()
        self.inner.publish(events + extra)

    def _device(self, payload: dict) -> list[Outgoing]:
        key = payload.get("id") or f"{payload.get('kind')}:{payload.get('name')}"
        alert = device_alert(key, payload)
        was = key in self.problems
        if alert is None and not was:
            return []
        with self.app.app_context():
            centre = self.app.extensions["motcua"].centre_id
            if alert is not None:
                self.problems.add(key)
                data = alert_payload(alert, {})
            else:
                self.problems.discard(key)
                data = {"key": f"device:{key}", "kind": "device", "active": False, "device": key}
                data["since"] = payload.get("at") if isinstance(payload.get("at"), str) else None
        return [Outgoing("alert", data, (rooms.supervisors(centre),))]


def watcher(app: Flask) -> WaitWatcher:
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = WaitWatcher(app)
    return app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """Wire device alerts into the hub's publisher (create_app calls this once)."""
    hub = app.extensions["motcua"]
    hub.ctx.publisher = AlertingPublisher(hub.ctx.publisher, app)
