"""Starting and stopping the devices this process owns, a separate step from
opening the hub: `motcua run` and `kiosk.wsgi` start them after create_app,
`motcua devices run` runs them without HTTP.  Also the after-issue print hint
every hub process gives a kiosk.  (Printers and scanners themselves live in
the top-level `devices` package.)"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from devices.blocking import spawn
from kiosk.runtime import agents
from kiosk.runtime.device_health import all_device_status
from kiosk.store.tables import PrintJobRow
from kiosk.usecases import device_config

if TYPE_CHECKING:
    from kiosk.runtime.hub import Hub, ServedCentre

log = logging.getLogger(__name__)


def start_devices(hub: Hub) -> None:
    """Start the workers of the devices this process owns (MOTCUA_DEVICES=0: none).

    Exactly one process per centre owns them (the hub, or `motcua devices run`
    beside hubs that have MOTCUA_DEVICES=0): a serial port has one reader.  Which
    devices: device_config.for_owner (those no device agent drives); a DeviceWatch
    follows the changes made on /admin/devices without a restart."""
    if not hub.config.devices_enabled:
        return
    setup = device_config.devices_of(hub.ctx)
    if hub.printing is None:
        from kiosk.runtime.print_service import PrintService

        # Every printer, so that jobs for an agent's printer are left to that agent; the
        # service opens only those no agent drives.
        hub.printing = PrintService(hub, [p.table() for p in setup.printers])
        hub.printing.start()
    if hub.scanning is None:
        from kiosk.runtime.scanner_service import ScannerService

        # A scanner with `agent = "NAME"` is read by that agent (kiosk/realtime_agent.py).
        own = setup.driven_by(None).scanners
        hub.scanning = ScannerService(hub, [s.table() for s in own])
        hub.scanning.start()
    if hub.device_watch is None:
        hub.device_watch = DeviceWatch(hub, setup.version).start()


class DeviceWatch:
    """Keeps the owner's printers and scanners as the stored set-up says.

    Woken at once by a `devices_changed` event published in this process
    (AlertingPublisher calls `wake`); a change made by another process (a gunicorn
    hub's /admin beside `motcua devices run`) is seen by the version it polls every
    POLL_S, since that process's events reach this one only through Redis rooms."""

    POLL_S = 3.0

    def __init__(self, hub: Hub, version: int) -> None:
        self.hub = hub
        self.version = version
        self._wake = threading.Event()  # made here: under gevent, the cooperative kind
        self._running = False

    def start(self) -> DeviceWatch:
        self._running = True
        spawn(self._run)
        return self

    def stop(self) -> None:
        self._running = False
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while self._running:
            self._wake.wait(self.POLL_S)
            self._wake.clear()
            if not self._running:
                return
            try:
                self.check()
            except Exception:  # a database hiccup: try again at the next poll
                log.exception("reading the device set-up failed; retrying")

    def check(self) -> bool:
        """Reconcile when the set-up's version moved; True when it did."""
        if device_config.version(self.hub.ctx) == self.version:
            return False
        setup = device_config.devices_of(self.hub.ctx)
        log.info("device set-up changed (version %s → %s)", self.version, setup.version)
        if self.hub.printing is not None:
            self.hub.printing.reconcile(setup)
        if self.hub.scanning is not None:
            self.hub.scanning.reconcile(setup.driven_by(None))
        self.version = setup.version
        return True


def stop_devices(hub: Hub) -> None:
    """Stop the device workers: ports are released and scanners marked as not read."""
    if hub.device_watch is not None:
        hub.device_watch.stop()
        hub.device_watch = None
    for service in (hub.scanning, hub.printing):
        if service is not None:
            try:
                service.stop()
            except Exception:  # stopping one kind of device must not keep the other running
                log.exception("stopping %r failed", service)


def print_hint(hub: Hub, centre: ServedCentre):
    """after_issue hook of `centre` in every hub process: the owner prints at once; others
    tell the kiosk what the owner last reported of its printer (the job itself waits in the
    database).  A process owns the printers of its default centre only."""

    def on_issued(ticket: dict, job_id: int | None) -> dict | None:
        if job_id is None:
            return None
        if (offered := agents.offer(centre, job_id)) is not None:
            return offered  # a device agent drives that printer: the job went to it
        if hub.printing is not None and centre is hub.default_centre:
            return hub.printing.on_issued(ticket, job_id)
        with hub.store.read() as session:
            printer = session.get(PrintJobRow, job_id).printer
        status = all_device_status(centre).get(f"printer:{printer}", {})
        return {
            "printer": printer,
            "job": job_id,
            "state": "queued",
            "printer_ok": status.get("state") in (None, "online", "unknown"),
        }

    return on_issued


def run_device_worker(hub: Hub) -> None:
    """`motcua devices run`: own this centre's devices until stopped; no HTTP."""
    if not hub.config.message_queue:
        log.warning(
            "MOTCUA_MESSAGE_QUEUE is empty: device events will not reach screens served by "
            "other processes"
        )
    hub.config.devices_enabled = True
    start_devices(hub)
    own = device_config.for_owner(hub.ctx)
    print(
        f"motcua: device worker running ({len(own.printers)} printers, "
        f"{len(own.scanners)} scanners; changes on /admin/devices apply within "
        f"{DeviceWatch.POLL_S:g} s)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    finally:
        stop_devices(hub)
