"""The WebSocket under Socket.IO: whole, bounded sends, and the TCP connection closed
when the session ends.

In the threading and gevent modes engine.io runs WebSockets on simple-websocket,
which leaves two holes (python-engineio 4.x, simple-websocket 1.x), and one cost:

- When engine.io ends a session (ping timeout: a client that stopped reading, a
  phone that walked out; or the server disconnecting it) it calls the transport's
  close().  simple-websocket sends a close frame and marks itself closed, but its
  reader stays blocked in recv() until the client sends something or hangs up:
  the TCP connection and its file descriptor stay open for as long as the client
  likes.  A client that stops reading keeps them for ever.
- Its sends are single `socket.send` calls with no time limit: once the kernel
  buffers towards a client that stopped reading are full, the writer blocks for
  ever (and a gevent socket may send part of a frame and drop the rest).
- It accepts permessage-deflate, which every browser offers: a lobby TV then costs the
  hub a zlib compressor of its own (about 256 KiB) and a compression of every event
  (docs/benchmarks.md).  Screens get small JSON on a LAN; the transport declines it.

`install(server)` gives engine.io a transport that sends each frame whole within
SEND_TIMEOUT_S (ping interval + ping timeout, the bound engine.io itself means to
set but cannot reach on this transport), and that on close sends the close frame
within CLOSE_FRAME_TIMEOUT_S and then shuts the socket down: the reader wakes, the
client gets FIN, or RST when it had stopped taking data.  eventlet's own WebSocket
is left as it is.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import types

from engineio import packet as eio_packet
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from engineio.exceptions import SocketIsClosedError

CLOSE_FRAME_TIMEOUT_S = 2.0
# engine.io's client monitor wakes once per connected socket per ping timeout (200
# times a second at 1,000 screens); ours looks at them all once a second.
SWEEP_INTERVAL_S = 1.0


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), as a server sends."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size <= 125:
        header = struct.pack("!BB", 0x81, size)
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class _BoundedSocket:
    """The connection's socket as simple-websocket uses it: `send` sends all of a frame
    within the socket's timeout; a send or receive that times out marks the client as
    stalled; `close` (simple-websocket's reader, when the connection ends for any reason)
    shuts the connection down first.  Shutting down through this socket reaches the
    connection even where it is a duplicate of the server's (gevent's WSGI server), whose
    own write of the response end would otherwise wait for the stalled client for ever."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.stalled = False
        # Held for each write: a broadcast's direct write (DirectSink) never lands
        # inside a frame the writer is still sending.
        self.writing = threading.Lock()

    def send(self, data: bytes) -> int:
        with self.writing:
            try:
                self._sock.sendall(data)
            except OSError:
                self.stalled = True
                raise
        return len(data)

    def recv(self, size: int) -> bytes:
        try:
            return self._sock.recv(size)
        except TimeoutError:
            self.stalled = True
            raise

    def close(self) -> None:
        _shut_down(self._sock, reset=self.stalled)
        self._sock.close()

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class DirectSink:
    """One WebSocket as `runtime.fanout` writes to it: a whole frame, now, or not at all.

    `try_send` writes only when no other write is in progress on the connection, and
    never waits: a full socket buffer (a slow screen) answers False, and the event
    goes through engine.io's queue instead.  When the kernel takes part of a frame, a
    background task sends the rest, holding the connection's write lock until done."""

    def __init__(self, ws, sock: _BoundedSocket, engineio_socket) -> None:
        self._ws = ws  # simple-websocket's connection: `connected` turns False on close
        self._sock = sock
        self._raw = getattr(sock._sock, "_sock", sock._sock)  # under gevent, the OS socket
        self._session = engineio_socket

    def ready(self) -> bool:
        """engine.io's session may be written directly: upgraded, open, nothing waiting in
        its queue (which a direct write would overtake), its ping not overdue (engine.io's
        own send then closes it)."""
        session = self._session
        last_ping = session.last_ping
        return (
            session.upgraded
            and not session.upgrading
            and not session.closed
            and not session.queue.qsize()
            and not (last_ping and time.time() - last_ping > session.server.ping_timeout)
        )

    def try_send(self, frame: bytes) -> bool:
        sock = self._sock
        if sock.stalled or not self._ws.connected or not sock.writing.acquire(blocking=False):
            return False
        try:
            sent = self._raw.send(frame, socket.MSG_DONTWAIT)
        except OSError:  # would block (buffer full), or the connection is gone
            sock.writing.release()
            return False
        if sent == len(frame):
            sock.writing.release()
            return True
        threading.Thread(target=self._send_rest, args=(frame[sent:],), daemon=True).start()
        return True

    def _send_rest(self, rest: bytes) -> None:
        try:
            self._sock._sock.sendall(rest)  # within the socket's timeout
        except OSError:
            self._sock.stalled = True
        finally:
            self._sock.writing.release()


def _closing(base: type[SimpleWebSocketWSGI], send_timeout_s: float, direct: bool) -> type:
    class ClosingWebSocket(base):
        """engine.io's WebSocket transport, which closes its TCP connection."""

        def __call__(self, environ, start_response):
            # No permessage-deflate (browsers offer it, simple-websocket accepts it): each
            # connection would keep a zlib compressor (~256 KiB) and compress every event
            # once per screen, for messages of a few hundred bytes on a LAN.
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
            return super().__call__(environ, start_response)

        def __init__(self, handler, server, **kwargs) -> None:
            def run(transport):
                sock = self.ws.sock
                sock.settimeout(send_timeout_s)  # a client silent this long is gone
                self.ws.sock = bounded = _BoundedSocket(sock)
                engineio_socket = getattr(handler, "__self__", None)
                if not direct or engineio_socket is None:
                    return handler(transport)
                # Broadcasts (runtime/fanout.py), pings and single sends may write this
                # connection directly.
                sink = DirectSink(self.ws, bounded, engineio_socket)
                engineio_socket.direct_sink = sink
                engineio_socket.send = _sending_directly(engineio_socket, sink)
                engineio_socket.poll = _polling_while_open(engineio_socket)
                engineio_socket.schedule_ping = _ping_by_sweep(engineio_socket)
                try:
                    return handler(transport)
                finally:
                    engineio_socket.direct_sink = None
                    del engineio_socket.send  # engine.io's own, through the queue
                    del engineio_socket.poll
                    del engineio_socket.schedule_ping

            super().__init__(run, server, **kwargs)

        def close(self) -> None:
            ws = getattr(self, "ws", None)
            sock = getattr(ws, "sock", None)
            if not isinstance(sock, _BoundedSocket):
                return super().close()  # the handler never ran
            if ws.connected and not sock.stalled:
                try:
                    sock.settimeout(CLOSE_FRAME_TIMEOUT_S)
                    super().close()  # the close frame
                except Exception:  # timed out or reset: the client takes nothing more
                    sock.stalled = True
            ws.connected = False
            # Wakes the reader blocked in recv(); it then closes the socket (above).
            _shut_down(sock._sock, reset=sock.stalled)
            return None

    ClosingWebSocket.__name__ = f"Closing{base.__name__}"
    return ClosingWebSocket


def _sending_directly(engineio_socket, sink: DirectSink):
    """engine.io's `Socket.send` for one upgraded WebSocket: written now when nothing is
    queued or being written, else queued as engine.io does.  Saves a wake-up of the
    socket's writer for each ping and each event sent to one screen."""
    queued = engineio_socket.send

    def send(pkt) -> None:
        if not pkt.binary and sink.ready() and sink.try_send(text_frame(pkt.encode())):
            return
        queued(pkt)  # engine.io's: also closes a session whose ping is overdue

    return send


def _polling_while_open(engineio_socket):
    """engine.io's `Socket.poll` for the WebSocket's writer: waits for packets as long as
    the connection lasts.

    engine.io's writer waits at most ping interval + ping timeout, and ends the
    connection when nothing came in that time, taking it as a sign that no ping was
    sent.  With pings written directly the queue may stay empty for hours; a dead
    client is found by the ping timeout (the sweep) and the reader's timeout, and the
    end of a connection always queues None (engine.io's `close` and its handler's
    exit), which ends the wait."""
    packets_queue = engineio_socket.queue

    def poll() -> list:
        first = packets_queue.get()
        packets_queue.task_done()
        if first is None:
            return []
        packets = [first]
        while packets_queue.qsize():
            pkt = packets_queue.get(block=False)
            packets_queue.task_done()
            if pkt is None:
                packets_queue.put(None)  # as engine.io's: the next poll ends the writer
                break
            packets.append(pkt)
        return packets

    return poll


def _ping_by_sweep(engineio_socket):
    """engine.io's `Socket.schedule_ping` (after each pong) for a WebSocket: the next
    ping is sent by the sweep once it is due, not by a greenlet of its own that sleeps
    out the ping interval (one per screen at all times, and one spawned per ping)."""

    def schedule_ping() -> None:
        if engineio_socket.last_ping:
            engineio_socket.last_ping = None
            engineio_socket.ping_due = time.monotonic() + engineio_socket.server.ping_interval

    return schedule_ping


def _sweep_clients(eio) -> None:
    """engine.io's service task (`Server._service_task`), one pass over all sockets per
    SWEEP_INTERVAL_S: a closed socket is forgotten, a silent one closed, and the pings
    that fell due (`_ping_by_sweep`) are sent, at most SWEEP_INTERVAL_S late."""
    eio.service_task_event = eio.create_event()
    ping = eio_packet.Packet(eio_packet.PING)
    while not eio.service_task_event.wait(timeout=SWEEP_INTERVAL_S):
        now = time.monotonic()
        for client in list(eio.sockets.values()):
            try:
                if client.closed:
                    eio.sockets.pop(client.sid, None)
                elif client.closing:
                    continue
                elif client.check_ping_timeout():
                    due = getattr(client, "ping_due", None)
                    if due is not None and due <= now:
                        client.ping_due = None
                        client.last_ping = time.time()
                        client.send(ping)
            except SocketIsClosedError:  # closed meanwhile (threading mode)
                continue
            except Exception:  # as engine.io's: log it and go on
                eio.logger.exception("service task exception")


def _shut_down(sock: socket.socket, reset: bool) -> None:
    """End the TCP connection now: FIN after what is already sent, or RST (no linger)
    when the client stopped taking data and would keep the rest queued for minutes."""
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked in recv()
    except OSError:
        pass  # already closed by the other side


def install(socketio_server) -> None:
    """Use the closing transport for this python-socketio server's WebSockets, and a
    client monitor that sweeps them all at once."""
    eio = socketio_server.eio
    eio._service_task = types.MethodType(_sweep_clients, eio)
    # engine.io takes its transport from the async driver's table, copied here so that
    # only this server is changed.
    base = eio._async.get("websocket")
    if isinstance(base, type) and issubclass(base, SimpleWebSocketWSGI):
        send_timeout_s = eio.ping_interval + eio.ping_timeout
        # Direct writes need greenlets' switching only where they wait (runtime/fanout.py).
        direct = eio.async_mode == "gevent"
        eio._async = {**eio._async, "websocket": _closing(base, send_timeout_s, direct)}
