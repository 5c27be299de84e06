"""Shared fixtures: a real hub process on a free port, fresh PostgreSQL
databases, API and Socket.IO clients.  Tests that need PostgreSQL, Redis or
Chromium skip with a reason on a machine without them, but never under CI=true."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_CENTRE = FIXTURES / "centre.toml"
ADMIN = ("admin", "test-admin-pass")
PG_ADMIN_URL = os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS", "redis://127.0.0.1:6379/0")
ASYNC_MODES = ("gevent", "eventlet", "threading")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


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


# Migrating a new database takes a hub about 0.6 s (SQLite) and a `db upgrade` run about
# 2 s (PostgreSQL); the suite starts ~200 hubs.  So the schema is built once per test run
# and each test starts from a copy: the same empty, migrated database the hub would make.
_templates: dict[str, object] = {}
_MIGRATED: set[str] = set()  # PostgreSQL databases made from the template


def _pg_admin(*statements: str) -> None:
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
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        except Exception:
            pass  # PostgreSQL gone already: nothing to tidy
    if _templates.get("folder"):
        shutil.rmtree(_templates["folder"], ignore_errors=True)


def _sqlite_template(centre_file: Path) -> Path:
    """A migrated SQLite database already holding `centre_file`'s centre, as a hub's first
    start leaves it (seeding hashes every user's password: 0.15 s each)."""
    import hashlib

    from kiosk.store import Store, migrate
    from kiosk.store.seed import CentreFileError, read_centre_file, seed

    content = Path(centre_file).read_bytes()
    key = "sqlite:" + hashlib.sha256(content).hexdigest()
    if key not in _templates:
        if "folder" not in _templates:
            _templates["folder"] = Path(tempfile.mkdtemp(prefix="motcua-template-"))
        path = _templates["folder"] / f"{key[7:23]}.db"
        store = Store(f"sqlite:///{path}")
        migrate.upgrade(store.url)
        try:
            data = read_centre_file(centre_file)
        except CentreFileError:
            data = None  # the hub itself must meet the bad file and say so
        if data is not None:
            with store.write() as session:
                seed(session, data)
        with store.engine.connect() as connection:  # everything in the main file
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.dispose()
        _templates[key] = path
    return _templates[key]


def _postgres_template() -> str:
    """The name of a migrated, empty database to CREATE DATABASE … TEMPLATE from."""
    if "postgres" not in _templates:
        from kiosk.store import Store, migrate

        name = f"motcua_template_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        store = Store(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
        migrate.upgrade(store.url)
        store.dispose()
        _templates["postgres"] = name
    return _templates["postgres"]


class HubProcess:
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
            "MOTCUA_ASYNC_MODE": async_mode,
            "MOTCUA_DATABASE_URL": self.database_url,
            "MOTCUA_INSTANCE": str(tmp / "instance"),
            "MOTCUA_SECRET_KEY": "test-secret",
            "MOTCUA_LOG_LEVEL": "WARNING",
            "MOTCUA_ISSUE_RATE_PER_MIN": "0",  # load tests issue from one address
            "MOTCUA_LOGIN_RATE_PER_MIN": "0",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.log_path = tmp / f"hub-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> HubProcess:
        self.log = open(self.log_path, "ab")
        path = Path(self.database_url[len("sqlite:///") :])
        if self.database_url.startswith("sqlite:///") and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_sqlite_template(self.config), path)
        if not self.database_url.startswith("sqlite") and self.database_url not in _MIGRATED:
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

    # -- client helpers ---------------------------------------------------
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


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    need(postgres_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template()}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    _MIGRATED.add(url)
    yield url
    # a fresh connection: the test may have restarted PostgreSQL
    _pg_admin(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def hub_factory(tmp_path):
    started: list[HubProcess] = []

    def make(**kwargs) -> HubProcess:
        hub = HubProcess(tmp_path, **kwargs)
        started.append(hub)
        return hub.start()

    yield make
    for hub in started:
        hub.stop()


@pytest.fixture
def hub(hub_factory) -> HubProcess:
    """A hub in threading mode on SQLite: the quickest real server."""
    return hub_factory()


@pytest.fixture
def admin(hub) -> requests.Session:
    return hub.session()


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
