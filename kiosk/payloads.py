"""Limits on what a client may send, checked before any JSON is decoded: the HTTP API
(kiosk/api/body.py) and Socket.IO events (`GuardedPacket`) share them.

Python's json module recurses once per `[` or `{`: 100,000 of them raise
RecursionError deep inside the decoder.  So the raw text is scanned first, counting
bracket depth outside strings, and anything nested deeper than MAX_DEPTH is refused
without being decoded.  No hub payload nests more than 4 levels.
"""

from __future__ import annotations

import json
import re

from engineio import json as engineio_json
from socketio import packet as sio_packet

MAX_DEPTH = 32
MAX_JSON_BYTES = 512 * 1024  # a batch of 1000 appointments is ~200 KiB
MAX_SOCKET_BYTES = 64 * 1024  # engine.io's max_http_buffer_size (kiosk/app.py)

# A string, or an unterminated one up to the end: every match from a quote succeeds, so
# the scan stays linear (json.loads refuses the unterminated string afterwards).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(raw: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """True when `raw` nests arrays/objects deeper than `limit` (strings are skipped)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class Refused:
    """Stands for a Socket.IO event's data that was not decoded (`reason`: too_deep or
    invalid_json): the handler answers `ok: false` instead of the client waiting forever."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Refused({self.reason!r})"


_EVENT_NAME = re.compile(r'\s*\[\s*"([A-Za-z0-9_.:-]{1,64})"')


class GuardedJSON:
    """json for Socket.IO packets: an event too deep or not JSON still reaches its handler
    (with `Refused` as its data) when its name can be read, so the client gets an answer."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text: str, **kwargs):
        if not too_deep(text):
            try:
                return engineio_json.loads(text, **kwargs)  # it refuses 100-digit numbers
            except (ValueError, RecursionError):
                reason = "invalid_json"
        else:
            reason = "too_deep"
        name = _EVENT_NAME.match(text)
        if name is None:
            raise ValueError(f"Socket.IO payload refused: {reason}")
        return [name.group(1), Refused(reason)]


class GuardedPacket(sio_packet.Packet):
    """python-socketio's packet with GuardedJSON: `socketio.init_app(serializer=…)`."""

    json = GuardedJSON


# subscribe's text fields and their longest value; `counter` is checked by the handler.
SUBSCRIBE_TEXT = {"display": 16, "ticket": 64, "token": 512, "centre": 64}


def subscription_problem(data: dict) -> str | None:
    """What is wrong with a `subscribe` payload's shape (English detail), or None."""
    from kiosk.textrules import refused_character

    if len(data) > 16:
        return "subscribe takes at most 16 keys"
    for key, longest in SUBSCRIBE_TEXT.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{key} must be text"
        if len(value) > longest:
            return f"{key} is longer than {longest} characters"
        if refused_character(value) is not None:
            return f"{key} contains a control character"
    if "supervisor" in data and not isinstance(data["supervisor"], bool):
        return "supervisor must be true or false"
    if "province" in data and not isinstance(data["province"], bool):
        return "province must be true or false"
    return None
