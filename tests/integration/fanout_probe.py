"""Drive the direct writes of kiosk/runtime/fanout.py and kiosk/socket_transport.py under
gevent over real socket pairs, at the moments a broadcast can meet a write in
progress, and print what the reading end got as JSON (started by test_fanout.py in a
fresh interpreter, because monkey-patching must come first): `python fanout_probe.py`."""

from __future__ import annotations

from kiosk import asyncmode  # noqa: E402  (imports only os)

asyncmode.apply("gevent")

import json  # noqa: E402
import queue  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gevent  # noqa: E402
from engineio import packet as eio_packet  # noqa: E402
from socketio import packet as sio_packet  # noqa: E402

from kiosk.runtime.fanout import DirectManager  # noqa: E402
from kiosk.socket_transport import DirectSink, _BoundedSocket, text_frame  # noqa: E402

SMALL_BUFFER = 4096


def pair() -> tuple[socket.socket, socket.socket]:
    """A TCP connection on loopback, as a screen's: the hub's end (gevent socket, small
    send buffer) and the screen's, which reads only when told to."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        screen_end = socket.socket()
        screen_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
        screen_end.connect(listener.getsockname())
        hub_end, _ = listener.accept()
    hub_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)
    hub_end.settimeout(5)
    return hub_end, screen_end


def session(hub_end: socket.socket) -> SimpleNamespace:
    """What a DirectSink reads of engine.io's Socket (upgraded, open, its queue, its
    ping), with the sink on `hub_end` attached as `socket_transport` attaches it."""
    engineio_socket = SimpleNamespace(
        upgraded=True,
        upgrading=False,
        closed=False,
        last_ping=None,
        queue=queue.Queue(),
        server=SimpleNamespace(ping_timeout=5),
    )
    engineio_socket.direct_sink = DirectSink(
        SimpleNamespace(connected=True), _BoundedSocket(hub_end), engineio_socket
    )
    return engineio_socket


def read_all(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    sock.settimeout(5)
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def drain(sock: socket.socket) -> bytes:
    data = bytearray()
    sock.setblocking(False)
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except BlockingIOError:
        pass
    sock.settimeout(5)
    return bytes(data)


def broadcast_meets_a_write_in_progress() -> dict:
    """The writer is inside a large frame, blocked on a full buffer; the screen reads a
    little (room for a small frame); a broadcast comes before the writer resumes."""
    hub_end, screen_end = pair()
    sink = session(hub_end).direct_sink
    bounded = sink._sock
    large = text_frame("L" * 200_000)
    small = text_frame("4" + '2["call",{"number":"A001"}]')
    writer = gevent.spawn(bounded.send, large)
    gevent.sleep(0.05)  # the writer sent what fitted and waits
    head = read_all(screen_end, 2 * SMALL_BUFFER)  # room for the small frame now
    written_directly = sink.try_send(small)  # the writer has not run since
    rest = bytearray()
    screen_end.settimeout(0.2)
    while not writer.ready() or len(rest) < len(large) - len(head):
        try:
            rest += screen_end.recv(65536)
        except TimeoutError:
            pass
        gevent.sleep(0)
    rest += drain(screen_end)
    return {"written_directly": written_directly, "large_frame_whole": head + rest == large}


def part_of_a_frame_fits() -> dict:
    """A direct write of which the buffer takes only part: the rest follows before the
    writer's next frame."""
    hub_end, screen_end = pair()
    sink = session(hub_end).direct_sink
    bounded = sink._sock
    event = text_frame("E" * 100_000)
    following = text_frame("F" * 10)
    accepted = sink.try_send(event)
    writer = gevent.spawn(bounded.send, following)  # waits for the rest of `event`
    got = bytearray()
    screen_end.settimeout(0.2)
    while len(got) < len(event) + len(following):
        try:
            got += screen_end.recv(65536)
        except TimeoutError:
            pass
        gevent.sleep(0)
    writer.join(timeout=5)
    return {"accepted": accepted, "in_order": bytes(got) == event + following}


def frame_of(socketio_packet: str) -> bytes:
    return text_frame(eio_packet.Packet(eio_packet.MESSAGE, socketio_packet).encode())


class Server:
    """What DirectManager uses of python-socketio's Server: the engine.io sockets, the
    packet class, and the queued send (engine.io's Socket.send puts on its queue)."""

    packet_class = sio_packet.Packet

    def __init__(self) -> None:
        ids = iter(range(1, 100))
        self.eio = SimpleNamespace(sockets={}, ping_timeout=5, generate_id=lambda: f"s{next(ids)}")

    def _send_eio_packet(self, eio_sid: str, pkt) -> None:
        self.eio.sockets[eio_sid].queue.put(pkt)


def queued_events_are_not_overtaken() -> dict:
    """An event goes to engine.io's queue (the buffer was full); the screen then reads
    everything; the next event must queue behind it, not be written first."""
    server = Server()
    manager = DirectManager()
    manager.set_server(server)
    manager.initialize()
    hub_end, screen_end = pair()
    engineio_socket = session(hub_end)
    server.eio.sockets["e1"] = engineio_socket
    manager.connect("e1", "/")
    sid = manager.sid_from_eio_sid("e1", "/")
    manager.enter_room(sid, "/", "lobby")
    # fill the buffers
    hub_end.setblocking(False)
    try:
        while True:
            hub_end.send(b"x" * 65536)
    except BlockingIOError:
        pass
    hub_end.settimeout(5)
    manager.emit("call", {"number": "A001"}, "/", room="lobby")
    first_queued = engineio_socket.queue.qsize()
    drain(screen_end)
    time.sleep(0.05)
    manager.emit("call", {"number": "A002"}, "/", room="lobby")
    gevent.sleep(0.05)
    written_after = drain(screen_end)
    queued = [engineio_socket.queue.get_nowait() for _ in range(engineio_socket.queue.qsize())]
    # a second, idle screen gets the same event written directly
    idle_hub_end, idle_screen_end = pair()
    server.eio.sockets["e2"] = session(idle_hub_end)
    manager.connect("e2", "/")
    manager.enter_room(manager.sid_from_eio_sid("e2", "/"), "/", "lobby")
    manager.emit("call", {"number": "A003"}, "/", room="lobby")
    gevent.sleep(0.05)
    idle_got = drain(idle_screen_end)
    expected = frame_of('2["call",{"number":"A003"}]')
    # one publish of two events: the idle screen gets both frames, in order, at once
    manager.emit_many(
        [("call", {"number": "A004"}, "/", ["lobby"]), ("queue", {"waiting": 3}, "/", ["lobby"])]
    )
    gevent.sleep(0.05)
    both = drain(idle_screen_end)
    # one publish reaching two rooms: a lobby screen and a kiosk each get their own
    # two events (as many as the other's, not the same), each in one write
    kiosk_hub_end, kiosk_screen_end = pair()
    server.eio.sockets["e3"] = session(kiosk_hub_end)
    manager.connect("e3", "/")
    manager.enter_room(manager.sid_from_eio_sid("e3", "/"), "/", "kiosks")
    manager.emit_many(
        [
            ("call", {"number": "A005"}, "/", ["lobby"]),
            ("queue", {"waiting": 2}, "/", ["lobby", "kiosks"]),
            ("print", {"ok": True}, "/", ["kiosks"]),
        ]
    )
    gevent.sleep(0.05)
    lobby_got, kiosk_got = drain(idle_screen_end), drain(kiosk_screen_end)
    queue_frame = frame_of('2["queue",{"waiting":2}]')
    return {
        "each_screen_its_own": lobby_got == frame_of('2["call",{"number":"A005"}]') + queue_frame
        and kiosk_got == queue_frame + frame_of('2["print",{"ok":true}]'),
        "publish_of_two": both
        == frame_of('2["call",{"number":"A004"}]') + frame_of('2["queue",{"waiting":3}]'),
        "first_queued": first_queued,
        "written_after_queued": len(written_after),
        "queued": [pkt.data for pkt in queued],
        "idle_screen_frame_ok": idle_got == expected,
    }


print(
    json.dumps(
        {
            "mode": "gevent",
            "in_progress": broadcast_meets_a_write_in_progress(),
            "partial": part_of_a_frame_fits(),
            "order": queued_events_are_not_overtaken(),
        }
    )
)
