"""Scanned codes sent by a page (a keyboard-wedge scanner types into the kiosk
or console) — the same use cases the serial scanner workers call."""

from __future__ import annotations

from flask import jsonify

from kiosk.access import require_device
from kiosk.api.auth_routes import TooManyRequests
from kiosk.api.blueprint import bp
from kiosk.api.body import json_body, text
from kiosk.api.common import ctx
from kiosk.auth import require_counter
from kiosk.runtime import current_hub
from kiosk.usecases import scans


@bp.post("/kiosks/<name>/scan")
@require_device("kiosk")
def kiosk_scan(name: str):
    from kiosk.api.tickets import kiosk_key

    if not current_hub().issue_limiter.allow(kiosk_key()):
        raise TooManyRequests("rate_limited")
    code = text(json_body(), "code", required=True, max_len=200)
    return _answer(scans.at_kiosk(ctx(), name[:64], code))


@bp.post("/counters/<int:number>/scan")
def counter_scan(number: int):
    user = require_counter(number)
    code = text(json_body(), "code", required=True, max_len=200)
    return _answer(scans.at_counter(ctx(), number, code, user_id=user.id))


def _answer(result: scans.ScanResult):
    """The HTTP answer follows the API's error shape (`message` in the caller's language);
    the screens got both languages in the `scan` event.  A citizen ID card answers
    `kind: "citizen_id"` with `suggested_priority` and `masked_id` (CONTRACT.md), and
    with an error's status when its holder's booking cannot be checked in now."""
    payload = result.payload
    if result.error is None:
        return jsonify(payload), 200
    from flask_babel import get_locale

    texts = payload["message"]
    language = str(get_locale() or "vi")
    body = {**payload, "message": texts.get(language, texts["vi"]), "messages": texts}
    return jsonify(body), result.error.status
