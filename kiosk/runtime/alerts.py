"""Supervisor alerts: a field's wait past its target, a device offline or faulty.

How they fire:
- Wait past target: `WaitWatcher`, a background task (devices.blocking.spawn,
  so a greenlet under gevent/eventlet), started by the first supervisor who
  subscribes to this process (kiosk/supervision.py).  It only decides when to
  look: each look is the use case kiosk/usecases/alerts.check_waits, where the
  core (kiosk/core/alerts.py) decides which alerts start and end and the
  supervisors are told.  Each field's longest wait only grows until that
  citizen is called, so instead of polling every few seconds the watcher
  sleeps until the next field would pass its target, at most CHECK_S; a
  `queue` event published by this process wakes it early, because a new or
  transferred ticket may change the next crossing.  An alert is sent once when
  a field crosses its target ({active: true}) and once when it is back under
  ({active: false}).  A wait starts when the citizen joined the field's queue
  (their ticket, or the transfer that sent them), as in the reports.
- Device offline: device status changes go out as `device` events through
  kiosk/usecases/device_status.report (printers: print_service.py, scanners:
  scanner_service.py, paired kiosks and screens that stay disconnected:
  presence.py); `AlertingPublisher`, which wraps the centre's publisher
  (open_hub), adds to such an event the `alert` it implies (core.device_alert:
  offline, faulty or out of paper), and to its recovery {active: false}, in
  whichever process owns the device, in the same publish.
Alerts carry a stable `key`; a screen replaces an alert with the same key, so
two hub processes (scaled out behind Redis) raising the same wait alert show
it once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from devices.blocking import spawn
from kiosk import rooms
from kiosk.core.alerts import Alert, device_alert
from kiosk.events import Outgoing, Publisher
from kiosk.usecases.alerts import check_waits
from kiosk.usecases.read_models import iso

if TYPE_CHECKING:
    from kiosk.runtime.hub import Hub, ServedCentre

log = logging.getLogger(__name__)
CHECK_S = 15.0  # at the latest: catches target changes and tickets issued by other processes

TEXTS = {
    "wait": _l("%(field)s: %(number)s has waited %(minutes)s min (target %(target)s min)."),
    "offline": _l("%(device)s is offline."),
    "paper_out": _l("%(device)s is out of paper."),
    "fault": _l("%(device)s reports a fault: %(error)s"),
}


# -- wording ------------------------------------------------------------------------


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


# -- alerts ---------------------------------------------------------------------------


class WaitWatcher:
    """Sends `alert` when a field's longest wait passes its target (see the module doc).
    One per centre; started by the first supervisor who subscribes."""

    def __init__(self, hub: Hub, centre: ServedCentre) -> None:
        self.hub = hub
        self.centre = centre
        self.active: dict[str, Alert] = {}
        self._wake = threading.Event()
        self._started = False
        self._stopped = False
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        spawn(self._run)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """End the loop (the hub is closing): it exits at its next wake-up, which is now."""
        self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            try:
                delay = self.check()
            except Exception:  # a database hiccup must not end the alerts for the day
                log.exception("checking waits against targets failed; retrying")
                delay = CHECK_S
            if self._stopped:
                return
            self._wake.wait(delay)
            self._wake.clear()

    def check(self) -> float:
        """Tell supervisors what changed; return how long to sleep before the next crossing."""
        with self.hub.app_context():  # the alert texts are translated with Flask-Babel
            result = check_waits(self.centre.ctx, self.active, alert_payload)
        self.active = result.active
        if result.next_crossing is None:
            return CHECK_S
        wait = (result.next_crossing - self.centre.ctx.now()).total_seconds()
        return min(CHECK_S, max(0.2, wait + 0.05))


class AlertingPublisher:
    """Wraps a centre's publisher: a device going offline (or back) becomes an `alert`;
    a `queue` change wakes the centre's wait watcher."""

    def __init__(self, inner: Publisher, hub: Hub, centre: ServedCentre) -> None:
        self.inner = inner
        self.hub = hub
        self.centre = centre
        self.problems: set[str] = set()

    def publish(self, events: Iterable[Outgoing]) -> None:
        events = list(events)
        extra = []
        for event in events:
            if event.name == "device":
                extra.extend(self._device(event.payload))
            elif event.name == "queue" and self.centre.wait_watcher is not None:
                self.centre.wait_watcher.wake()
            elif event.name == "devices_changed" and self.hub.device_watch is not None:
                self.hub.device_watch.wake()  # this process owns the devices: reconcile now
        self.inner.publish(events + extra)

    def _device(self, payload: dict) -> list[Outgoing]:
        key = payload.get("id") or f"{payload.get('kind')}:{payload.get('name')}"
        alert = device_alert(key, payload)
        was = key in self.problems
        if alert is None and not was:
            return []
        centre = self.centre.centre_id
        with self.hub.app_context():  # the alert texts are translated with Flask-Babel
            if alert is not None:
                self.problems.add(key)
                data = alert_payload(alert, {})
            else:
                self.problems.discard(key)
                data = {"key": f"device:{key}", "kind": "device", "active": False, "device": key}
                data["since"] = payload.get("at") if isinstance(payload.get("at"), str) else None
        return [Outgoing("alert", data, (rooms.supervisors(centre),))]
