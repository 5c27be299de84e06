"""Real Socket.IO clients against a running hub: a screen subscribes, gets a
snapshot, sees each call once, and is right again after the hub restarts."""

from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from tests.conftest import ASYNC_MODES, HubProcess


class Screen:
    """A python-socketio client that records what a lobby TV or counter screen receives."""

    def __init__(self, url: str, subscription: dict, transports=("websocket",)):
        self.events: queue.Queue = queue.Queue()
        self.subscription = subscription
        self.client = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5
        )
        for name in (
            "snapshot",
            "call",
            "queue",
            "counter",
            "ticket",
            "device",
            "print",
            "scan",
            "rating",
        ):
            self.client.on(name, self._recorder(name))
        self.client.on("connect", lambda: self.client.emit("subscribe", self.subscription))
        self.client.connect(url, transports=list(transports), wait_timeout=10)

    def _recorder(self, name):
        return lambda data: self.events.put((name, data))

    def wait_for(self, name: str, timeout: float = 10, where=lambda data: True) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event == name and where(data):
                return data
        raise AssertionError(f"no {name} event within {timeout}s")

    def drain(self, seconds: float = 0.5) -> list[tuple[str, dict]]:
        time.sleep(seconds)
        seen = []
        while not self.events.empty():
            seen.append(self.events.get_nowait())
        return seen

    def close(self):
        self.client.disconnect()


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_lobby_sees_each_call_once_with_announcement(hub_factory, async_mode):
    hub = hub_factory(async_mode=async_mode)
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


def test_citizen_phone_follows_its_ticket(hub):
    admin = hub.session()
    first = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    mine = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    phone = Screen(hub.url, {"ticket": mine["token"]})
    try:
        snapshot = phone.wait_for("snapshot")
        assert snapshot["ticket"]["number"] == "A002" and snapshot["ticket"]["people_ahead"] == 1
        admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)  # calls A001
        admin.post(f"{hub.url}/api/v1/counters/2/next", timeout=10)  # calls mine
        call = phone.wait_for("call")
        assert call["number"] == "A002" and call["counter"] == 2
        assert phone.wait_for("ticket")["status"] == "called"
        assert first["number"] == "A001"
    finally:
        phone.close()


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_screen_resynchronises_after_hub_restart(hub_factory, tmp_path, async_mode):
    hub = hub_factory(async_mode=async_mode)
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        assert lobby.wait_for("snapshot")["waiting"]["DD"] == 0
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "DD"}, timeout=10)
        assert lobby.wait_for("queue")["waiting"]["DD"] == 1
        hub.stop()  # the screen is cut off ...
        # ... and meanwhile a clerk calls the ticket through another hub on the same database
        other = HubProcess(tmp_path, async_mode=async_mode, database_url=hub.database_url).start()
        try:
            assert other.session().post(f"{other.url}/api/v1/counters/5/next", timeout=10).ok
        finally:
            other.stop()
        hub.start()  # same port: the screen reconnects by itself
        fresh = lobby.wait_for("snapshot", timeout=15)
        assert fresh["waiting"]["DD"] == 0
        assert fresh["recent_calls"][0]["number"] == "B001"
        assert next(c for c in fresh["counters"] if c["number"] == 5)["current"]["number"] == "B001"
    finally:
        lobby.close()


def test_a_bad_subscription_gets_an_answer_not_silence(hub):
    client = socketio.Client(reconnection=False)
    client.connect(hub.url, transports=["websocket"], wait_timeout=10)
    try:
        for subscription, error in (
            ({"counter": 10**30}, "unknown_counter"),
            ({"counter": 999}, "unknown_counter"),
            ({"counter": "một"}, "bad_request"),
            ({"display": "bếp"}, "bad_request"),
            ({"ticket": "no-such-ticket"}, "unknown_ticket"),
            ("lobby", "bad_request"),
        ):
            answer = client.call("subscribe", subscription, timeout=10)
            assert answer["ok"] is False and answer["error"] == error, (subscription, answer)
            assert answer["message"]
        assert client.call("subscribe", {"counter": 1}, timeout=10) == {"ok": True}
    finally:
        client.disconnect()
