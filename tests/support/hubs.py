"""Hubs to test against.

- `LiveHub`: the hub's Flask app served by werkzeug in a thread of the test process, on
  a free port.  Real HTTP and WebSocket clients, real devices, a fraction of a second
  to start.  The default for integration and browser tests.
- `HubProcess`: `motcua run` in a subprocess, as an operator starts it.  Only where the
  process boundary is what is tested: SIGKILL, gevent/eventlet, several hub processes
  on one database or one Redis, the CLI.

Both start from a copy of a migrated, seeded template database (`sqlite_template`),
and have the same client helpers: `url`, `token()`, `auth()`, `session()`.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TEST_CENTRE = FIXTURES / "centre.toml"
# Added to a centre file: kiosk-1 prints on a printer that keeps what it is sent in memory.
DUMMY_KIOSK_PRINTER = """
[[printers]]
name = "kiosk-1"
url = "dummy://"

[[kiosks]]
name = "kiosk-1"
printer = "kiosk-1"
"""
ADMIN = ("admin", "test-admin-pass")
BOSS = ("truongbp", "supervisor-pass")  # the supervisor `watched_centre` adds
PG_ADMIN_URL = os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS", "redis://127.0.0.1:6379/0")
ASYNC_MODES = ("gevent", "eventlet", "threading")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# What every test hub runs with: load tests issue from one address, logins are many.
TEST_ENV = {
    "MOTCUA_SECRET_KEY": "test-secret",
    "MOTCUA_LOG_LEVEL": "WARNING",
    "MOTCUA_ISSUE_RATE_PER_MIN": "0",
    "MOTCUA_LOGIN_RATE_PER_MIN": "0",
}


def need(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, except in CI where that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


# -- template databases -------------------------------------------------------------
# Migrating a new database takes about 0.6 s (SQLite) and a `db upgrade` run about 2 s
# (PostgreSQL), and seeding hashes every user's password (0.15 s each).  So the schema
# is built once per test run and each test starts from a copy: the database a hub's
# first start would leave.
_templates: dict[str, object] = {}
MIGRATED: set[str] = set()  # PostgreSQL databases made from the template


def pg_admin(*statements: str) -> None:
    """Run statements on the maintenance database (CREATE/DROP DATABASE need autocommit)."""
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        admin.close()


@atexit.register
def _drop_templates() -> None:
    """At the end of the run (pytest, or a bench script that used HubProcess)."""
    name = _templates.get("postgres")
    if name:
        try:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        except Exception:
            pass  # PostgreSQL gone already: nothing to tidy
    if _templates.get("folder"):
        shutil.rmtree(_templates["folder"], ignore_errors=True)


@contextlib.contextmanager
def _quick_password_hashes():
    """The centre file's users get one-round PBKDF2 hashes instead of scrypt's (a tenth of
    a second and 32 MB of memory per login, hundreds of logins a test run).  The hub checks
    any werkzeug hash; passwords set through the hub itself are still scrypt."""
    from unittest import mock

    from werkzeug.security import generate_password_hash

    def quick(password: str) -> str:
        return generate_password_hash(password, method="pbkdf2:sha256:1")

    with mock.patch("kiosk.store.seed.generate_password_hash", quick):
        yield


def _migrated_empty() -> Path:
    """A migrated SQLite database without a centre: each centre's template starts as a copy
    (migrating takes about a second, and a test run meets a dozen centre files)."""
    if "empty" not in _templates:
        from kiosk.store import Store, migrate

        if "folder" not in _templates:
            _templates["folder"] = Path(tempfile.mkdtemp(prefix="motcua-template-"))
        path = _templates["folder"] / "migrated-empty.db"
        store = Store(f"sqlite:///{path}")
        migrate.upgrade(store.url)
        with store.engine.connect() as connection:  # everything in the main file
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.dispose()
        _templates["empty"] = path
    return _templates["empty"]


def sqlite_template(centre_file: Path) -> Path:
    """A migrated SQLite database already holding `centre_file`'s centre, as a hub's first
    start leaves it."""
    from kiosk.store import Store
    from kiosk.store.seed import CentreFileError, read_centre_file, seed

    try:
        data = read_centre_file(centre_file)
    except CentreFileError:
        data = None  # the hub itself must meet the bad file and say so
    if data is None:
        content = Path(centre_file).read_bytes()
    else:  # devices are not seeded: centres that differ only in their devices share one
        seeded = {k: v for k, v in data.items() if k not in ("printers", "scanners", "kiosks")}
        content = json.dumps(seeded, sort_keys=True, default=str).encode()
    key = "sqlite:" + hashlib.sha256(content).hexdigest()
    if key not in _templates:
        if "folder" not in _templates:
            _templates["folder"] = Path(tempfile.mkdtemp(prefix="motcua-template-"))
        path = _templates["folder"] / f"{key[7:23]}.db"
        shutil.copyfile(_migrated_empty(), path)
        store = Store(f"sqlite:///{path}")
        if data is not None:
            with store.write() as session, _quick_password_hashes():
                seed(session, data)
        with store.engine.connect() as connection:  # everything in the main file
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.dispose()
        _templates[key] = path
    return _templates[key]


def postgres_template() -> str:
    """The name of a migrated, empty database to CREATE DATABASE … TEMPLATE from."""
    if "postgres" not in _templates:
        from kiosk.store import Store, migrate

        name = f"motcua_template_{uuid.uuid4().hex[:10]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        store = Store(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
        migrate.upgrade(store.url)
        store.dispose()
        _templates["postgres"] = name
    return _templates["postgres"]


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


def copy_template(database_url: str, centre_file: Path) -> None:
    """A SQLite database that does not exist yet starts as the centre's template."""
    if not database_url.startswith("sqlite:///"):
        return
    path = Path(database_url[len("sqlite:///") :])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sqlite_template(centre_file), path)


@contextlib.contextmanager
def environment(values: dict):
    """os.environ with `values` set, as a hub process would see it; restored afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def hub_config(tmp: Path, database_url: str, centre_file: Path | None, env: dict | None = None):
    """The Config a hub started with TEST_ENV, `env` and this database would read."""
    from kiosk.config import Config

    with environment({**TEST_ENV, "MOTCUA_DATABASE_URL": database_url, **(env or {})}):
        return Config.from_env(
            instance_path=tmp / "instance", centre_file=str(centre_file) if centre_file else None
        )


class _ClientHelpers:
    url: str

    def token(self, username: str = ADMIN[0], password: str = ADMIN[1]) -> str:
        response = requests.post(
            f"{self.url}/api/v1/auth/token",
            json={"username": username, "password": password},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["token"]

    def auth(self) -> dict:
        """Headers of a logged-in admin (cached): for staff-only reads such as a ticket's history."""
        if getattr(self, "_admin_token", None) is None:
            self._admin_token = self.token()
        return {"Authorization": f"Bearer {self._admin_token}"}

    def session(self, username: str = ADMIN[0], password: str = ADMIN[1]) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(username, password)}"
        return session


class LiveHub(_ClientHelpers):
    """The hub served in a thread of this process (werkzeug, threading mode), on a free
    port, like `motcua run` without the process: its store, its devices (when the centre
    file lists any), its Socket.IO server.  `stop()` closes every open connection, so a
    screen notices as it would a stopped hub, and `start()` again serves the same
    database on the same port.

    Flask-SocketIO's `socketio` is one object per process: one live hub at a time
    receives broadcasts (a second one started in the same test serves HTTP only)."""

    def __init__(
        self,
        tmp: Path,
        *,
        database_url: str | None = None,
        config: Path = TEST_CENTRE,
        env: dict | None = None,
        port: int | None = None,
    ):
        self.tmp = tmp
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = config
        self.database_url = database_url or f"sqlite:///{tmp / 'hub.db'}"
        # What a `motcua run` of this hub would see; also for CLI calls against its database.
        self.env = {
            **os.environ,
            **TEST_ENV,
            "MOTCUA_DATABASE_URL": self.database_url,
            "MOTCUA_INSTANCE": str(tmp / "instance"),
            **(env or {}),
        }
        self.log_path = tmp / f"hub-{self.port}.log"
        self.app = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._sockets: weakref.WeakSet = weakref.WeakSet()
        self._log_handler: logging.Handler | None = None

    @property
    def running(self):
        """The running hub (store, ctx, devices) of the served app."""
        from kiosk.runtime.hub import EXTENSION

        return self.app.extensions[EXTENSION]

    def start(self, timeout: float = 30) -> LiveHub:
        from werkzeug.serving import make_server

        from kiosk.app import create_app
        from kiosk.extensions import socketio
        from kiosk.runtime.bootstrap import open_hub
        from kiosk.runtime.device_startup import start_devices

        copy_template(self.database_url, self.config)
        if not self.database_url.startswith("sqlite") and self.database_url not in MIGRATED:
            from kiosk.store import migrate

            migrate.upgrade(self.database_url)  # what the operator's `motcua db upgrade` does
            MIGRATED.add(self.database_url)
        config = hub_config(self.tmp, self.database_url, self.config, self.env)
        config.public_url = config.public_url or self.url  # as `motcua run` prints its address
        self._log_handler = logging.FileHandler(self.log_path, encoding="utf-8")
        self._log_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(self._log_handler)
        hub = open_hub(config)
        self.app = create_app(config, hub)
        self._socketio_server = socketio.server
        if hub.centre_file.get("printers") or hub.centre_file.get("scanners"):
            start_devices(hub)  # as `motcua run` does; a centre without devices starts none
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        accept = self._server.get_request

        def get_request():
            connection, address = accept()
            self._sockets.add(connection)
            return connection, address

        self._server.get_request = get_request
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for the next poll
            name=f"live-hub-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (Ctrl-C): devices released, connections closed, store disposed."""
        if self._server is None:
            return
        from kiosk.events import RecordingPublisher
        from kiosk.runtime.device_startup import stop_devices

        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        for connection in list(self._sockets):  # a WebSocket outlives the accept loop
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        hub = self.running
        stop_devices(hub)
        with contextlib.suppress(Exception):
            self._socketio_server.shutdown()
        # Anything of a stopped hub still running must not reach the next hub's screens
        # through the process-wide socketio; close() ends the wait watcher.
        for centre in hub.centres:
            centre.ctx.publisher = RecordingPublisher()
        hub.close()
        logging.getLogger().removeHandler(self._log_handler)
        self._log_handler.close()
        self._server = None

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""


class HubProcess(_ClientHelpers):
    """`motcua run` in a subprocess, as an operator would start it."""

    def __init__(
        self,
        tmp: Path,
        *,
        async_mode: str = "threading",
        database_url: str | None = None,
        config: Path = TEST_CENTRE,
        env: dict | None = None,
        port: int | None = None,
    ):
        self.tmp = tmp
        self.async_mode = async_mode
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = config
        self.database_url = database_url or f"sqlite:///{tmp / 'hub.db'}"
        self.env = {
            **os.environ,
            **TEST_ENV,
            "MOTCUA_ASYNC_MODE": async_mode,
            "MOTCUA_DATABASE_URL": self.database_url,
            "MOTCUA_INSTANCE": str(tmp / "instance"),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.log_path = tmp / f"hub-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> HubProcess:  # a busy 2-core machine is slow
        self.log = open(self.log_path, "ab")
        copy_template(self.database_url, self.config)
        if not self.database_url.startswith("sqlite") and self.database_url not in MIGRATED:
            # Production databases are migrated by the operator, not by `run`.
            subprocess.run(
                [sys.executable, "-m", "kiosk", "db", "upgrade"],
                cwd=self.tmp,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "run",
                "--config",
                str(self.config),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.tmp,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited early:\n{self.logs()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hub did not start in {timeout}s:\n{self.logs()}")

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""


def in_process_app(
    tmp: Path, database_url: str, centre_file: Path, hubs: list, env=None, **overrides
):
    """The Flask app of a hub opened in this process on an already seeded database: no
    migration, no devices (the `app` fixtures); the hub is appended to `hubs` to close."""
    from kiosk.app import create_app
    from kiosk.runtime.bootstrap import open_hub

    config = hub_config(tmp, database_url, centre_file, env)
    config.auto_migrate = False
    config.devices_enabled = False
    config.testing = True
    for key, value in overrides.items():
        setattr(config, key, value)
    hub = open_hub(config)
    hubs.append(hub)
    return create_app(config, hub)
