"""One event to a room of screens: framed once, written straight to each idle WebSocket.

python-socketio encodes a room's event once, then hands each screen its own copy
through engine.io: a put on the socket's queue, a switch to the socket's writer
greenlet (which starts and cancels a timer to wait on that queue), the WebSocket
framing in wsproto, and the write.  That was about 50 µs of hub CPU per screen, so
a press cost 100 ms at 1,000 lobby screens (docs/benchmarks.md, issue 15).

A server's WebSocket frames are not masked, so the bytes of one text frame are the
same for every screen.  `DirectEmitMixin.emit` builds them once and, for each screen
whose WebSocket is idle (`socket_transport.DirectSink.ready`: nothing queued, no
write in progress), writes them with one non-blocking `send`.  Any other screen (polling,
upgrading, a write pending, a full socket buffer, a ping overdue) gets the event the
usual way, through its queue, so each screen still receives its events in order.

Only under gevent: the sink is attached there (`socket_transport.install`).  In the
threading mode a writer thread may have taken a packet off the queue and not yet
written it, and a direct write could overtake it; greenlets switch only where they
wait, so under gevent a writer that holds packets is inside a write and holds the
sink's lock.  eventlet serves WebSockets with its own transport and keeps the usual
path.
"""

from __future__ import annotations

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from kiosk.socket_transport import text_frame


class DirectEmitMixin:
    """For a python-socketio client manager: `emit` and `emit_many` write each idle
    WebSocket directly.

    Must come before `socketio.Manager` in the class's bases, so that a pub/sub
    manager's delivery to this process's clients (`super().emit`) takes it too."""

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, **kwargs):
        room = kwargs.get("to") or room
        message = None
        if callback is None and namespace in self.rooms:
            message = self._message(event, data, namespace)
        if message is None:  # an acknowledgement asked, or binary attachments: the usual way
            return super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        self._deliver(
            {
                eio_sid: [message]
                for sid, eio_sid in self.get_participants(namespace, room)
                if sid not in skip
            }
        )
        return None

    def emit_many(self, emits: list[tuple[str, object, str, list[str]]]) -> None:
        """(event, payload, namespace, rooms) for each event of one publish, in order.
        A screen that several of them reach gets all its frames in one write: a lobby
        TV's `call` and `queue` of a press cost one system call, not two."""
        messages = []
        for event, payload, namespace, rooms in emits:
            if namespace not in self.rooms:
                continue
            # A use case's payloads are JSON (Outgoing): no walk through each one looking
            # for bytes (python-socketio's data_is_binary, a fifth of a press in process).
            message = self._message(event, payload, namespace, binary=False)
            if message is None:  # binary attachments: each event the usual way, in order
                for event, payload, namespace, rooms in emits:
                    self.emit(event, payload, namespace, room=rooms)
                return
            messages.append((message, namespace, rooms))
        by_socket: dict[str, list] = {}
        for message, namespace, rooms in messages:
            for _sid, eio_sid in self.get_participants(namespace, rooms):
                by_socket.setdefault(eio_sid, []).append(message)
        self._deliver(by_socket)

    def _message(self, event, data, namespace, binary=None):
        """The engine.io MESSAGE packet of one event (encoded once for every screen), or
        None when it has binary attachments (several packets)."""
        if isinstance(data, tuple):
            data = list(data)
        elif data is not None:
            data = [data]
        else:
            data = []
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event] + data, binary=binary
        ).encode()
        if isinstance(encoded, list):
            return None
        return eio_packet.Packet(eio_packet.MESSAGE, encoded)

    def _deliver(self, by_socket: dict[str, list]) -> None:
        """Each engine.io socket's packets, in order: one direct write of all their frames
        when its WebSocket is idle, else through its queue."""
        sockets = self.server.eio.sockets
        send_queued = self.server._send_eio_packet
        frames: dict[int, bytes] = {}
        # The bytes of one write, by the packets it carries: every lobby TV of a press
        # gets the same `call` and `queue`, joined once, not once per screen.
        writes: dict[tuple[int, ...], bytes] = {}
        for eio_sid, messages in by_socket.items():
            sink = getattr(sockets.get(eio_sid), "direct_sink", None)
            if sink is not None and sink.ready():
                key = tuple(map(id, messages))
                data = writes.get(key)
                if data is None:
                    data = writes[key] = b"".join(_frame(message, frames) for message in messages)
                if sink.try_send(data):
                    continue
            for message in messages:
                send_queued(eio_sid, message)


def _frame(message, frames: dict[int, bytes]) -> bytes:
    """`message`'s WebSocket frame, built once per publish."""
    frame = frames.get(id(message))
    if frame is None:
        frame = frames[id(message)] = text_frame(message.encode())
    return frame


class DirectManager(DirectEmitMixin, socketio.Manager):
    """The client manager of a hub without a message queue."""
