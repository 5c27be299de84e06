"""Outgoing real-time events.  Use cases return `Outgoing` values; they are
published only after the transaction that caused them has committed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    # snapshot | settings | call | counter | ticket | queue | rating | scan | scan_ticket
    # | print | device | alert | session_ended (rooms and shapes: docs/architecture.md)
    name: str
    payload: dict
    rooms: tuple[str, ...]


class Publisher(Protocol):
    def publish(self, events: Iterable[Outgoing]) -> None: ...


class RecordingPublisher:
    """Keeps what was published; used by the CLI (no screens) and unit tests of use cases."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def publish(self, events: Iterable[Outgoing]) -> None:
        self.sent.extend(events)
