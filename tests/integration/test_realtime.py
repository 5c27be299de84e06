"""Socket.IO clients (real ones against hub processes in each async mode, and
Flask-SocketIO's test client): a screen subscribes, gets a
snapshot, sees each call once, and is right again after the hub restarts."""

from __future__ import annotations

import signal

import pytest
import requests

from tests.support.clients import Screen, last, received
from tests.support.hubs import ASYNC_MODES, HubProcess, LiveHub

# One hub process per async mode serves both tests of that mode.  They stay independent:
# the lobby test issues and calls only field HT (A…) at counter 3, the restart test only
# field DD (B…) at counter 5.


@pytest.fixture(scope="module", params=ASYNC_MODES)
def mode_hub(request, module_hub_process_factory) -> HubProcess:
    return module_hub_process_factory(async_mode=request.param)


def test_lobby_sees_each_call_once_with_announcement(mode_hub):
    hub = mode_hub
    admin = hub.session()
    lobby = Screen(hub.url, {"display": "lobby"})
    polling = Screen(hub.url, {"display": "lobby"}, transports=("polling",))  # WebSocket blocked
    counter_screen = Screen(hub.url, {"counter": 3})
    try:
        snapshot = lobby.wait_for("snapshot")
        assert snapshot["centre"]["name"].startswith("Bộ phận Một cửa")
        assert {s["code"] for s in snapshot["services"]} == {"HT", "DD", "TKQ"}
        polling.wait_for("snapshot")
        counter_screen.wait_for("snapshot", where=lambda d: d["counter"]["number"] == 3)

        ticket = requests.post(
            f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10
        ).json()
        assert lobby.wait_for("queue")["waiting"]["HT"] == 1
        admin.post(f"{hub.url}/api/v1/counters/3/next", timeout=10)
        for screen in (lobby, polling, counter_screen):
            call = screen.wait_for("call")
            assert call["number"] == ticket["number"] and call["counter"] == 3
            assert call["counter_name"] == "Quầy 3" and call["recall"] is False
            assert call["announce"]["vi"] == "Xin mời công dân có số thứ tự A001 đến quầy số 3"
            assert call["announce"]["en"] == "Ticket A001, please go to counter 3"
            assert call["announce"]["audio"]
        # exactly one call event per press
        assert [e for e, _ in lobby.drain() if e == "call"] == []
        admin.post(f"{hub.url}/api/v1/counters/3/recall", timeout=10)
        assert lobby.wait_for("call")["recall"] is True
    finally:
        for screen in (lobby, polling, counter_screen):
            screen.close()


def test_citizen_phone_follows_its_ticket(client, sio, bearer):
    staff = bearer()
    first = client.post("/api/v1/tickets", json={"service": "HT"}).get_json()
    mine = client.post("/api/v1/tickets", json={"service": "HT"}).get_json()
    assert sio.emit("subscribe", {"ticket": mine["token"]}, callback=True) == {"ok": True}
    snapshot = last(sio, "snapshot")
    assert snapshot["ticket"]["number"] == "A002" and snapshot["ticket"]["people_ahead"] == 1
    client.post("/api/v1/counters/1/next", headers=staff)  # calls A001
    client.post("/api/v1/counters/2/next", headers=staff)  # calls mine
    seen = received(sio)
    call = next(data for name, data in seen if name == "call")
    assert call["number"] == "A002" and call["counter"] == 2
    assert next(data for name, data in seen if name == "ticket")["status"] == "called"
    assert first["number"] == "A001"


def test_screen_resynchronises_after_hub_restart(mode_hub, tmp_path):
    hub = mode_hub
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        assert lobby.wait_for("snapshot")["waiting"]["DD"] == 0
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "DD"}, timeout=10)
        assert lobby.wait_for("queue")["waiting"]["DD"] == 1
        hub.stop(signal.SIGTERM)  # the screen is cut off ...
        # ... and meanwhile a clerk calls the ticket through another hub on the same database
        # (served in this process: what matters is that the restarted hub did not see it)
        other = LiveHub(tmp_path, database_url=hub.database_url).start()
        try:
            assert other.session().post(f"{other.url}/api/v1/counters/5/next", timeout=10).ok
        finally:
            other.stop()
        lobby.drain(0)  # anything the screen got before the hub went is old news
        hub.start()  # same port: the screen reconnects by itself
        fresh = lobby.wait_for("snapshot", timeout=15)
        assert fresh["waiting"]["DD"] == 0
        assert fresh["recent_calls"][0]["number"] == "B001"
        assert next(c for c in fresh["counters"] if c["number"] == 5)["current"]["number"] == "B001"
    finally:
        lobby.close()


def test_a_bad_subscription_gets_an_answer_not_silence(sio):
    for subscription, error in (
        ({"counter": 10**30}, "unknown_counter"),
        ({"counter": 999}, "unknown_counter"),
        ({"counter": "một"}, "bad_request"),
        ({"display": "bếp"}, "bad_request"),
        ({"ticket": "no-such-ticket"}, "unknown_ticket"),
        ("lobby", "bad_request"),
    ):
        answer = sio.emit("subscribe", subscription, callback=True)
        assert answer["ok"] is False and answer["error"] == error, (subscription, answer)
        assert answer["message"]
    assert sio.emit("subscribe", {"counter": 1}, callback=True) == {"ok": True}
