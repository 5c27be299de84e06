"""Shared fixtures: a real hub process on a free port, fresh PostgreSQL
databases, API and Socket.IO clients.  Tests that need PostgreSQL, Redis or
Chromium skip with a reason on a machine without them, but never under CI=true."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
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
        if not self.database_url.startswith("sqlite"):
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
    import psycopg2

    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    admin.close()  # a test may have restarted PostgreSQL: reconnect to clean up
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


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
