"""Publishing events to Socket.IO rooms: how use cases reach screens after a commit."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk import rooms
from kiosk.events import Outgoing


class SocketIOPublisher:
    """Sends each event once to the union of its rooms (a client in two rooms gets it once).

    Events published before the Socket.IO server is wired into an app (open_hub closing
    earlier days runs before create_app) are held and sent by `send_held` (Hub.init_app):
    with a message queue, screens served by other processes get them too."""

    def __init__(self, server) -> None:
        self.server = server
        self.held: list[Outgoing] = []

    def publish(self, events: Iterable[Outgoing]) -> None:
        if getattr(self.server, "server", None) is None:  # Flask-SocketIO before init_app
            self.held.extend(events)
            return
        self._emit(events)

    def send_held(self) -> None:
        held, self.held = self.held, []
        self._emit(held)

    def _emit(self, events: Iterable[Outgoing]) -> None:
        manager = getattr(getattr(self.server, "server", None), "manager", None)
        if hasattr(manager, "emit_many"):  # Redis: one message for them all
            manager.emit_many(
                [
                    (event.name, event.payload, space, targets)
                    for event in events
                    for space, targets in _by_namespace(event.rooms)
                ]
            )
            return
        for event in events:
            for space, targets in _by_namespace(event.rooms):
                self.server.emit(event.name, event.payload, to=targets, namespace=space)


def _by_namespace(event_rooms) -> list[tuple[str, list[str]]]:
    """The event's rooms grouped by namespace (device agents have their own)."""
    spaces: dict[str, list[str]] = {}
    for room in event_rooms:
        spaces.setdefault(rooms.namespace(room), []).append(room)
    return list(spaces.items())
