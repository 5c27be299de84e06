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

from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

CLOSE_FRAME_TIMEOUT_S = 2.0


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

    def send(self, data: bytes) -> int:
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


def _closing(base: type[SimpleWebSocketWSGI], send_timeout_s: float) -> type:
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
                self.ws.sock = _BoundedSocket(sock)
                return handler(transport)

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
    """Use the closing transport for this python-socketio server's WebSockets."""
    eio = socketio_server.eio
    # engine.io takes its transport from the async driver's table, copied here so that
    # only this server is changed.
    base = eio._async.get("websocket")
    if isinstance(base, type) and issubclass(base, SimpleWebSocketWSGI):
        send_timeout_s = eio.ping_interval + eio.ping_timeout
        eio._async = {**eio._async, "websocket": _closing(base, send_timeout_s)}
