"""Paired kiosks and screens: online while connected, an alert when one stays away.

A paired device (it showed its token when it subscribed) is online while one of its
Socket.IO connections to this process is open.  When its last connection closes and it
is not back within `Config.screen_offline_after_s` (a reload or a Wi-Fi blip takes a
few seconds), it is reported offline through kiosk.usecases.device_status: a `device`
event for staff, which kiosk/runtime/alerts.py turns into a supervisor alert, and a
`device_status` row, which the admin page, /healthz and the other hub processes read.  Coming back reports it online and clears the alert.

Unpaired screens are anonymous (any browser may open /display): they are counted on the
admin page but cannot be missed by name.  Each process knows only its own connections;
nginx's ip_hash keeps a device on one process, so that is where it is missed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kiosk.extensions import socketio
from kiosk.usecases import device_status

if TYPE_CHECKING:
    from kiosk.runtime.hub import Hub, ServedCentre


class Presence:
    """This process's paired devices, by Socket.IO connection (one per hub: `hub.presence`),
    each of its own centre."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        # sid → ((centre id, key), kind, name, centre)
        self.by_sid: dict[str, tuple[tuple[int, str], str, str, ServedCentre]] = {}
        self.lock = threading.Lock()

    def joined(self, sid: str, kind: str, name: str, centre: ServedCentre) -> None:
        key = (centre.centre_id, f"{kind}:{name}")
        with self.lock:
            was_here = self._connected(key)
            self.by_sid[sid] = (key, kind, name, centre)
        if not was_here:
            self._report(key, kind, name, centre, "online")

    def left(self, sid: str) -> None:
        with self.lock:
            entry = self.by_sid.pop(sid, None)
            if entry is None or self._connected(entry[0]):
                return
        socketio.start_background_task(self._missed_after_grace, *entry)

    def _connected(self, key: tuple[int, str]) -> bool:
        return any(entry[0] == key for entry in list(self.by_sid.values()))

    def _missed_after_grace(self, key, kind: str, name: str, centre: ServedCentre) -> None:
        socketio.sleep(self.hub.config.screen_offline_after_s)
        with self.lock:
            if self._connected(key):
                return  # back already (a reload)
        self._report(key, kind, name, centre, "offline")

    def _report(self, key, kind: str, name: str, centre: ServedCentre, state: str) -> None:
        entry = {
            "kind": kind,
            "name": name,
            "state": state,
            "error": "not connected" if state == "offline" else None,
            "at": centre.ctx.now().isoformat(),
        }
        centre.device_status[key[1]] = entry
        # presence is for staff only
        device_status.report(centre.ctx, key[1], entry, public=False)
