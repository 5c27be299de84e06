"""Several hub processes behind one Redis and one PostgreSQL, and several
centres sharing them, as a province runs it."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import ASYNC_MODES, REDIS_URL, TEST_CENTRE, need
from tests.integration.test_realtime import Screen


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


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_call_on_one_process_reaches_a_screen_on_another(
    hub_factory, postgres_url, redis_url, async_mode
):
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    a = hub_factory(async_mode=async_mode, database_url=postgres_url, env=env)
    b = hub_factory(async_mode=async_mode, database_url=postgres_url, env=env)
    lobby_on_b = Screen(b.url, {"display": "lobby"})
    try:
        lobby_on_b.wait_for("snapshot")
        ticket = requests.post(f"{b.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
        a.session().post(f"{a.url}/api/v1/counters/6/next", timeout=10)
        call = lobby_on_b.wait_for("call")
        assert (call["number"], call["counter"]) == (ticket["number"], 6)
    finally:
        lobby_on_b.close()


def test_centres_sharing_a_database_and_redis_never_see_each_other(
    hub_factory, tmp_path, postgres_url, redis_url
):
    other = tmp_path / "other-centre.toml"
    other.write_text(
        TEST_CENTRE.read_text(encoding="utf-8")
        .replace('code = "test-centre"', 'code = "than-uyen"')
        .replace("UBND xã Thử Nghiệm", "UBND huyện Than Uyên"),
        encoding="utf-8",
    )
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    first = hub_factory(database_url=postgres_url, env={**env, "MOTCUA_CENTRE": "test-centre"})
    second = hub_factory(
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


def test_two_installations_on_one_redis_keep_their_calls_apart(hub_factory, tmp_path, redis_url):
    """Two towns, each with its own database (both centres are id 1) and its own
    MOTCUA_MESSAGE_CHANNEL, share one Redis: a call in one town is never shown in the other."""
    town_a = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_MESSAGE_CHANNEL": "motcua-town-a"}
    town_b = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_MESSAGE_CHANNEL": "motcua-town-b"}
    a1 = hub_factory(database_url=f"sqlite:///{tmp_path / 'a.db'}", env=town_a)
    a2 = hub_factory(database_url=f"sqlite:///{tmp_path / 'a.db'}", env=town_a)
    b = hub_factory(database_url=f"sqlite:///{tmp_path / 'b.db'}", env=town_b)
    lobby_a2 = Screen(a2.url, {"display": "lobby"})
    lobby_b = Screen(b.url, {"display": "lobby"})
    try:
        lobby_a2.wait_for("snapshot")
        lobby_b.wait_for("snapshot")
        requests.post(f"{b.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        requests.post(f"{a1.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        a1.session().post(f"{a1.url}/api/v1/counters/3/next", timeout=10)
        call = lobby_a2.wait_for("call")  # the same town's other process shows it
        assert (call["number"], call["counter"]) == ("A001", 3)
        assert [e for e, _ in lobby_b.drain(1.0) if e == "call"] == []
    finally:
        lobby_a2.close()
        lobby_b.close()


def test_one_device_worker_prints_for_every_hub_process_exactly_once(
    hub_factory, tmp_path, postgres_url, redis_url
):
    import subprocess
    import sys
    import time

    from tests.devices.escpos_decode import cuts
    from tests.devices.virtual_printer import VirtualPrinter
    from tests.integration.test_printing import centre_with_printers, wait_until

    printer = VirtualPrinter().start()
    config = centre_with_printers(tmp_path, {"kiosk-1": printer})
    env = {"MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
    a = hub_factory(async_mode="gevent", database_url=postgres_url, config=config, env=env)
    b = hub_factory(async_mode="gevent", database_url=postgres_url, config=config, env=env)
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
        from tests.integration.test_admin import CONFIRM, Desk

        sent = Desk(a).post("/admin/devices/printers/kiosk-1/test", CONFIRM, "/admin/devices")
        assert sent.status_code == 200, sent.text[-300:]
        assert wait_until(lambda: len(cuts(printer.received)) == 5, timeout=15)
        reprint = b.session().post(f"{b.url}/api/v1/tickets/1/reprint", json={}, timeout=10)
        assert reprint.status_code == 202, reprint.text
        assert wait_until(lambda: len(cuts(printer.received)) == 6, timeout=15)
        lobby = Screen(b.url, {"display": "lobby"})
        try:
            lobby.wait_for("snapshot")
            printer.paper_out = True  # the worker finds out before its next job
            requests.post(
                f"{a.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}, timeout=10
            )
            fault = lobby.wait_for("device", timeout=20, where=lambda d: d.get("paper_out"))
            assert fault["name"] == "kiosk-1" and fault["state"] != "online"
            later = requests.post(
                f"{b.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}, timeout=10
            ).json()
            assert later["print"]["printer_ok"] is False  # hub B knows from the database
        finally:
            lobby.close()
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        log.close()
        printer.stop()
