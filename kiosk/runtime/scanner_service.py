"""The serial scanner workers of the process that owns the devices
(`ScannerService`, started by device_startup.start_devices): each code goes to
the scan use case of the scanner's place (kiosk.usecases.scans), which tells
the screens; each status change is stored and sent as a `device` event."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError

from devices.scanner import ScannerConfig, ScannerConfigError, ScannerWorker
from devices.scanner.privacy import loggable
from kiosk.core.errors import DomainError
from kiosk.store import repository as repo
from kiosk.usecases import device_config, device_status, scans
from kiosk.usecases.scans import ScanResult

if TYPE_CHECKING:
    from kiosk.runtime.hub import Hub
    from kiosk.usecases.device_config import DeviceSetup

log = logging.getLogger(__name__)
DB_ATTEMPTS = 3  # a scan is retried through a short database outage, then the kiosk is told
DB_RETRY_S = 0.5


class DatabaseUnavailable(DomainError):
    status = 503


class ScannerService:
    """One ScannerWorker per scanner this owner drives (device_config.for_owner; `reconcile`
    follows changes made on /admin/devices).  Each code goes to the use case of the
    scanner's place (kiosk or counter) and its result to the screens as a `scan` event;
    each status change goes to `hub.device_status` and, through the use case
    kiosk.usecases.device_status, to the `device_status` table (read by other hub
    processes and `motcua devices`) and the screens as a `device` event."""

    def __init__(self, hub: Hub, tables: list[dict]) -> None:
        self.hub = hub
        self.tables = tables
        self.configs: dict[str, ScannerConfig] = {}
        self.workers: dict[str, ScannerWorker] = {}

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        try:
            stored = device_status.stored(self.hub.ctx)
        except Exception:  # only the last scan time of a previous run is lost
            stored = {}
        for index, table in enumerate(self.tables):
            self._open(_name(table, index), table, stored)

    def _open(self, name: str, table: dict, stored: dict) -> None:
        try:
            config = ScannerConfig.from_table(table)
            self._check_place(config)
            if config.name in self.configs:
                raise ScannerConfigError(f"scanner {config.name!r}: the name is used twice")
        except ScannerConfigError as error:
            # One wrong entry stops only that scanner; it shows as broken everywhere.
            log.error("%s", error)
            self._set_status(name, {"state": "error", "error": str(error)}, table)
            return
        previous = stored.get(_key(config.name), {}) or self.hub.device_status.get(
            _key(config.name), {}
        )
        self.configs[config.name] = config
        self.hub.device_status[_key(config.name)] = {
            **self._entry(config.name, {"state": "offline", "error": None}),
            "last_scan_at": previous.get("last_scan_at"),
        }
        self.workers[config.name] = ScannerWorker(
            config, on_scan=self._scanned, on_status=self._status
        ).start()

    def reconcile(self, setup: DeviceSetup) -> None:
        """Read the scanners `setup` lists (this owner's), without a restart: new ones are
        opened, removed ones closed (their port released, their status gone), changed ones
        closed and opened again; one whose kiosk or counter was missing is tried again."""
        current = {_name(t, i): t for i, t in enumerate(self.tables)}
        wanted = {s.name: s.table() for s in setup.scanners}
        for name, table in current.items():
            if wanted.get(name) != table:
                worker = self.workers.pop(name, None)
                if worker is not None:
                    worker.stop()  # the port is free for the reopened worker
                self.configs.pop(name, None)
                if name not in wanted:
                    self.hub.device_status.pop(_key(name), None)
                    device_status.forget(self.hub.ctx, _key(name))
                log.info("scanner %s: %s", name, "changed" if name in wanted else "removed")
        self.tables = list(wanted.values())
        for name, table in wanted.items():
            if name not in self.workers:
                self._open(name, table, {})

    def stop(self) -> None:
        for name, worker in self.workers.items():
            worker.stop()
            entry = {**self.hub.device_status.get(_key(name), {}), "path": None}
            entry.update(state="offline", error="hub stopped", at=self._now())
            self.hub.device_status[_key(name)] = entry
            # Nobody reads this scanner now: say so to `motcua devices` and the other hubs.
            device_status.remember(self.hub.ctx, _key(name), entry)
        self.workers.clear()

    def _check_place(self, config: ScannerConfig) -> None:
        """The kiosk or counter a scanner serves must exist, or its scans would go nowhere."""
        if config.kiosk is not None:
            kiosks = device_config.cached(self.hub.ctx).kiosk_names
            if config.kiosk not in kiosks:
                raise ScannerConfigError(
                    f"scanner {config.name!r}: there is no kiosk {config.kiosk!r} "
                    f"(known: {', '.join(kiosks)})"
                )
        else:
            try:
                with self.hub.store.read() as session:
                    repo.counter_row(session, self.hub.centre_id, config.counter)
            except DomainError:
                raise ScannerConfigError(
                    f"scanner {config.name!r}: there is no counter {config.counter}"
                ) from None

    # -- worker callbacks (in the worker's greenlet or thread) ---------------
    def _scanned(self, name: str, code: str) -> None:
        config, worker = self.configs.get(name), self.workers.get(name)
        if config is None or worker is None:
            log.warning("scanner %s: a scan arrived while it was being closed: dropped", name)
            return
        with self.hub.app_context():  # the texts are translated with Flask-Babel
            payload = self._use_case(config, code).payload
        # A citizen ID card's QR holds a name, address and ID number: never in a log.
        log.info(
            "scanner %s: %s → %s", name, loggable(code), payload.get("error") or payload["kind"]
        )
        entry = self.hub.device_status.get(_key(name), {})
        entry = {**entry, "last_scan_at": worker.status["last_scan_at"]}
        self.hub.device_status[_key(name)] = entry
        # Not news for any screen; if it cannot be stored, only `motcua devices` is behind.
        device_status.remember(self.hub.ctx, _key(name), entry)

    def _use_case(self, config: ScannerConfig, code: str) -> ScanResult:
        ctx = self.hub.ctx
        for attempt in range(1, DB_ATTEMPTS + 1):
            try:
                if config.kiosk is not None:
                    return scans.at_kiosk(ctx, config.kiosk, code)
                return scans.at_counter(ctx, config.counter, code)
            except (OperationalError, InterfaceError) as error:
                # Ticket issuing is idempotent per receipt and booking: a retry never doubles.
                log.warning(
                    "scanner %s: database error (attempt %s of %s): %s",
                    config.name,
                    attempt,
                    DB_ATTEMPTS,
                    error,
                )
                time.sleep(DB_RETRY_S)
        failed = ScanResult("error", error=DatabaseUnavailable("database_unavailable"))
        return scans.report(ctx, failed, kiosk=config.kiosk, counter=config.counter)

    def _status(self, name: str, status: dict) -> None:
        if name not in self.configs:
            return  # a worker reconcile closed: its scanner is gone or reopened
        previous = self.hub.device_status.get(_key(name), {})
        # A fresh worker has not scanned yet: keep the last scan of the previous run.
        last_scan = status.get("last_scan_at") or previous.get("last_scan_at")
        self._set_status(name, {**status, "last_scan_at": last_scan}, None)

    def _set_status(self, name: str, data: dict, table: dict | None) -> None:
        key = _key(name)
        entry = {**self._entry(name, data, table), "at": self._now()}
        self.hub.device_status[key] = entry
        # The worker reports only changes (and once at start): every report is stored and sent.
        device_status.report(self.hub.ctx, key, entry)

    def _entry(self, name: str, data: dict, table: dict | None = None) -> dict:
        config = self.configs.get(name)
        table = table if isinstance(table, dict) else {}
        return {
            "kind": "scanner",
            "name": name,
            "url": config.url if config else table.get("url"),
            "use": config.use if config else table.get("use"),
            "state": data.get("state"),
            "error": data.get("error"),
            "path": data.get("path"),
            "last_scan_at": data.get("last_scan_at"),
        }

    def _now(self) -> str:
        return self.hub.ctx.now().isoformat(timespec="seconds")


def _key(name: str) -> str:
    return f"scanner:{name}"


def _name(table: object, index: int) -> str:
    """A scanner's name, or its place in the list when the entry has none."""
    name = table.get("name") if isinstance(table, dict) else None
    return str(name or f"#{index + 1}")
