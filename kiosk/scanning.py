"""The hub's side of scanners: turn a scan result into the `scan` event a
kiosk or console shows (message in Vietnamese and English), and run the
serial scanner workers of this process."""

from __future__ import annotations

import logging

from flask_babel import force_locale

from kiosk import rooms
from kiosk.events import Outgoing
from kiosk.messages import message
from kiosk.usecases.scans import ScanResult

log = logging.getLogger(__name__)


def scan_payload(
    result: ScanResult, *, kiosk: str | None = None, counter: int | None = None
) -> dict:
    payload = {"kind": result.kind, "kiosk": kiosk, "counter": counter, "ticket": result.ticket}
    if result.error is not None:
        texts = {}
        for language in ("vi", "en"):
            with force_locale(language):
                texts[language] = message(result.error.code, **result.error.params)
        payload.update(error=result.error.code, message=texts)
    return payload


def publish_scan_result(hub, payload: dict) -> None:
    centre = hub.centre_id
    audience = (
        (rooms.kiosks(centre),)
        if payload.get("kiosk")
        else (rooms.counter(centre, payload["counter"]),)
    )
    hub.ctx.publish([Outgoing("scan", payload, audience)])
