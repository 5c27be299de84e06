"""Several hub processes behind one Redis and one PostgreSQL, and several
centres sharing them, as a province runs it.

A hub process takes seconds to start, so one centre served by three processes, one per
async mode, on one database and one Redis channel, is shared by the two tests that only
call numbers on it (each issues and calls its own tickets, so neither sees the other's).
The tests that need another shape start their own processes; those two come last, so
the three processes are not kept waiting meanwhile."""

from __future__ import annotations

import signal
import time
import uuid

import pytest
import requests

from tests.conftest import ASYNC_MODES, REDIS_URL, TEST_CENTRE, need
from tests.support.clients import Screen, issue
from tests.support.hubs import (
    MIGRATED,
    PG_ADMIN_URL,
    pg_admin,
    postgres_available,
    postgres_template,
)


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url():
    need(redis_available(), f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture(scope="module")
def three_processes(module_hub_process_factory) -> dict:
    """Async mode → one of three `motcua run` processes serving the test centre from one
    PostgreSQL database (made for this module, dropped after it) and one Redis channel."""
    need(postgres_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    need(redis_available(), f"Redis not reachable at {REDIS_URL}")
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template()}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    MIGRATED.add(url)
    env = {"MOTCUA_MESSAGE_QUEUE": REDIS_URL, "MOTCUA_DEVICES": "0"}
    hubs: dict = {}
    try:
        for mode in ASYNC_MODES:
            hubs[mode] = module_hub_process_factory(async_mode=mode, database_url=url, env=env)
        yield hubs
    finally:
        for hub in hubs.values():
            hub.stop(signal.SIGTERM)  # before the database goes
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_centres_sharing_a_database_and_redis_never_see_each_other(
    hub_process_factory, tmp_path, postgres_url, redis_url
):
    other = tmp_path / "other-centre.toml"
    other.write_text(
        TEST_CENTRE.read_text(encoding="utf-8")
        .replace('code = "test-centre"', 'code = "than-uyen"')
        .replace("UBND xã Thử Nghiệm", "UBND huyện Than Uyên"),
        encoding="utf-8",
    )
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    first = hub_process_factory(
        database_url=postgres_url, env={**env, "MOTCUA_CENTRE": "test-centre"}
    )
    second = hub_process_factory(
        database_url=postgres_url, config=other, env={**env, "MOTCUA_CENTRE": "than-uyen"}
    )
    lobby_second = Screen(second.url, {"display": "lobby"})
    try:
        assert "Than Uyên" in lobby_second.wait_for("snapshot")["centre"]["name"]
        mine = requests.post(
            f"{first.url}/api/v1/tickets", json={"service": "HT"}, timeout=10
        ).json()
        theirs = requests.post(
            f"{second.url}/api/v1/tickets", json={"service": "HT"}, timeout=10
        ).json()
        assert mine["number"] == theirs["number"] == "A001"  # numbering per centre
        assert (
            requests.get(
                f"{second.url}/api/v1/tickets/{mine['id']}", headers=second.auth(), timeout=10
            ).status_code
            == 404
        )
        first.session().post(f"{first.url}/api/v1/counters/1/next", timeout=10)
        assert [e for e, _ in lobby_second.drain(1.0) if e == "call"] == []
        # a clerk of one centre cannot act at the other
        stranger = requests.post(
            f"{second.url}/api/v1/auth/token",
            json={"username": "admin", "password": "test-admin-pass"},
            timeout=10,
        ).json()["token"]
        assert requests.get(f"{second.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"] == 1
        forged = requests.post(
            f"{first.url}/api/v1/counters/2/next",
            headers={"Authorization": f"Bearer {stranger}"},
            timeout=10,
        )
        assert forged.status_code == 401
    finally:
        lobby_second.close()


def test_one_device_worker_prints_for_every_hub_process_exactly_once(
    hub_process_factory, tmp_path, postgres_url, redis_url
):
    import subprocess
    import sys
    import time

    from tests.devices.escpos_decode import cuts
    from tests.devices.virtual_printer import VirtualPrinter
    from tests.support.devices import centre_with_printers, wait_until

    printer = VirtualPrinter().start()
    config = centre_with_printers(tmp_path, {"kiosk-1": printer})
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    a = hub_process_factory(async_mode="gevent", database_url=postgres_url, config=config, env=env)
    b = hub_process_factory(async_mode="gevent", database_url=postgres_url, config=config, env=env)
    worker_env = {**a.env, "MOTCUA_DEVICES": "1", "MOTCUA_CONFIG": str(config)}
    log = open(tmp_path / "devices.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "devices", "run"],
        env=worker_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(
            lambda: (
                requests.get(f"{a.url}/healthz", timeout=5)
                .json()["devices"]
                .get("printer:kiosk-1", {})
                .get("state")
                == "online"
            ),
            timeout=30,
        )
        for hub in (a, b, a, b):
            requests.post(
                f"{hub.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}, timeout=10
            ).raise_for_status()
        assert wait_until(lambda: len(cuts(printer.received)) == 4, timeout=30)
        time.sleep(2)
        assert len(cuts(printer.received)) == 4  # no process printed a ticket twice
        # staff asks any hub process for a print: the device worker prints it
        from tests.support.clients import CONFIRM, Desk

        sent = Desk(a).post("/admin/devices/printers/kiosk-1/test", CONFIRM, "/admin/devices")
        assert sent.status_code == 200, sent.text[-300:]
        assert wait_until(lambda: len(cuts(printer.received)) == 5, timeout=15)
        reprint = b.session().post(f"{b.url}/api/v1/tickets/1/reprint", json={}, timeout=10)
        assert reprint.status_code == 202, reprint.text
        assert wait_until(lambda: len(cuts(printer.received)) == 6, timeout=15)
        # The fault travels from the worker through Redis to screens on another process:
        # the lobby sees it by state (public shape: id, kind, name, state), staff see why.
        lobby = Screen(b.url, {"display": "lobby"})
        supervisor = Screen(b.url, {"supervisor": True}, login=b.session())
        try:
            lobby.wait_for("snapshot")
            supervisor.wait_for("snapshot")
            printer.paper_out = True  # the worker finds out before its next job
            requests.post(
                f"{a.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}, timeout=10
            )
            fault = lobby.wait_for(
                "device", timeout=20, where=lambda d: d.get("state") not in ("online", "unknown")
            )
            # a real printer reports itself offline when its roll runs out
            assert fault["name"] == "kiosk-1" and fault["state"] != "online"
            assert "paper_out" not in fault  # why it failed is for staff
            why = supervisor.wait_for("device", timeout=20, where=lambda d: d.get("paper_out"))
            assert why["name"] == "kiosk-1" and why["state"] != "online"
            later = requests.post(
                f"{b.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}, timeout=10
            ).json()
            assert later["print"]["printer_ok"] is False  # hub B knows from the database
        finally:
            lobby.close()
            supervisor.close()
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        log.close()
        printer.stop()


def test_a_call_on_any_process_reaches_the_screens_on_every_process(three_processes):
    """Whichever process a clerk presses "next" on, in whichever async mode, the lobby
    screens on all three processes show the call: each mode both sends and receives
    calls through Redis.  The ticket was taken on another process."""
    hubs = three_processes
    lobbies = {mode: Screen(hub.url, {"display": "lobby"}) for mode, hub in hubs.items()}
    try:
        for lobby in lobbies.values():
            lobby.wait_for("snapshot")
        for counter, mode in enumerate(ASYNC_MODES, start=6):
            kiosk_side = hubs[ASYNC_MODES[(ASYNC_MODES.index(mode) + 1) % len(ASYNC_MODES)]]
            ticket = issue(kiosk_side)
            clerk = hubs[mode]
            pressed = clerk.session().post(
                f"{clerk.url}/api/v1/counters/{counter}/next", timeout=10
            )
            assert pressed.status_code == 200, pressed.text
            for screen_mode, lobby in lobbies.items():
                call = lobby.wait_for("call")
                assert (call["number"], call["counter"]) == (ticket["number"], counter), (
                    f"called on the {mode} process, shown on the {screen_mode} one"
                )
    finally:
        for lobby in lobbies.values():
            lobby.close()


def test_a_press_crosses_redis_as_one_message_holding_its_events_in_order(three_processes):
    """The events a press publishes reach the other processes in one Redis message
    (kiosk/runtime/message_queue.py), in the order the use case gave them, addressed
    to a room no client joins for any process that would not unpack it."""
    import json

    import redis

    hub = three_processes["gevent"]
    listener = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(hub.env["MOTCUA_MESSAGE_CHANNEL"])
    try:
        ticket = issue(hub)

        def published(seconds: float) -> list[dict]:
            found, deadline = [], time.monotonic() + seconds
            while time.monotonic() < deadline:
                message = listener.get_message(timeout=0.1)
                if message is not None:
                    found.append(json.loads(message["data"]))
            return found

        published(1.0)  # the issue's
        pressed = hub.session().post(f"{hub.url}/api/v1/counters/9/next", timeout=10)
        assert pressed.status_code == 200, pressed.text
        messages = published(1.5)
        assert all(m["event"] == "motcua:events" for m in messages), messages
        batches = [m for m in messages if any(e["event"] == "call" for e in m["data"][0])]
        assert len(batches) == 1, messages  # the press's events: one message
        assert batches[0]["room"] == "motcua:batch (never joined)"
        names = [inner["event"] for inner in batches[0]["data"][0]]
        assert names[0] == "call" and {"counter", "ticket", "queue"} <= set(names), names
        call = batches[0]["data"][0][0]["data"][0]
        assert (call["number"], call["counter"]) == (ticket["number"], 9)
    finally:
        listener.close()


def test_two_installations_on_one_redis_keep_their_calls_apart(
    three_processes, hub_process_factory, tmp_path, redis_url
):
    """Two towns, each with its own database (both centres are id 1) and its own
    MOTCUA_MESSAGE_CHANNEL, share one Redis: a call in one town is never shown in the other.
    Town A is the three processes above (PostgreSQL), town B one process on SQLite whose
    channel is this test's own."""
    a1, a2 = three_processes["threading"], three_processes["gevent"]
    b = hub_process_factory(
        database_url=f"sqlite:///{tmp_path / 'b.db'}", env={"MOTCUA_MESSAGE_QUEUE": redis_url}
    )
    assert a1.env["MOTCUA_MESSAGE_CHANNEL"] != b.env["MOTCUA_MESSAGE_CHANNEL"]
    lobby_a2 = Screen(a2.url, {"display": "lobby"})
    lobby_b = Screen(b.url, {"display": "lobby"})
    try:
        lobby_a2.wait_for("snapshot")
        lobby_b.wait_for("snapshot")
        requests.post(f"{b.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        ticket = issue(a1)
        a1.session().post(f"{a1.url}/api/v1/counters/3/next", timeout=10)
        call = lobby_a2.wait_for("call")  # the same town's other process shows it
        assert (call["number"], call["counter"]) == (ticket["number"], 3)
        assert [e for e, _ in lobby_b.drain(1.0) if e == "call"] == []
    finally:
        lobby_a2.close()
        lobby_b.close()
