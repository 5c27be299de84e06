"""A pooled PostgreSQL connection that the server ended while it sat idle in the pool
is found out before a request uses it: the hub pings a connection idle for
PING_IDLE_S or more (kiosk/store/db.py), not every one at every checkout.  One used a
moment ago is trusted; if the server ended it meanwhile, that one request meets the
error the shells answer `database_unavailable`, and the next has a new connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kiosk.store import db
from tests.support.hubs import pg_admin


def backend_pid(store: db.Store) -> int:
    with store.read() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_ended_while_idle_is_replaced_before_use(postgres_url, monkeypatch):
    store = db.Store(postgres_url, pool_size=1, max_overflow=0)
    try:
        first = backend_pid(store)
        pg_admin(f"SELECT pg_terminate_backend({first})")  # a database restart, for it
        monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # it has sat idle long enough
        second = backend_pid(store)  # no error: pinged, found dead, replaced
        assert second != first
    finally:
        store.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE_S", 3600.0)
    store = db.Store(postgres_url, pool_size=1, max_overflow=0)
    try:
        first = backend_pid(store)
        pg_admin(f"SELECT pg_terminate_backend({first})")
        with pytest.raises(OperationalError) as refused:  # what the request meets
            backend_pid(store)
        assert refused.value.connection_invalidated
        assert backend_pid(store) != first  # and the next one is served
    finally:
        store.dispose()
