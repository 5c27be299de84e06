"""The hub's side of scanners: turn a scan result into the `scan` event a
kiosk or console shows (message in Vietnamese and English), and run the
serial scanner workers of the process that owns the devices
(`ScannerService`, started by kiosk.devices_runtime.start_devices)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import InterfaceError, OperationalError

from devices.scanner import ScannerConfig, ScannerConfigError, ScannerWorker
from kiosk import rooms
from kiosk.core.errors import DomainError
from kiosk.events import Outgoing
from kiosk.messages import message
from kiosk.store import device_status
from kiosk.store import repository as repo
from kiosk.usecases import scans
from kiosk.usecases.scans import ScanResult

log = logging.getLogger(__name__)
DB_ATTEMPTS = 3  # a scan is retried through a short database outage, then the kiosk is told
DB_RETRY_S = 0.5


class DatabaseUnavailable(DomainError):
    status = 503


def scan_payload(
    result: ScanResult, *, kiosk: str | None = None, counter: int | None = None
) -> dict:
    """The `scan` event (and API answer): what happened, with texts in both languages."""
    payload = {"kind": result.kind, "kiosk": kiosk, "counter": counter, "ticket": result.ticket}
    if result.error is not None:
        payload.update(
            error=result.error.code, message=_texts(result.error.code, result.error.params)
        )
    if result.offer is not None:
        payload["offer"] = {"service": result.offer}
    if result.note is not None:
        payload["note"] = _texts(*result.note)
    return payload


def _texts(code: str, params: dict) -> dict:
    texts = {}
    for language in ("vi", "en"):
        with force_locale(language):
            texts[language] = message(code, **params)
    return texts


def publish_scan_result(hub, payload: dict) -> None:
    centre = hub.centre_id
    audience = (
        (rooms.kiosks(centre),)
        if payload.get("kiosk")
        else (rooms.counter(centre, payload["counter"]),)
    )
    hub.ctx.publish([Outgoing("scan", payload, audience)])


class ScannerService:
    """One ScannerWorker per `[[scanners]]` table.  Each code goes to the use case of the
    scanner's place (kiosk or counter) and its result to the screens as a `scan` event;
    each status change goes to `hub.device_status`, the `device_status` table (read by
    other hub processes and `motcua devices`) and the screens as a `device` event."""

    def __init__(self, app: Flask, tables: list[dict]) -> None:
        self.app = app
        self.hub = app.extensions["motcua"]
        self.tables = tables
        self.configs: dict[str, ScannerConfig] = {}
        self.workers: dict[str, ScannerWorker] = {}

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        try:
            stored = device_status.load_all(self.hub.store, self.hub.centre_id)
        except Exception:  # only the last scan time of a previous run is lost
            stored = {}
        for index, table in enumerate(self.tables):
            name = table.get("name") if isinstance(table, dict) else None
            name = str(name or f"#{index + 1}")
            try:
                config = ScannerConfig.from_table(table)
                self._check_place(config)
                if config.name in self.configs:
                    raise ScannerConfigError(f"scanner {config.name!r}: the name is used twice")
            except ScannerConfigError as error:
                # One wrong entry stops only that scanner; it shows as broken everywhere.
                log.error("%s", error)
                self._set_status(name, {"state": "error", "error": str(error)}, table)
                continue
            previous = stored.get(_key(config.name), {})
            self.configs[config.name] = config
            self.hub.device_status[_key(config.name)] = {
                **self._entry(config.name, {"state": "offline", "error": None}),
                "last_scan_at": previous.get("last_scan_at"),
            }
            self.workers[config.name] = ScannerWorker(
                config, on_scan=self._scanned, on_status=self._status
            ).start()

    def stop(self) -> None:
        for name, worker in self.workers.items():
            worker.stop()
            entry = {**self.hub.device_status.get(_key(name), {}), "path": None}
            entry.update(state="offline", error="hub stopped", at=_now())
            self.hub.device_status[_key(name)] = entry
            try:  # nobody reads this scanner now: say so to `motcua devices` and the other hubs
                device_status.save(self.hub.store, self.hub.centre_id, _key(name), entry)
            except Exception:
                log.debug("could not store the stopped status of %s", name, exc_info=True)
        self.workers.clear()

    def _check_place(self, config: ScannerConfig) -> None:
        """The kiosk or counter a scanner serves must exist, or its scans would go nowhere."""
        if config.kiosk is not None:
            kiosks = [k.get("name") for k in self.hub.centre_file.get("kiosks", [])] or ["kiosk-1"]
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
        config = self.configs[name]
        with self.app.app_context():  # the texts are translated with Flask-Babel
            result = self._use_case(config, code)
            payload = scan_payload(result, kiosk=config.kiosk, counter=config.counter)
        publish_scan_result(self.hub, payload)
        log.info("scanner %s: %r → %s", name, code, payload.get("error") or payload["kind"])
        entry = self.hub.device_status.get(_key(name), {})
        entry = {**entry, "last_scan_at": self.workers[name].status["last_scan_at"]}
        self.hub.device_status[_key(name)] = entry
        try:
            device_status.save(self.hub.store, self.hub.centre_id, _key(name), entry)
        except Exception:  # the scan itself went through; only `motcua devices` is behind
            log.warning("scanner %s: could not store the last scan time", name, exc_info=True)

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
        return ScanResult("error", error=DatabaseUnavailable("database_unavailable"))

    def _status(self, name: str, status: dict) -> None:
        previous = self.hub.device_status.get(_key(name), {})
        # A fresh worker has not scanned yet: keep the last scan of the previous run.
        last_scan = status.get("last_scan_at") or previous.get("last_scan_at")
        self._set_status(name, {**status, "last_scan_at": last_scan}, None)

    def _set_status(self, name: str, data: dict, table: dict | None) -> None:
        hub = self.hub
        key = _key(name)
        entry = {**self._entry(name, data, table), "at": _now()}
        hub.device_status[key] = entry
        try:
            device_status.save(hub.store, hub.centre_id, key, entry)
        except Exception:  # screens still get the event; the database catches up next change
            log.warning("scanner %s: could not store its status", name, exc_info=True)
        audience = (
            rooms.kiosks(hub.centre_id),
            rooms.staff(hub.centre_id),
            rooms.lobby(hub.centre_id),
        )
        hub.ctx.publish([Outgoing("device", {"id": key, **entry}, audience)])

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


def _key(name: str) -> str:
    return f"scanner:{name}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
