"""What a running hub holds, built by `bootstrap.open_hub` and reached by routes
through `kiosk.runtime.current_hub()`.

Process-wide things (config, store, rate limiters, device services, paired
screens' presence) sit on `Hub`; everything that belongs to one centre (its
id, queue context, centre file, device status, wait watcher) is grouped in a
`ServedCentre`.  Every hub process serves every centre of its database (a
province: CONTRACT.md, "Several centres in one installation"): `hub.centres`,
`hub.centre(code)`, `hub.centre_by_id(id)`, `hub.centre_for_host(name)`.  A
request's or socket's own centre is `kiosk.runtime.current_centre()`.

Centres added while the hub runs (`motcua centre add`) are found without a restart:
a code or host name this process does not know makes it read the database's
centres again (`refresh`), at most once every LOOK_S seconds, so a new centre is
served within LOOK_S of being added while a stream of unknown names (every request
on a host name that is no centre's) costs one small read per LOOK_S.  Reading on
demand keeps idle processes quiet and needs no background task.

`default_centre` is the centre of unprefixed addresses on a host name that is no
centre's (the only one, or MOTCUA_CENTRE), and the one whose printers and scanners
this process drives.  `hub.ctx`, `hub.centre_id`… are its parts; read during a
request for another centre they raise, so that no request handler silently uses
the default centre's data (use `current_centre()`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import g, has_request_context

from kiosk.config import Config
from kiosk.ratelimit import RateLimiter
from kiosk.runtime.admission import SubscribeGate
from kiosk.store import Store
from kiosk.usecases import device_config
from kiosk.usecases.context import QueueContext

if TYPE_CHECKING:
    from flask import Flask

EXTENSION = "motcua"  # app.extensions key, set by Hub.init_app
LOOK_S = 2.0  # an unknown centre code or host name reads the centres again at most this often
log = logging.getLogger("motcua")


@dataclass
class ServedCentre:
    """One centre this process serves."""

    centre_id: int
    code: str
    ctx: QueueContext
    centre_file: dict = field(default_factory=dict)  # as read at start; devices: device_config
    device_status: dict = field(default_factory=dict)  # this process's view of its devices
    wait_watcher: object | None = None  # alerts.WaitWatcher, set by open_hub
    # (read at, value) of the centre's "devices must be paired" setting: kiosk/access.py
    tokens_required_cache: tuple[float, bool] | None = None

    @property
    def kiosks(self) -> list[dict]:
        """The centre's kiosks ({name, printer}); a centre that lists none has one, "kiosk-1".
        At most device_config.CACHE_S old when changed by another process."""
        return device_config.cached(self.ctx).kiosk_tables


@dataclass
class Hub:
    config: Config
    store: Store
    default_centre: ServedCentre
    sockets: object  # publisher.SocketIOPublisher: every centre's events go out through it
    printing: object | None = None  # print_service.PrintService once devices started
    scanning: object | None = None  # scanner_service.ScannerService once devices started
    device_watch: object | None = None  # device_startup.DeviceWatch once devices started
    presence: object | None = None  # presence.Presence, set by open_hub
    issue_limiter: RateLimiter | None = None
    login_limiter: RateLimiter | None = None
    # At most a few snapshots built at a time (runtime/admission.py: a reconnect storm).
    subscribe_gate: SubscribeGate = field(default_factory=SubscribeGate)
    app: Flask | None = None  # set by init_app; background tasks enter its context
    # Makes the ServedCentre of a centre found in the database (open_hub's builder).
    build_centre: Callable[[int], ServedCentre] | None = None
    # Every centre served, by id and by code; host name → centre id.  Replaced, never
    # changed in place, so a request reading them needs no lock.
    served: dict[int, ServedCentre] = field(default_factory=dict)
    by_code: dict[str, ServedCentre] = field(default_factory=dict)
    host_ids: dict[str, int] = field(default_factory=dict)
    _looked_at: float = float("-inf")
    _looking: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.issue_limiter is None:
            self.issue_limiter = RateLimiter(self.config.issue_rate_per_min, 60)
        if self.login_limiter is None:
            self.login_limiter = RateLimiter(self.config.login_rate_per_min, 60)
        self.served = {self.default_centre.centre_id: self.default_centre, **self.served}
        self.by_code = {c.code: c for c in self.served.values()}

    # -- the centres this process serves ------------------------------------------------
    @property
    def centres(self) -> list[ServedCentre]:
        """Every centre served, oldest first."""
        return [self.served[key] for key in sorted(self.served)]

    def centre(self, code: str) -> ServedCentre | None:
        """The centre with this code, or None (looked for in the database first when new)."""
        found = self.by_code.get(code)
        if found is None and self.refresh():
            found = self.by_code.get(code)
        return found

    def centre_by_id(self, centre_id: int) -> ServedCentre | None:
        if centre_id not in self.served:
            self.refresh()
        return self.served.get(centre_id)

    def centre_for_host(self, name: str | None) -> ServedCentre | None:
        """The centre whose `hosts` lists this host name (lower case, no port), or None."""
        if not name:
            return None
        centre_id = self.host_ids.get(name)
        if centre_id is None and self.refresh():
            centre_id = self.host_ids.get(name)
        return self.served.get(centre_id) if centre_id is not None else None

    def refresh(self, force: bool = False) -> bool:
        """Read the database's centres and host names again (at most every LOOK_S unless
        `force`), serving any centre new to this process; True when it read them."""
        from kiosk.usecases import centres

        if not force and time.monotonic() - self._looked_at < LOOK_S:
            return False
        if not self._looking.acquire(blocking=force):
            return False  # another request is reading them now: use what is known
        try:
            self._looked_at = time.monotonic()
            try:
                directory = centres.directory(self.store)
            except Exception:  # the database is away: keep serving the centres known
                log.warning("reading the centres failed; serving those known", exc_info=True)
                return False
            served = dict(self.served)
            for centre_id, code in sorted(directory.codes.items()):
                if centre_id not in served and self.build_centre is not None:
                    try:
                        served[centre_id] = self.build_centre(centre_id)
                    except Exception:  # one broken centre must not stop the others
                        log.exception("could not serve centre %s", code)
                        continue
                    log.info("serving centre %s", code)
            self.served = served
            self.by_code = {c.code: c for c in served.values()}
            self.host_ids = {h: c for h, c in directory.hosts.items() if c in served}
            return True
        finally:
            self._looking.release()

    def init_app(self, app: Flask) -> None:
        """Make this the hub of `app` (what `current_hub()` returns there)."""
        self.app = app
        app.extensions[EXTENSION] = self
        self.sockets.send_held()  # what open_hub published (after socketio.init_app)

    def close(self) -> None:
        """Stop this hub's background work and release the database (tests open many hubs
        in one process; `motcua run` exits anyway).  Devices stop through stop_devices."""
        for centre in self.centres:
            if centre.wait_watcher is not None:
                centre.wait_watcher.stop()
        self.store.dispose()

    def app_context(self) -> AbstractContextManager:
        """For background tasks (device workers, watchers) that translate texts."""
        return self.app.app_context() if self.app is not None else nullcontext()

    # The default centre's parts, as background work (device services, the device owner)
    # reads them.  A request handler reads its own centre's: kiosk.runtime.current_centre().
    def _default(self) -> ServedCentre:
        if has_request_context():
            asked = g.get("centre")
            if asked is not None and asked is not self.default_centre:
                raise RuntimeError(
                    f"the default centre's parts read while serving centre {asked.code}: "
                    "use kiosk.runtime.current_centre()"
                )
        return self.default_centre

    @property
    def centre_id(self) -> int:
        return self._default().centre_id

    @property
    def ctx(self) -> QueueContext:
        return self._default().ctx

    @property
    def centre_file(self) -> dict:
        return self._default().centre_file

    @property
    def device_status(self) -> dict:
        return self._default().device_status

    @property
    def kiosks(self) -> list[dict]:
        return self._default().kiosks
