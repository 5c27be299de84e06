"""The supervisor live view over a real Socket.IO connection: waits per field,
paused counters, and alerts when a wait passes the field's target or a
printer goes offline (and when either is over)."""

from __future__ import annotations

import queue
import threading

import pytest
import requests
import socketio

from tests.support.clients import wait_for_event
from tests.support.hubs import BOSS


class Supervisor:
    """A python-socketio client that logs in with a bearer token and records events."""

    def __init__(self, url: str, token: str | None):
        self.events: queue.Queue = queue.Queue()
        self.answers: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("snapshot", "alert", "counter", "queue", "device"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client.connect(url, headers=headers, transports=["websocket"], wait_timeout=10)

    def subscribe(self) -> dict:
        return self.client.call("subscribe", {"supervisor": True}, timeout=10)

    def wait_for(self, name: str, where=lambda data: True, timeout: float = 10) -> dict:
        return wait_for_event(self.events, name, timeout, where)

    def close(self) -> None:
        # closing a WebSocket waits up to 3 s for the server's close frame: do not wait here
        threading.Thread(target=self.client.disconnect, daemon=True).start()


def take(hub, service: str = "HT") -> dict:
    response = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": service, "kiosk": "kiosk-1"}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_supervisor_sees_waits_paused_counters_and_alerts(watched_centre, printer):
    hub = watched_centre
    staff = hub.session()
    boss = Supervisor(hub.url, hub.token(*BOSS))
    try:
        assert boss.subscribe() == {"ok": True}
        first = boss.wait_for("snapshot")
        fields = {f["code"]: f for f in first["fields"]}
        assert fields["HT"]["target_wait_s"] == 2 and fields["HT"]["waiting"] == 0
        assert [a for a in first["alerts"] if a["kind"] == "wait"] == []

        ticket = take(hub)
        # nobody calls A001: two seconds later the field is past its target
        alert = boss.wait_for("alert", lambda a: a["key"] == "wait:HT" and a["active"])
        assert alert["number"] == ticket["number"] == "A001"
        assert alert["waited_s"] >= 2 and alert["target_s"] == 2
        assert "A001" in alert["message"]["vi"] and "Tư pháp - Hộ tịch" in alert["message"]["vi"]
        assert "Justice - Civil status" in alert["message"]["en"]

        assert staff.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).ok
        over = boss.wait_for("alert", lambda a: a["key"] == "wait:HT")
        assert over["active"] is False  # called: the alert clears on every screen

        assert staff.post(f"{hub.url}/api/v1/counters/2/pause", json={}, timeout=10).ok
        boss.wait_for("counter", lambda c: c["number"] == 2 and c["state"] == "paused")
        boss.subscribe()
        fresh = boss.wait_for("snapshot")
        fields = {f["code"]: f for f in fresh["fields"]}
        assert fields["HT"]["counters_paused"] == 1 and fields["HT"]["serving"] == 1
        counters = {c["number"]: c for c in fresh["counters"]}
        assert counters[1]["current"]["number"] == "A001" and counters[2]["state"] == "paused"

        printer.stop()  # unplugged: the next ticket cannot print
        take(hub, "DD")
        down = boss.wait_for(
            "alert", lambda a: a["key"] == "device:printer:kiosk-1" and a["active"], timeout=20
        )
        assert down["state"] == "offline" and "kiosk-1" in down["message"]["vi"]
        boss.subscribe()
        assert any(
            a["key"] == "device:printer:kiosk-1" for a in boss.wait_for("snapshot")["alerts"]
        )  # a supervisor who opens the page later sees it too
    finally:
        boss.close()


def test_only_supervisors_may_watch(watched_centre):
    hub = watched_centre
    clerk = Supervisor(hub.url, hub.token("clerk1", "test-clerk-pass"))
    anonymous = Supervisor(hub.url, None)
    try:
        assert clerk.subscribe()["error"] == "forbidden"
        assert anonymous.subscribe()["error"] == "login_required"
        with pytest.raises(AssertionError):
            clerk.wait_for("snapshot", timeout=0.5)
    finally:
        clerk.close()
        anonymous.close()
    page = requests.get(f"{hub.url}/supervisor", allow_redirects=False, timeout=10)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_paired_lobby_tv_that_stays_away_raises_an_alert(hub_factory):
    # Away 2 s is away (a reconnect here takes well under a second, even on a loaded machine)
    hub = hub_factory(env={"MOTCUA_SCREEN_OFFLINE_S": "2"})
    paired = requests.post(
        f"{hub.url}/api/v1/devices/tokens",
        json={"kind": "display", "name": "tv-sanh-tang-1"},
        headers=hub.auth(),
        timeout=10,
    )
    assert paired.status_code == 201, paired.text
    token = paired.json()["token"]
    boss = Supervisor(hub.url, hub.token())
    tv = socketio.Client(reconnection=False)
    try:
        assert boss.subscribe()["ok"]
        tv.connect(hub.url, transports=["websocket"], wait_timeout=10)
        assert tv.call("subscribe", {"display": "lobby", "token": token}, timeout=10)["ok"]
        tv.disconnect()  # the TV is switched off
        alert = boss.wait_for(
            "alert", lambda a: a.get("device") == "display:tv-sanh-tang-1" and a["active"]
        )
        assert "tv-sanh-tang-1" in alert["message"]["vi"]
        health = requests.get(f"{hub.url}/healthz", timeout=10).json()
        assert health["devices"]["display:tv-sanh-tang-1"]["state"] == "offline"
        # back on: the alert ends
        tv = socketio.Client(reconnection=False)
        tv.connect(hub.url, transports=["websocket"], wait_timeout=10)
        assert tv.call("subscribe", {"display": "lobby", "token": token}, timeout=10)["ok"]
        boss.wait_for(
            "alert", lambda a: a.get("device") == "display:tv-sanh-tang-1" and not a["active"]
        )
        health = requests.get(f"{hub.url}/healthz", timeout=10).json()
        assert health["devices"]["display:tv-sanh-tang-1"]["state"] == "online"
        # a reload: the page closes its connection and opens a new one at once
        threading.Thread(target=tv.disconnect, daemon=True).start()
        tv = socketio.Client(reconnection=False)
        tv.connect(hub.url, transports=["websocket"], wait_timeout=10)
        assert tv.call("subscribe", {"display": "lobby", "token": token}, timeout=10)["ok"]
        with pytest.raises(AssertionError):  # 1 s longer than the hub waits before it alerts
            boss.wait_for("alert", lambda a: a.get("device") == "display:tv-sanh-tang-1", 3)
    finally:
        tv.disconnect()
        boss.close()
