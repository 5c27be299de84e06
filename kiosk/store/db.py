"""The database engine and transactions.

SQLite (the embedded default) runs in WAL mode; every write transaction
starts with BEGIN IMMEDIATE *and* holds a process-wide lock.  The lock is a
`threading.RLock` created after monkey-patching, so under gevent and eventlet
it is a green lock: a greenlet waiting for it yields, instead of sitting in
SQLite's C busy-wait, which would freeze the whole hub and the greenlet
holding the database.  PostgreSQL needs no process lock: row locks do the
serialising and psycogreen makes libpq's waits cooperative.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        return Path(url[len(prefix) :])
    return None


def normalise_url(url: str) -> str:
    """postgresql:// means psycopg2 here (psycogreen patches it); SQLAlchemy 2.1 would pick psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 30) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy's "begin" event below decide how a transaction starts.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged ticket survives power loss
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            # On the driver's cursor: a third of the CPU of exec_driver_sql, every transaction.
            statement = f"BEGIN {mode}"
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(statement)
            except Exception as error:  # "database is locked": wrapped as an execute would
                conn._handle_dbapi_exception(error, statement, (), cursor, None)
            finally:
                cursor.close()

        return engine
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=10)
        _ping_when_idle(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


# A pooled connection idle this long is pinged before use.
PING_IDLE_S = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection before use only when it sat idle: a
    database restart is then noticed before a request uses the dead connection.

    SQLAlchemy's pool_pre_ping pings at every checkout: a round trip per transaction
    (two per request with the login's own read), 6 % of a province hub's CPU in
    bench/province.py.  A connection used within the last PING_IDLE_S was alive
    then; if the server went away in between, the request that finds out is
    answered `database_unavailable` (the client asks again) and SQLAlchemy recycles
    every connection of the pool that was opened before (its disconnect handling)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        last = record.info.get("checked_in_at")
        if last is None or time.monotonic() - last < PING_IDLE_S:
            return  # just opened, or in use a moment ago
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:  # the server closed it: the pool opens another
            raise DisconnectionError() from error


class Store:
    """The engine plus read and write transactions."""

    def __init__(self, url: str, pool_size: int = 10, max_overflow: int = 30) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(url, pool_size, max_overflow)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        write_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        self._write = sessionmaker(write_engine, expire_on_commit=False)
        self._write_lock = threading.RLock() if self.is_sqlite else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._read()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed on success, rolled back on any error."""
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            session = self._write()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        finally:
            if lock is not None:
                lock.release()

    def ping(self) -> bool:
        from sqlalchemy import text

        with self.read() as session:
            session.execute(text("SELECT 1"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()
