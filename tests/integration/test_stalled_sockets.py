"""A client that stops reading is dropped by Socket.IO after ping interval + ping
timeout (10 + 5 s in production; the in-process hub here uses 2 + 5 s and the gevent
`motcua run` 4 + 5 s, MOTCUA_PING_INTERVAL_S and MOTCUA_PING_TIMEOUT_S), and the hub then closes its TCP connection too
(kiosk/socket_transport.py): it no longer holds a socket and a file descriptor for
as long as the client likes.  Screens that behave keep their connection.

The test goes on as soon as the hub has ended both stalled connections (their TCP
state, read without taking the data the client left unread), within the same bound as
before: STALL_S, then 8 s to read what the hub had sent."""

from __future__ import annotations

import socket
import time

import pytest
import requests
import websocket

from tests.support.clients import Screen
from tests.support.devices import wait_until

PINGS = {"MOTCUA_PING_INTERVAL_S": "2", "MOTCUA_PING_TIMEOUT_S": "5"}
GEVENT_PINGS = {"MOTCUA_PING_INTERVAL_S": "4", "MOTCUA_PING_TIMEOUT_S": "5"}
# ping interval + ping timeout, the hub's next look at its sessions (one ping timeout), 2 s more
STALL_S = {"threading": 2 + 5 + 5 + 2, "gevent": 4 + 5 + 5 + 2}
TCP_ESTABLISHED = 1  # Linux's tcpi_state (include/net/tcp_states.h)


def stalled_client(url: str, subscribes: int) -> socket.socket:
    """A raw engine.io WebSocket that subscribes, then never reads again."""
    client = websocket.WebSocket(sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)])
    client.connect(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket")
    assert client.recv().startswith("0{")  # engine.io open
    client.send("40")
    assert client.recv().startswith("40")  # Socket.IO connect
    for _ in range(subscribes):
        client.send('42["subscribe",{"display":"lobby"}]')
    return client.sock


def ended_by_hub(sock: socket.socket) -> bool:
    """The hub closed (FIN) or reset (RST) the connection: its TCP state left ESTABLISHED.
    Nothing is read, so a client that stopped reading stays one."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] != TCP_ESTABLISHED


def closed_by_hub(sock: socket.socket, within_s: float) -> bool:
    """Read what the hub had sent; True once the connection ends (end of stream or reset)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


@pytest.fixture(params=["threading", "gevent"])
def any_hub(request, hub_factory, hub_process_factory):
    """The hub in this process (threading) with short pings, or `motcua run` in gevent
    mode with a 9 s ping window: the 80 snapshots built from SQLite hold its event loop
    (seconds once, when a snapshot cost several times what it does now: a 7 s window then
    dropped the well-behaved lobby TV too on a busy machine; the production window is 15 s)."""
    if request.param == "threading":
        return hub_factory(env=PINGS), STALL_S["threading"]
    return hub_process_factory(async_mode="gevent", env=GEVENT_PINGS), STALL_S["gevent"]


def test_a_client_that_stops_reading_loses_its_connection(any_hub):
    hub, stall_s = any_hub
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        lobby.wait_for("snapshot")
        sid = lobby.client.sid
        # one stops reading with little on its way; one with more than the buffers hold,
        # so the hub's send to it cannot finish
        quiet = stalled_client(hub.url, subscribes=1)
        flooded = stalled_client(hub.url, subscribes=80)
        wait_until(lambda: ended_by_hub(quiet) and ended_by_hub(flooded), timeout=stall_s)
        assert closed_by_hub(quiet, within_s=8), "the hub kept a silent client's connection"
        assert closed_by_hub(flooded, within_s=8), "the hub kept a stalled client's connection"
        # the lobby TV that kept reading was never dropped and still gets calls
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        requests.post(f"{hub.url}/api/v1/counters/1/next", headers=hub.auth(), timeout=10)
        assert lobby.wait_for("call")["number"] == "A001"
        assert lobby.client.sid == sid
    finally:
        lobby.close()
