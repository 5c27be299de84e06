"""Shared fixtures, from the fastest layer to the slowest:

- `ctx` + `clock`: a QueueContext on the template database with a recording publisher
  and a scripted clock, for use cases without Flask.
- `app`, `client`, `sio`, `login`: the Flask app in this process (flaskr's shape), on a
  copy of the migrated template database, devices off; Flask's test client and
  Flask-SocketIO's test client.
- `hub`, `hub_factory`: the same app served on a free port in a thread (LiveHub), for
  real HTTP and WebSocket clients and the browser.
- `hub_process_factory`: `motcua run` in a subprocess (HubProcess), only where the
  process boundary is what is tested.

Tests that need PostgreSQL, Redis or Chromium skip with a reason on a machine without
them, but never under CI=true."""

from __future__ import annotations

import shutil
import signal
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.clients import csrf_token
from tests.support.hubs import (  # noqa: F401  (re-exported for bench/ and older imports)
    ADMIN,
    ASYNC_MODES,
    BOSS,
    FIXTURES,
    IN_CI,
    MIGRATED,
    PG_ADMIN_URL,
    REDIS_URL,
    ROOT,
    TEST_CENTRE,
    HubProcess,
    LiveHub,
    chromium_path,
    copy_template,
    free_port,
    hub_config,
    in_process_app,
    need,
    pg_admin,
    postgres_available,
    postgres_template,
    sqlite_template,
)

# Modules whose tests take longest (seconds summed over a module in a CI run of four
# workers on a busy 2-core machine, load average 8), heaviest first: `make test` runs with
# --no-loadscope-reorder, so the workers take these first and fill in with the short
# modules, and finish together instead of one waiting for another's last long module
# (xdist's own order, by test count, ran the one-test soak last, alone).
LONG_FIRST = (
    "test_screens.py",  # 62 s, in two scopes (a class has its own)
    "test_scale_out.py",  # 56 s
    "test_concurrency.py",  # 47 s
    "test_crash.py",  # 34 s
    "test_stalled_sockets.py",  # 33 s
    "test_printing.py",  # 30 s
    "test_cli.py",  # 28 s
    "test_agent.py",  # 26 s
    "test_fuzz_api.py",  # 25 s
    "test_kiosk.py",  # 24 s
    "test_voice_recording.py",  # 24 s
    "test_centres.py",  # 23 s
    "test_kiosk_touch.py",  # 23 s
    "test_scanners.py",  # 23 s
    "test_csp.py",  # 21 s
    "test_soak.py",  # 18 s
    "test_xss.py",  # 18 s
    "test_gunicorn.py",  # 17 s
    "test_access_matrix.py",  # 17 s
    "test_realtime.py",  # 17 s
    "test_province_reports.py",  # 14 s
    "test_kiosk_scanner.py",  # 14 s
    "test_hub_away.py",  # 13 s
    "test_lobby_voices.py",  # 13 s
    "test_fanout.py",  # 11 s
    "test_kiosk_read_aloud.py",  # 11 s
    "test_supervisor.py",  # 11 s
    "test_fuzz_socketio.py",  # 10 s
)


@pytest.hookimpl(trylast=True)  # after pytest has grouped tests by module-scoped hubs
def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: the rest keeps its order


# -- PostgreSQL ---------------------------------------------------------------------
@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    need(postgres_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template()}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    MIGRATED.add(url)
    yield url
    # a fresh connection: the test may have restarted PostgreSQL.  FORCE ends the
    # sessions left and drops in one step: a pool that reconnected between a separate
    # pg_terminate_backend and the DROP made it fail ("being accessed by other users").
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("postgres_url")


# -- use cases without Flask --------------------------------------------------------
class ScriptedClock:
    """The time a use case reads, set by the test: `clock.now = …`, `clock.advance(minutes=5)`."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float = 0, **delta: float) -> datetime:
        self.now += timedelta(minutes=minutes, **delta)
        return self.now


@pytest.fixture
def clock() -> ScriptedClock:
    """Monday 4 March 2024, 08:00 at the test centre (Asia/Ho_Chi_Minh)."""
    return ScriptedClock(datetime(2024, 3, 4, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


@pytest.fixture
def ctx(tmp_path, clock):
    """The test centre's QueueContext: template database copy, RecordingPublisher
    (`ctx.publisher.sent`), the scripted clock."""
    from kiosk.events import RecordingPublisher
    from kiosk.store import Store
    from kiosk.store import repository as repo
    from kiosk.usecases.context import QueueContext

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    copy_template(url, TEST_CENTRE)
    store = Store(url)
    with store.read() as session:
        centre = repo.centre_by_code(session, None)
        centre_id, timezone = centre.id, centre.timezone
    yield QueueContext(
        store=store,
        publisher=RecordingPublisher(),
        centre_id=centre_id,
        timezone=timezone,
        clock=clock,
        public_url="http://hub.test",
    )
    store.dispose()


@pytest.fixture
def day(ctx, clock):
    """(ctx, clock, publisher) at 07:30 on Monday 23 November 2026, before anyone came."""
    clock.now = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return ctx, clock, ctx.publisher


# -- the app in this process --------------------------------------------------------
@pytest.fixture
def app_factory(tmp_path):
    """create_app on a copy of the template database: no migration, no devices."""
    made = []

    def make(centre_file=TEST_CENTRE, env: dict | None = None, database_url=None, **overrides):
        """`database_url` opens a second app on an existing hub's database (no copy)."""
        if database_url is None:
            database_url = f"sqlite:///{tmp_path / f'app-{len(made)}.db'}"
            copy_template(database_url, centre_file)
        return in_process_app(tmp_path, database_url, centre_file, made, env, **overrides)

    yield make
    for hub in made:
        hub.close()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login():
    """login(client, username, password): logs the test client in through /login, as a
    browser does (CSRF token included); returns the response."""

    def log_in(client, username: str = ADMIN[0], password: str = ADMIN[1]):
        token = csrf_token(client, "/login")
        return client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    return log_in


@pytest.fixture
def bearer(app):
    """bearer(username, password) → Authorization headers of an API token (asked for
    without cookies, as an integrator does)."""
    anonymous = app.test_client(use_cookies=False)

    def headers(username: str = ADMIN[0], password: str = ADMIN[1]) -> dict:
        response = anonymous.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return headers


@pytest.fixture
def sio_factory(app, client):
    """Extra Socket.IO test clients (screens) of `app`; sio_factory(client=c) shares
    a Flask test client's cookies (a logged-in browser)."""
    from kiosk.extensions import socketio

    made = []

    def make(flask_client=None, headers: dict | None = None):
        connection = socketio.test_client(
            app, flask_test_client=flask_client or client, headers=headers
        )
        made.append(connection)
        return connection

    yield make
    for connection in made:
        if connection.is_connected():
            connection.disconnect()


@pytest.fixture
def sio(sio_factory):
    return sio_factory()


# -- a real server ------------------------------------------------------------------
@pytest.fixture
def hub_factory(tmp_path):
    """LiveHub(**kwargs) started: the app served on a free port in this process."""
    started: list[LiveHub] = []

    def make(**kwargs) -> LiveHub:
        hub = LiveHub(tmp_path, **kwargs)
        started.append(hub)
        return hub.start()

    yield make
    for hub in reversed(started):
        hub.stop()


@pytest.fixture
def hub(hub_factory) -> LiveHub:
    """The test centre served in this process: real HTTP and WebSocket clients."""
    return hub_factory()


@pytest.fixture
def admin(hub) -> requests.Session:
    return hub.session()


@pytest.fixture
def hub_process_factory(tmp_path):
    """HubProcess(**kwargs) started: `motcua run` in a subprocess (async modes, crashes,
    several processes, the CLI)."""
    started: list[HubProcess] = []
    # Hubs of one test share a Redis channel; tests running at once (pytest -n) do not.
    channel = f"motcua-test-{uuid.uuid4().hex[:10]}"

    def make(**kwargs) -> HubProcess:
        kwargs["env"] = {"MOTCUA_MESSAGE_CHANNEL": channel, **(kwargs.get("env") or {})}
        hub = HubProcess(tmp_path, **kwargs)
        started.append(hub)
        return hub.start()

    yield make
    for hub in started:
        # SIGTERM ends the process at once (coverage still saves its data): Ctrl-C would
        # spend a second or more on the interpreter's last garbage collection.
        hub.stop(signal.SIGTERM)


@pytest.fixture(scope="module")
def module_hub_process_factory(tmp_path_factory):
    """HubProcess(**kwargs) started once for the tests of one module (a subprocess start
    costs seconds).  Every test sharing it must leave what the others assert unchanged.
    `make test` distributes whole modules (--dist loadscope), so one worker starts it."""
    started: list[HubProcess] = []
    channel = f"motcua-test-{uuid.uuid4().hex[:10]}"

    def make(**kwargs) -> HubProcess:
        kwargs["env"] = {"MOTCUA_MESSAGE_CHANNEL": channel, **(kwargs.get("env") or {})}
        hub = HubProcess(tmp_path_factory.mktemp("hub"), **kwargs)
        started.append(hub)
        return hub.start()

    yield make
    for hub in started:
        hub.stop(signal.SIGTERM)


# -- devices ------------------------------------------------------------------------
@pytest.fixture
def printer():
    """A virtual network printer (tests/devices/virtual_printer.py), stopped afterwards."""
    from tests.devices.virtual_printer import VirtualPrinter

    virtual = VirtualPrinter().start()
    yield virtual
    virtual.stop()


@pytest.fixture
def watched_centre(hub_factory, tmp_path, printer):
    """A live hub whose field HT has a 2-second target (so a test can pass it), a printer,
    and a supervisor (BOSS)."""
    from sqlalchemy import select

    from kiosk.store import Store
    from kiosk.store import repository as repo
    from kiosk.store.seed import add_user
    from kiosk.store.tables import ServiceRow
    from tests.support.devices import centre_with_printers

    config = centre_with_printers(tmp_path, {"kiosk-1": printer})
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    copy_template(url, config)
    store = Store(url)
    with store.write() as session:
        centre_id = repo.centre_by_code(session, None).id
        ht = session.execute(select(ServiceRow).where(ServiceRow.code == "HT")).scalar_one()
        ht.target_wait_s = 2
        add_user(session, centre_id, *BOSS, "supervisor")
    store.dispose()
    return hub_factory(config=config)


@pytest.fixture
def ptys(tmp_path):
    """Start socat pty pairs by name (a scanner plugged in); all killed after the test."""
    from tests.devices.pty_pair import SocatPair

    need(shutil.which("socat") is not None, "needs socat (apt-get install socat)")
    pairs: list = []

    def start(name: str):
        pair = SocatPair(tmp_path, name).start()
        pairs.append(pair)
        return pair

    yield start
    for pair in pairs:
        pair.kill()
