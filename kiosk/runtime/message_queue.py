"""Redis between hub processes: the events of one publish go out as one message.

A use case publishes its events together after its commit (a press: `call`, `counter`
for three audiences, `ticket` for three, `queue`).  python-socketio's RedisManager
sends each emit as a Redis PUBLISH of its own, a round trip each, and every other
process unpacks each one: 11 % of a province hub's CPU in bench/province.py.
`BatchingRedisManager.emit_many` sends this process's screens their events (as
`DirectManager.emit_many` does: runtime/fanout.py) and the other processes one
message holding them all, in order; each process hands them to its own screens the
same way.

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
        DirectManager.emit_many(self, emits)
        messages = [
            {
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
            for event, payload, namespace, rooms in emits
        ]
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
            inner = message["data"][0]
            if all(_plain(each) for each in inner):
                # this process's screens get them as the sender's did (DirectManager)
                DirectManager.emit_many(
                    self,
                    [
                        (each["event"], each["data"][0], each.get("namespace") or "/", each["room"])
                        for each in inner
                    ],
                )
            else:
                for each in inner:
                    super()._handle_emit(each)
            return
        super()._handle_emit(message)


def _plain(message: dict) -> bool:
    """An emit of one payload with no acknowledgement, skipped client or attachment."""
    return (
        not message.get("callback")
        and not message.get("binary")
        and not message.get("skip_sid")
        and isinstance(message.get("data"), list)
        and len(message["data"]) == 1
    )


def client_manager(url: str | None, channel: str) -> dict:
    """Flask-SocketIO's init_app arguments for the message queue at `url`: ours for
    Redis or none, Flask-SocketIO's own choice for any other."""
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": BatchingRedisManager(url, channel=channel)}
    if not url:
        return {"client_manager": DirectManager()}
    return {"message_queue": url, "channel": channel}
