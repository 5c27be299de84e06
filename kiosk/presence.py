"""Paired kiosks and screens: online while connected, an alert when one stays away.

A paired device (it showed its token when it subscribed) is online while one of its
Socket.IO connections to this process is open.  When its last connection closes and it
is not back within `Config.screen_offline_after_s` (a reload or a Wi-Fi blip takes a
few seconds), it is reported offline: a `device` event, which kiosk/supervision.py turns
into a supervisor alert, and a `device_status` row, which the admin page, /healthz and
the other hub processes read.  Coming back reports it online and clears the alert.

Unpaired screens are anonymous (any browser may open /display): they are counted on the
admin page but cannot be missed by name.  Each process knows only its own connections;
nginx's ip_hash keeps a device on one process, so that is where it is missed.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from flask import Flask

from kiosk import rooms
from kiosk.events import Outgoing
from kiosk.extensions import socketio

EXTENSION = "motcua.presence"


class Presence:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.by_sid: dict[str, tuple[str, str, str]] = {}  # sid → (key, kind, name)
        self.lock = threading.Lock()

    def joined(self, sid: str, kind: str, name: str) -> None:
        key = f"{kind}:{name}"
        with self.lock:
            was_here = self._connected(key)
            self.by_sid[sid] = (key, kind, name)
        if not was_here:
            self._report(key, kind, name, "online")

    def left(self, sid: str) -> None:
        with self.lock:
            entry = self.by_sid.pop(sid, None)
            if entry is None or self._connected(entry[0]):
                return
        socketio.start_background_task(self._missed_after_grace, *entry)

    def _connected(self, key: str) -> bool:
        return any(entry[0] == key for entry in self.by_sid.values())

    def _missed_after_grace(self, key: str, kind: str, name: str) -> None:
        hub = self.app.extensions["motcua"]
        socketio.sleep(hub.config.screen_offline_after_s)
        with self.lock:
            if self._connected(key):
                return  # back already (a reload)
        self._report(key, kind, name, "offline")

    def _report(self, key: str, kind: str, name: str, state: str) -> None:
        from kiosk.store import device_status

        hub = self.app.extensions["motcua"]
        entry = {
            "kind": kind,
            "name": name,
            "state": state,
            "error": "not connected" if state == "offline" else None,
            "at": datetime.now(UTC).isoformat(),
        }
        hub.device_status[key] = entry
        with self.app.app_context():
            try:
                device_status.save(hub.store, hub.centre_id, key, entry)
            except Exception:  # the live event below still reaches supervisors
                self.app.logger.warning("could not store %s %s", key, state, exc_info=True)
            hub.ctx.publish(
                [Outgoing("device", {"id": key, **entry}, (rooms.staff(hub.centre_id),))]
            )


def presence(app: Flask) -> Presence:
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = Presence(app)
    return app.extensions[EXTENSION]
