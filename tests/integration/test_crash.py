"""Crash safety: a hub killed with SIGKILL in the middle of a busy morning,
and PostgreSQL restarted under load.  Nothing acknowledged is lost."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
import socketio

from tests.conftest import pg_admin
from tests.support.clients import Screen
from tests.support.devices import wait_until


def _busy(hub, stop: threading.Event, acknowledged: list, calls: list, errors: list, kiosk: int):
    session = requests.Session()
    while not stop.is_set():
        try:
            response = session.post(
                f"{hub.url}/api/v1/tickets",
                json={"service": "HT"},
                headers={"Idempotency-Key": f"k{kiosk}-{len(acknowledged)}"},
                timeout=3,
            )
            if response.status_code in (200, 201):
                acknowledged.append(response.json())
            else:
                errors.append(response.status_code)
        except requests.RequestException:
            time.sleep(0.05)  # the hub is down: a kiosk retries


def _clerk(hub, token: str, counter: int, stop: threading.Event, calls: list):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    while not stop.is_set():
        try:
            response = session.post(f"{hub.url}/api/v1/counters/{counter}/next", timeout=3)
            if response.status_code == 200:
                calls.append((counter, response.json()["id"]))
                session.post(f"{hub.url}/api/v1/counters/{counter}/finish", timeout=3)
            elif response.status_code == 409:  # still holding one from before the crash
                session.post(f"{hub.url}/api/v1/counters/{counter}/finish", timeout=3)
            time.sleep(0.05)
        except requests.RequestException:
            time.sleep(0.05)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_kill_9_loses_nothing_and_screens_resynchronise(
    hub_process_factory, tmp_path, request, database
):
    url = (
        f"sqlite:///{tmp_path / 'hub.db'}"
        if database == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    hub = hub_process_factory(async_mode="gevent", database_url=url)
    token = hub.token()
    lobby = Screen(hub.url, {"display": "lobby"})
    stop = threading.Event()
    acknowledged: list = []
    calls: list = []
    errors: list = []
    threads = [
        threading.Thread(target=_busy, args=(hub, stop, acknowledged, calls, errors, k))
        for k in range(3)
    ]
    threads += [
        threading.Thread(target=_clerk, args=(hub, token, c, stop, calls)) for c in (1, 2, 3)
    ]
    for thread in threads:
        thread.start()
    try:
        # Busy for a while (as long as a loaded machine needs for a dozen tickets and a few
        # calls), killed, restarted, and busy again for as many more tickets.
        assert wait_until(lambda: len(acknowledged) >= 12 and len(calls) >= 3, timeout=30)
        hub.stop(signal.SIGKILL)  # mid-request: no chance to flush or clean up
        before = len(acknowledged)
        time.sleep(0.5)
        hub.start()
        assert wait_until(lambda: len(acknowledged) >= before + 12, timeout=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    try:
        assert len(acknowledged) > 20
        snapshot = requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()
        assert snapshot["waiting"]["HT"] >= 0
        staff = hub.session()  # one connection for the many reads below
        stored = {}
        for ticket in acknowledged:
            fetched = staff.get(f"{hub.url}/api/v1/tickets/{ticket['id']}", timeout=5)
            assert fetched.status_code == 200, f"acknowledged ticket {ticket['number']} was lost"
            stored[ticket["id"]] = fetched.json()["number"]
        numbers = sorted(int(n[1:]) for n in stored.values())
        assert len(numbers) == len(set(numbers)), "a number was given twice"
        # every ticket in the database, acknowledged or not: numbering has no gap and no repeat
        # (PostgreSQL ids may skip a value a killed transaction took, so look past any gap)
        everything = []
        for ticket_id in range(1, max(stored) + 40):
            row = staff.get(f"{hub.url}/api/v1/tickets/{ticket_id}", timeout=5)
            if row.ok:
                everything.append(int(row.json()["number"][1:]))
        assert sorted(everything) == list(range(1, len(everything) + 1))
        assert set(numbers) <= set(everything)
        called = [ticket for _, ticket in calls]
        assert len(called) == len(set(called)), "a ticket was called twice"
        holders = [c["current"]["id"] for c in snapshot["counters"] if c["current"]]
        assert len(holders) == len(set(holders)), "a ticket is held by two counters"
        # the lobby reconnected by itself and got a snapshot of the restarted hub
        fresh = lobby.wait_for("snapshot", timeout=15)
        assert fresh["centre"]["name"]
    finally:
        lobby.close()


def _database_down(database_url: str, down: bool) -> None:
    """What a PostgreSQL restart does to the hub, for its database only: every open
    connection is ended by the server ("terminating connection due to administrator
    command", as in a fast shutdown) and new ones are refused until it is back.  The
    server itself is shared by the tests the other pytest worker runs at the same time
    (stopping it once made a soak test's ticket fail with a 500 beside this one)."""
    name = database_url.rsplit("/", 1)[1]
    if down:
        pg_admin(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
    else:
        pg_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_postgres_restart_under_load_recovers_without_restarting_the_hub(
    hub_process_factory, postgres_url
):
    hub = hub_process_factory(async_mode="gevent", database_url=postgres_url)
    admin = hub.session()
    tv = socketio.Client(reconnection=False)
    assert requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=5).ok
    _database_down(postgres_url, True)
    try:
        health = requests.get(f"{hub.url}/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["db"] != "ok"
        refused = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        assert refused.status_code == 503
        assert refused.json()["error"] == "database_unavailable"
        assert "cơ sở dữ liệu" in refused.json()["message"]
        # a lobby TV that (re)connects now is told so, and asks again later (hub.js)
        tv.connect(hub.url, transports=["websocket"], wait_timeout=10)
        answer = tv.call("subscribe", {"display": "lobby"}, timeout=15)
        assert answer["ok"] is False and answer["error"] == "database_unavailable"
        assert "cơ sở dữ liệu" in answer["message"]
    finally:
        _database_down(postgres_url, False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if requests.get(f"{hub.url}/healthz", timeout=10).status_code == 200:
            break
        time.sleep(0.5)
    second = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert second.status_code == 201 and second.json()["number"] == "A002"
    try:
        assert tv.call("subscribe", {"display": "lobby"}, timeout=15) == {"ok": True}
    finally:
        tv.disconnect()
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["number"] == "A001"
