"""Events written straight to idle WebSockets (kiosk/runtime/fanout.py,
kiosk/socket_transport.py) under gevent, as `motcua run` serves them: every screen
still gets every event, in order, whether its connection was idle (direct write) or
busy (engine.io's queue); and a connection that only ever gets direct writes is not
ended by engine.io's writer, which took an empty queue for a dead client."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
import requests
import websocket

from tests.support.clients import Screen
from tests.support.probes import run_in_mode

HERE = Path(__file__).resolve().parent

# A short ping window, so that the idle test outlasts engine.io's writer timeout
# (ping interval + ping timeout) in seconds, not in the production 15.
PINGS = {"MOTCUA_PING_INTERVAL_S": "1", "MOTCUA_PING_TIMEOUT_S": "3"}
WRITER_TIMEOUT_S = 1 + 3


@pytest.fixture(scope="module")
def gevent_hub(module_hub_process_factory):
    return module_hub_process_factory(async_mode="gevent", env=PINGS)


class SlowLobby:
    """A lobby screen on a raw WebSocket with a small receive buffer that reads a little
    at a time, in a thread of its own, while the hub writes to it: the hub's writes to
    it go now direct, now through engine.io's queue, as its buffers fill and drain.
    A write that landed inside another, or overtook one, would show as a frame that
    does not parse or an event out of order."""

    def __init__(self, url: str, subscribes: int) -> None:
        self.ws = websocket.WebSocket(sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)])
        self.ws.connect(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket")
        assert self.ws.recv().startswith("0{")  # engine.io open
        self.ws.send("40")
        assert self.ws.recv().startswith("40")  # Socket.IO connect
        self.events: list[tuple[str, dict]] = []
        self.error: Exception | None = None
        self.running = True
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        for _ in range(subscribes):
            self.ws.send('42["subscribe",{"display":"lobby"}]')

    def _read(self) -> None:
        buffer = bytearray()
        sock = self.ws.sock
        sock.settimeout(0.2)
        try:
            while self.running:
                try:
                    chunk = sock.recv(300)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                buffer += chunk
                while (frame := _take_frame(buffer)) is not None:
                    self._received(frame)
                time.sleep(0.002)
        except Exception as error:  # reported by the test
            self.error = error

    def _received(self, text: str) -> None:
        if text == "2":
            self.ws.send("3")  # pong
        elif text.startswith("42"):
            name, data = json.loads(text[2:])
            self.events.append((name, data))

    def wait_for_calls(self, n: int, timeout: float = 20) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + timeout
        while len(calls(self.events)) < n:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"{len(calls(self.events))} calls of {n}"
            time.sleep(0.05)
        return list(self.events)

    def close(self) -> None:
        self.running = False
        self.reader.join(timeout=2)
        self.ws.close()


def _take_frame(buffer: bytearray) -> str | None:
    """The first whole frame's text, removed from `buffer` (server frames are unmasked,
    unfragmented text); None while it is incomplete."""
    if len(buffer) < 2:
        return None
    assert buffer[0] == 0x81, f"not a whole text frame: {bytes(buffer[:16])!r}"
    size, start = buffer[1] & 0x7F, 2
    if size == 126:
        if len(buffer) < 4:
            return None
        size, start = struct.unpack("!H", buffer[2:4])[0], 4
    elif size == 127:
        if len(buffer) < 10:
            return None
        size, start = struct.unpack("!Q", buffer[2:10])[0], 10
    if len(buffer) < start + size:
        return None
    text = bytes(buffer[start : start + size]).decode("utf-8")
    del buffer[: start + size]
    return text


def calls(events) -> list[str]:
    return [data["number"] for name, data in events if name == "call"]


def test_every_screen_gets_every_call_in_order_busy_or_idle(gevent_hub):
    hub = gevent_hub
    clerk = hub.session()
    screens = [Screen(hub.url, {"display": "lobby"}) for _ in range(12)]
    # Forty snapshots for a screen that reads slowly: more than the socket buffers
    # hold, so the hub is still writing them when the calls come.
    slow = SlowLobby(hub.url, subscribes=40)
    try:
        for screen in screens:
            screen.wait_for("snapshot")
        for _ in range(10):
            requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        called = []
        for _ in range(10):
            answer = clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
            answer.raise_for_status()
            called.append(answer.json()["number"])
            clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10).raise_for_status()
        assert len(set(called)) == 10

        for screen in screens:
            seen = []
            while len(seen) < 10:
                seen.append(screen.wait_for("call")["number"])
            assert seen == called
        got = slow.wait_for_calls(10)
        snapshots = [i for i, (name, _) in enumerate(got) if name == "snapshot"]
        assert calls(got) == called
        # what was queued behind the unread snapshots came after them, not inside them
        first_call = next(i for i, (name, _) in enumerate(got) if name == "call")
        assert snapshots and max(snapshots) < first_call
    finally:
        slow.close()
        for screen in screens:
            screen.close()


def test_an_idle_screen_keeps_its_connection_past_the_writer_timeout(gevent_hub):
    hub = gevent_hub
    clerk = hub.session()
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        lobby.wait_for("snapshot")
        sid = lobby.client.sid
        # Only pings (written directly) for longer than engine.io's writer waits on an
        # empty queue before it ends the connection.
        time.sleep(WRITER_TIMEOUT_S + 1.5)
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        number = clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["number"]
        assert lobby.wait_for("call", where=lambda data: data["number"] == number)
        assert lobby.client.sid == sid, "the screen had to reconnect"
        clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10).raise_for_status()
    finally:
        lobby.close()


def test_a_direct_write_never_lands_inside_or_ahead_of_another():
    """At the moments a broadcast can meet other writes (gevent, real socket pairs)."""
    result = run_in_mode("gevent", [str(HERE / "fanout_probe.py")])
    # the writer is inside a large frame: the broadcast waits its turn (queued)
    assert result["in_progress"] == {"written_directly": False, "large_frame_whole": True}
    # the buffer takes part of a direct write: the rest goes before the next frame
    assert result["partial"] == {"accepted": True, "in_order": True}
    order = result["order"]
    # an event queued because the buffer was full is not overtaken by the next one
    assert order["first_queued"] == 1
    assert order["written_after_queued"] == 0
    assert order["queued"] == ['2["call",{"number":"A001"}]', '2["call",{"number":"A002"}]']
    # a screen with nothing pending gets the frame written directly, byte for byte,
    assert order["idle_screen_frame_ok"] is True
    # and the events of one publish together, in order,
    assert order["publish_of_two"] is True
    # each screen those of its own rooms, when screens of two rooms share a publish
    assert order["each_screen_its_own"] is True
