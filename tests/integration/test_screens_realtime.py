"""What the lobby TV, the counter screen and the clerk console get over
Socket.IO: enough to filter by field, the counter's own queue and figures,
and a correct snapshot soon after a dropped network comes back."""

from __future__ import annotations

import socket
import threading
import time

import requests

from tests.support.clients import Screen


def issue(url: str, service: str, priority: str | None = None) -> dict:
    body = {"service": service, **({"priority": priority} if priority else {})}
    response = requests.post(f"{url}/api/v1/tickets", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def test_a_lobby_limited_to_fields_can_filter_every_payload(hub):
    staff = hub.session()
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        lobby.wait_for("snapshot")
        issue(hub.url, "HT")
        issue(hub.url, "DD")
        queue = lobby.wait_for("queue", where=lambda q: q["waiting"]["DD"] == 1)
        assert queue["waiting"] == {"HT": 1, "DD": 1, "TKQ": 0}
        assert set(queue["longest_wait_s"]) == {"HT", "DD"}  # only fields with someone waiting
        staff.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)  # HT first: preference order
        staff.post(f"{hub.url}/api/v1/counters/2/next", timeout=10)
        calls = [lobby.wait_for("call"), lobby.wait_for("call")]
        # The hub sends every call to every lobby; a ?fields=DD TV keeps the ones it wants.
        assert [(c["number"], c["service"]) for c in calls] == [("A001", "HT"), ("B001", "DD")]
        assert [c["number"] for c in calls if c["service"] in ("DD",)] == ["B001"]

        lobby.client.emit("subscribe", {"display": "lobby"})
        snapshot = lobby.wait_for("snapshot")
        assert [(c["number"], c["service"]) for c in snapshot["recent_calls"]] == [
            ("B001", "DD"),
            ("A001", "HT"),
        ]
        assert {s["code"]: s["waiting"] for s in snapshot["services"]} == {
            "HT": 0,
            "DD": 0,
            "TKQ": 0,
        }
        counters = {c["number"]: c for c in snapshot["counters"]}
        assert counters[1]["services"] == ["HT", "DD"]  # for ?counters=… to know their fields
    finally:
        lobby.close()


def test_counter_snapshot_has_its_next_numbers_and_today_figures(hub):
    clerk = hub.session("clerk1", "test-clerk-pass")
    issue(hub.url, "HT")
    issue(hub.url, "HT")
    issue(hub.url, "DD", priority="elderly")
    console = Screen(hub.url, {"counter": 1}, login=hub.session())  # an admin's console
    try:
        snapshot = console.wait_for("snapshot")["counter"]
        # Strict priority: the elderly citizen first, whatever the field.
        assert [(t["number"], t["priority"]) for t in snapshot["upcoming"]] == [
            ("B001", "elderly"),
            ("A001", None),
            ("A002", None),
        ]
        assert {t["number"] for t in snapshot["next"]} == {"A001", "A002", "B001"}
        assert snapshot["today"] == {"served": 0, "average_service_s": None}

        for step in ("next", "start", "finish", "next"):
            clerk.post(f"{hub.url}/api/v1/counters/1/{step}", timeout=10).raise_for_status()
        clerk.post(
            f"{hub.url}/api/v1/counters/1/transfer", json={"counter": 2}, timeout=10
        ).raise_for_status()  # A001 now waits for counter 2 only

        console.client.emit("subscribe", {"counter": 1})
        snapshot = console.wait_for("snapshot")["counter"]
        assert [t["number"] for t in snapshot["upcoming"]] == ["A002"]
        assert snapshot["today"]["served"] == 1  # a transfer is not a service done
        assert snapshot["today"]["average_service_s"] >= 0

        console.client.emit("subscribe", {"counter": 2})
        other = console.wait_for("snapshot", where=lambda d: d["counter"]["number"] == 2)
        assert [(t["number"], t["target_counter"]) for t in other["counter"]["upcoming"]] == [
            ("A001", 2),  # transferred here: called before anyone else
            ("A002", None),
        ]
    finally:
        console.close()


class FlakyLink:
    """A TCP relay to the hub whose `cut()` drops every connection and refuses
    new ones, like a pulled network cable, until `restore()`."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.up = False
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sockets.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_snapshot_is_right_within_2_s_after_the_network_returns(hub):
    staff = hub.session()
    link = FlakyLink(hub.port)
    lobby = Screen(f"http://127.0.0.1:{link.port}", {"display": "lobby"})
    try:
        lobby.wait_for("snapshot")
        issue(hub.url, "DD")
        lobby.wait_for("queue", where=lambda q: q["waiting"]["DD"] == 1)
        link.cut()
        time.sleep(1)  # offline for a while; meanwhile the queue moves on
        staff.post(f"{hub.url}/api/v1/counters/4/next", timeout=10).raise_for_status()
        issue(hub.url, "HT")
        lobby.drain(0)
        back = time.monotonic()
        link.restore()
        fresh = lobby.wait_for("snapshot", timeout=5)
        assert time.monotonic() - back < 2
        assert fresh["waiting"] == {"HT": 1, "DD": 0, "TKQ": 0}
        assert fresh["recent_calls"][0]["number"] == "B001"
        counter4 = next(c for c in fresh["counters"] if c["number"] == 4)
        assert counter4["current"]["number"] == "B001"
    finally:
        lobby.close()
        link.close()


def test_snapshot_keeps_each_counters_latest_call_in_each_field(hub):
    """Ten recalls at one counter must not push the other counters (or fields) off a lobby."""
    staff = hub.session()
    issue(hub.url, "DD")
    staff.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).raise_for_status()  # B001
    issue(hub.url, "HT")
    staff.post(f"{hub.url}/api/v1/counters/3/next", timeout=10).raise_for_status()  # A001
    staff.post(f"{hub.url}/api/v1/counters/3/finish", timeout=10).raise_for_status()
    issue(hub.url, "DD")
    staff.post(f"{hub.url}/api/v1/counters/3/next", timeout=10).raise_for_status()  # B002
    for _ in range(12):
        staff.post(f"{hub.url}/api/v1/counters/3/recall", timeout=10).raise_for_status()
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        calls = lobby.wait_for("snapshot")["recent_calls"]
        assert calls[0]["number"] == "B002" and calls[0]["recall"] is True
        assert len(calls) <= 10 + 3  # the ten latest, plus the latest per counter and field
        latest = {}
        for call in calls:  # newest first, as a lobby reads them
            latest.setdefault((call["counter"], call["service"]), call["number"])
        assert latest == {(3, "DD"): "B002", (3, "HT"): "A001", (2, "DD"): "B001"}
        # A ?fields=HT TV still finds counter 3's HT call among them.
        assert [c["number"] for c in calls if c["service"] == "HT"] == ["A001"]
    finally:
        lobby.close()


def test_counter_snapshot_and_ticket_carry_the_transfer_note(hub):
    clerk1 = hub.session("clerk1", "test-clerk-pass")
    clerk2 = hub.session("clerk2", "test-clerk-pass")
    issue(hub.url, "HT")
    clerk1.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).raise_for_status()
    clerk1.post(
        f"{hub.url}/api/v1/counters/1/transfer",
        json={"service": "DD", "note": "Thiếu bản đồ thửa đất"},
        timeout=10,
    ).raise_for_status()
    console = Screen(hub.url, {"counter": 2}, login=clerk2)  # notes are for the clerk
    try:
        upcoming = console.wait_for("snapshot")["counter"]["upcoming"]
        assert upcoming[0]["transfer"]["note"] == "Thiếu bản đồ thửa đất"
        called = clerk2.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).json()
        expected = {
            "note": "Thiếu bản đồ thửa đất",
            "from_counter": 1,
            "from_counter_name": "Quầy 1",
            "from_service": "HT",
        }
        assert {k: called["transfer"][k] for k in expected} == expected
        current = console.wait_for("counter", where=lambda c: c["number"] == 2 and c["current"])[
            "current"
        ]
        assert current["number"] == "A001" and current["service"] == "DD"
        assert current["transfer"]["note"] == "Thiếu bản đồ thửa đất"
    finally:
        console.close()
