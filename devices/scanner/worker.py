"""One background worker per serial scanner: reads codes, survives unplugging, reports.

The worker answers through two callbacks, both called from its own greenlet
or thread (never from the native reading thread):

- `on_scan(name, code)` for every complete, cleaned, non-duplicate code;
- `on_status(name, status)` whenever state, error or path changes, and once
  after the first attempt to open.  `status` is a dict
  {state: "online"|"offline"|"error", error, last_scan_at, path}; the same
  dict, always current (last_scan_at included), is `worker.status`.

Every pyserial call (open, read, close, and the /sys lookups) goes through
`devices.blocking.run_blocking`, and a read waits at most `read_timeout_s`,
so a silent scanner occupies one native thread for a moment at a time and
never the event loop.  A slow `on_scan` only delays reading: the bytes wait
in the kernel's buffer, nothing is lost.

Unplugging shows up as a read error (or the device path vanishing): the
worker drops the unfinished line, closes the port, reports "offline" and
tries to open it again every `retry_s`, by the configured URL (a udev
symlink or hwgrep:// finds the device wherever it comes back) and, for a
plain path, also by the USB identity of the port it had open.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import serial

from devices.blocking import Loop, run_blocking
from devices.scanner.config import ScannerConfig
from devices.scanner.duplicates import DuplicateGuard
from devices.scanner.framing import LineFramer
from devices.scanner.ports import UsbIdentity, find_usb_ports, usb_identity
from devices.scanner.privacy import loggable

log = logging.getLogger(__name__)

# Not a fault of the cable: someone has to act (permissions, another program holding the port).
_NEEDS_A_PERSON = {
    errno.EACCES: "permission denied (is the hub's user in the dialout group?)",
    errno.EPERM: "permission denied (is the hub's user in the dialout group?)",
    errno.EBUSY: "in use by another program",
    errno.EAGAIN: "in use by another program (locked)",
}


class ScannerWorker(Loop):
    """Owns one scanner's port; `start()`, `stop()`, `status`."""

    def __init__(
        self,
        config: ScannerConfig,
        on_scan: Callable[[str, str], object] | None = None,
        on_status: Callable[[str, dict], object] | None = None,
        *,
        retry_s: float = 0.5,
        read_timeout_s: float = 0.2,
    ) -> None:
        super().__init__()
        self.config = config
        self.name = config.name
        self.on_scan = on_scan or (lambda name, code: None)
        self.on_status = on_status or (lambda name, status: None)
        self.retry_s = retry_s
        self.read_timeout_s = read_timeout_s
        self._framer = LineFramer.from_config(config)
        self._guard = DuplicateGuard(config.duplicate_window_s)
        self._identity: UsbIdentity | None = None
        self._status: dict = {"state": "offline", "error": None, "last_scan_at": None, "path": None}
        self._reported: tuple | None = None
        # Created here, not at import, so under gevent/eventlet it is the patched, cooperative kind.
        self._stopping = threading.Event()

    @property
    def status(self) -> dict:
        """A copy of the current status: {state, error, last_scan_at, path}."""
        return dict(self._status)

    def stop(self, wait_s: float = 5.0) -> None:
        """Stop within one read timeout and close the port."""
        self._stopping.set()
        self._join(wait_s)

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        port = None
        try:
            while not self._stopping.is_set():
                if port is None:
                    port = self._connect()
                    if port is None:
                        self._stopping.wait(self.retry_s)
                    continue
                try:
                    data = run_blocking(_read_some, port)
                except (
                    Exception
                ) as error:  # SerialException, OSError, or pyserial tripping over a dead fd
                    self._disconnected(port, error)
                    port = None
                    self._stopping.wait(self.retry_s)
                    continue
                if data:
                    self._handle(data)
        except Exception:  # pragma: no cover - a bug; keep the hub alive and say so
            log.exception("scanner %s: worker stopped by an error", self.name)
        finally:
            try:
                if port is not None:
                    _close(port)
            finally:
                self._done.set()

    def _connect(self) -> serial.SerialBase | None:
        try:
            port = run_blocking(self._open)
        except Exception as error:
            state, message = _describe(error)
            self._set_status(state, message)
            return None
        path = port.port if isinstance(port.port, str) else self.config.url
        self._set_status("online", None, path)
        return port

    def _open(self) -> serial.SerialBase:
        """Open the configured URL, or the same USB device on a new path (native thread)."""
        url = self.config.url
        try:
            port = self._open_url(url)
        except serial.SerialException as error:
            if "://" in url or self._identity is None or os.path.exists(url):
                raise
            port = self._open_same_device(error)
        if isinstance(port.port, str) and "://" not in port.port:
            self._identity = usb_identity(port.port) or self._identity
        return port

    def _open_same_device(self, error: serial.SerialException) -> serial.SerialBase:
        for path in find_usb_ports(self._identity):
            try:
                port = self._open_url(path)
            except serial.SerialException:
                continue
            log.info(
                "scanner %s: %s is gone; found the same device at %s",
                self.name,
                self.config.url,
                path,
            )
            return port
        raise error

    def _open_url(self, url: str) -> serial.SerialBase:
        # exclusive: a second hub process reading the same scanner would steal half the bytes.
        return serial.serial_for_url(
            url,
            baudrate=self.config.baudrate,
            timeout=self.read_timeout_s,
            exclusive=True,
        )

    def _handle(self, data: bytes) -> None:
        framed = self._framer.feed(data)
        for warning in framed.warnings:
            log.warning("scanner %s: %s", self.name, warning)
        for code in framed.codes:
            if not self._guard.accept(code):
                log.info(
                    "scanner %s: %s again within %.1f s, counted once",
                    self.name,
                    loggable(code),
                    self._guard.window_s,
                )
                continue
            self._status["last_scan_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            self._call(self.on_scan, self.name, code)

    def _disconnected(self, port: serial.SerialBase, error: Exception) -> None:
        dropped = self._framer.drop_partial()
        if dropped.strip():
            log.warning(
                "scanner %s: dropped the unfinished code %s: the port went away",
                self.name,
                loggable(dropped[:64]),
            )
        _close(port)
        self._set_status("offline", str(error) or type(error).__name__)

    def _set_status(self, state: str, error: str | None, path: str | None = None) -> None:
        self._status.update(state=state, error=error)
        if path is not None:
            self._status["path"] = path
        key = (state, error, self._status["path"])
        if key == self._reported:
            return
        self._reported = key
        if state == "online":
            log.info("scanner %s: online at %s", self.name, self._status["path"])
        else:
            log.warning("scanner %s: %s: %s", self.name, state, error)
        self._call(self.on_status, self.name, self.status)

    def _call(self, callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception:  # the hub's handler failing must not stop the scanner
            log.exception("scanner %s: callback %r failed", self.name, callback)


def _read_some(port: serial.SerialBase) -> bytes:
    """Wait up to the port's timeout for bytes; return all that are there (native thread)."""
    data = port.read(1)
    if not data:
        # A vanished node with no read error: a udev symlink removed, a pty whose far end is gone.
        path = port.port
        if isinstance(path, str) and "://" not in path and not os.path.exists(path):
            raise serial.SerialException(f"{path} is gone")
        return data
    try:
        waiting = port.in_waiting
        if waiting:
            data += port.read(waiting)
    except Exception:  # keep the bytes already read; the next read reports the failure
        pass
    return data


def _close(port: serial.SerialBase) -> None:
    try:
        run_blocking(port.close)
    except Exception:  # closing a port that is already gone may fail; it is closed either way
        log.debug("closing %s failed", port.port, exc_info=True)


def _describe(error: Exception) -> tuple[str, str]:
    """(state, message) for a failed open: "error" when a person must act, else "offline"."""
    if isinstance(error, ValueError):  # a URL or option pyserial rejects
        return "error", str(error)
    hint = _NEEDS_A_PERSON.get(getattr(error, "errno", None))
    if hint:
        return "error", f"{error} — {hint}"
    return "offline", str(error) or type(error).__name__
