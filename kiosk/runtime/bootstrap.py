"""Opening the running hub: `open_hub(config)`, the one step between a
configuration and a hub that create_app can serve.

It opens the store (migrating it when asked), reads the centre file and seeds
an empty database from it, builds each served centre's queue context with its
publishers (Socket.IO, supervisor alerts) and the after-issue print hint, and
closes the earlier business days.  It starts no device:
`device_startup.start_devices` is its own explicit step (`motcua run`,
`kiosk.wsgi`, `motcua devices run`).  Every centre of the database is served
(the default one: MOTCUA_CENTRE, else the oldest); a centre added later is
built by the same `_serve` when a request first names it (Hub.refresh).
"""

from __future__ import annotations

import logging

from display.announcer import voice_announcer
from kiosk.config import Config
from kiosk.core import citizen_id
from kiosk.core.errors import DomainError
from kiosk.extensions import socketio
from kiosk.hosts import request_base_url
from kiosk.messages import message, reader_language
from kiosk.runtime.alerts import AlertingPublisher, WaitWatcher
from kiosk.runtime.device_startup import print_hint
from kiosk.runtime.hub import Hub, ServedCentre
from kiosk.runtime.presence import Presence
from kiosk.runtime.province_feed import ProvincePublisher
from kiosk.runtime.publisher import SocketIOPublisher
from kiosk.runtime.webhook import webhook_notifier
from kiosk.store import Store, migrate
from kiosk.store import repository as repo
from kiosk.store.seed import CentreFileError, read_centre_file, seed
from kiosk.usecases import device_config
from kiosk.usecases.appointments import rekey_stored_ids
from kiosk.usecases.closing import close_earlier_days
from kiosk.usecases.context import QueueContext

log = logging.getLogger("motcua")


class NoCentre(SystemExit):
    pass


def open_hub(config: Config) -> Hub:
    """Open the store and build the running hub for `config` (see the module doc)."""
    store = Store(config.database_url, config.db_pool_size, config.db_max_overflow)
    if config.auto_migrate:
        migrate.upgrade_if_behind(store.url, store.engine)
    centre_file = (
        read_centre_file(config.centre_file, config.instance_path) if config.centre_file else {}
    )
    with store.write() as session:
        row = repo.centre_by_code(session, config.centre_code or None)
        if row is None and centre_file:
            row = seed(session, centre_file)
            log.info("loaded centre %s from %s", row.code, config.centre_file)
        if row is None:
            raise NoCentre(
                "No centre in the database. Start with --config examples/demo-centre.toml "
                "(or set MOTCUA_CONFIG) to load one."
            )
        centre_id = row.id
    sockets = SocketIOPublisher(socketio)
    centre = _centre(config, store, sockets, centre_id, centre_file)
    if centre_file:
        # The file's devices are stored on a centre's first load; then /admin/devices owns them.
        try:
            device_config.seed_from_file(centre.ctx, centre_file)
        except DomainError as error:
            where = config.centre_file
            raise CentreFileError(f"{where}: {message(error.code, **error.params)}") from None
    hub = Hub(config=config, store=store, default_centre=centre, sockets=sockets)
    hub.presence = Presence(hub)
    _serve(hub, centre)
    hub.build_centre = lambda other_id: _serve(hub, _centre(config, store, sockets, other_id))
    hub.refresh(force=True)  # every other centre of the database, and the host names
    return hub


def _centre(
    config: Config, store: Store, sockets, centre_id: int, centre_file: dict | None = None
) -> ServedCentre:
    """A centre's queue context (publishing through Socket.IO), not yet served."""
    with store.read() as session:
        row = session.get(repo.CentreRow, centre_id)
        code, timezone = row.code, row.timezone
        languages = tuple((row.settings or {}).get("languages", ("vi", "en")))
    ctx = QueueContext(
        store=store,
        publisher=sockets,
        centre_id=centre_id,
        timezone=timezone,
        public_url=config.public_url,
        public_url_fallback=request_base_url,  # only a host name on the allowed list
        languages=languages,
        # the call's text and voice clips, shipped or recorded (display/announcer.py)
        announce=voice_announcer(store, centre_id),
        reader_language=reader_language,  # a ticket prints in the language it was taken in
        timezone_loader=lambda: _centre_timezone(store, centre_id),
        identity_key=citizen_id.identity_key(config.secret_key),
        notifier=webhook_notifier(),  # remote numbers' outward notices (docs/remote.md)
    )
    return ServedCentre(centre_id=centre_id, code=code, ctx=ctx, centre_file=centre_file or {})


def _serve(hub: Hub, centre: ServedCentre) -> ServedCentre:
    """Serve `centre` in this hub: alerts, the print hint, earlier days closed."""
    ctx = centre.ctx
    centre.wait_watcher = WaitWatcher(hub, centre)
    ctx.publisher = AlertingPublisher(ctx.publisher, hub, centre)  # device problems → alerts
    ctx.publisher = ProvincePublisher(ctx.publisher, centre.code)  # the province room
    ctx.after_issue.append(print_hint(hub, centre))
    close_earlier_days(ctx)  # yesterday's waiting tickets are marked, never called today
    rekey_stored_ids(ctx)  # ID numbers of bookings made before they were keyed
    return centre


def _centre_timezone(store: Store, centre_id: int) -> str:
    with store.read() as session:
        return session.get(repo.CentreRow, centre_id).timezone
