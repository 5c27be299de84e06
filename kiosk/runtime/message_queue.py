"""Redis between hub processes: the events of one publish go out as one message.

A use case publishes its events together after its commit (a press: `call`, `counter`
for three audiences, `ticket` for three, `queue`).  python-socketio's RedisManager
sends each emit as a Redis PUBLISH of its own, a round trip each, and every other
process unpacks each one: 11 % of a province hub's CPU in bench/province.py.
`BatchingRedisManager.emit_many` sends this process's screens their events as before
and the other processes one message holding them all, in order; each process hands
them to its own screens one by one, as if they had come separately.

The message looks like an emit to a room nobody joins (BATCH_ROOM): a process of an
older release, during a rolling upgrade, emits it to no one rather than sending the
staff's payloads in it to every screen.
"""

from __future__ import annotations

import socketio

from kiosk.runtime.fanout import DirectManager

BATCH_EVENT = "motcua:events"
BATCH_ROOM = "motcua:batch (never joined)"


class BatchingRedisManager(socketio.RedisManager, DirectManager):
    """RedisManager, whose delivery to this process's screens writes them directly
    (runtime/fanout.py: DirectManager comes after PubSubManager in the MRO)."""

    def emit_many(self, emits: list[tuple[str, object, str, list[str]]]) -> None:
        """(event, payload, namespace, rooms) for each event, in order: to this
        process's clients now, and to the other processes in one message."""
        messages = []
        for event, payload, namespace, rooms in emits:
            message = {
                "method": "emit",
                "event": event,
                "data": [payload],
                "binary": False,
                "namespace": namespace,
                "room": rooms,
                "skip_sid": None,
                "callback": None,
                "host_id": self.host_id,
            }
            self._handle_emit(message)
            messages.append(message)
        if messages:
            self._publish(
                {
                    "method": "emit",
                    "event": BATCH_EVENT,
                    "data": [messages],
                    "binary": False,
                    "namespace": "/",
                    "room": BATCH_ROOM,
                    "skip_sid": None,
                    "callback": None,
                    "host_id": self.host_id,
                }
            )

    def _handle_emit(self, message: dict) -> None:
        if message.get("event") == BATCH_EVENT and message.get("room") == BATCH_ROOM:
            for inner in message["data"][0]:
                super()._handle_emit(inner)
            return
        super()._handle_emit(message)


def client_manager(url: str | None, channel: str) -> dict:
    """Flask-SocketIO's init_app arguments for the message queue at `url`: ours for
    Redis or none, Flask-SocketIO's own choice for any other."""
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": BatchingRedisManager(url, channel=channel)}
    if not url:
        return {"client_manager": DirectManager()}
    return {"message_queue": url, "channel": channel}
