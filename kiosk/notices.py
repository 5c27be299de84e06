"""Outward notices (issue 17): "your turn is near" and "you are called" sent out of the
hub, to a receiver a centre configures (an SMS gateway, a Zalo Official Account bridge).

A use case hands a notice to a `Notifier` after its transaction has committed; the
notifier delivers it off the request path (kiosk/runtime/webhook.py is the one real
implementation: signed JSON POSTs with retries).  docs/remote.md describes the payload
and the signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

EVENTS = ("ticket.near", "ticket.called")


@dataclass(frozen=True)
class Notice:
    url: str  # where the centre wants its notices
    secret: str  # the centre's webhook secret (signs the body)
    event: str  # one of EVENTS
    payload: dict  # the JSON body


class Notifier(Protocol):
    def notify(self, notice: Notice) -> None:
        """Queue the notice and return at once; never raises for a dead receiver."""


class RecordingNotifier:
    """Keeps what was handed over; for use-case tests and scripts."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def notify(self, notice: Notice) -> None:
        self.sent.append(notice)
