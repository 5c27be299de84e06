"""Reading JSON request bodies strictly: wrong types are a 400, never a 500.

Every JSON body the hub reads goes through `json_body` (the API routes, and the admin
forms when a client posts JSON: kiosk/admin/forms.py): too large or nested too deep
(kiosk/payloads.py) is refused before it is decoded; every text field is checked by
kiosk/textrules.py (no control characters, NFC, trimmed).
"""

from __future__ import annotations

import json

from flask import request
from flask_babel import lazy_gettext as _l

from kiosk.core.errors import InvalidInput
from kiosk.payloads import MAX_DEPTH, MAX_JSON_BYTES, too_deep
from kiosk.textrules import ControlCharacter, clean, refused_character


def _bad(detail) -> InvalidInput:
    """A 400 whose detail is said in the request's language (the field name stays as sent)."""
    return InvalidInput("bad_request", detail=detail)


def json_body() -> dict:
    """The request's JSON object; {} for an empty body; a 400 for anything else."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise InvalidInput("body_too_large", max_kib=MAX_JSON_BYTES // 1024)
    if request.is_json:
        # Read as it came: werkzeug's form parsing, a no-op for JSON that still walks
        # the app's limits through several context lookups, is skipped.
        raw = request.get_data(parse_form_data=False)
    else:
        raw = request.data  # empty for a form post (werkzeug parsed it): no JSON body
    if not raw:
        return {}
    if len(raw) > MAX_JSON_BYTES:
        raise InvalidInput("body_too_large", max_kib=MAX_JSON_BYTES // 1024)
    if not request.is_json:
        raise InvalidInput("invalid_json")
    if too_deep(raw):
        raise InvalidInput("too_deep", max=MAX_DEPTH)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise InvalidInput("invalid_json") from error
    if not isinstance(data, dict):
        raise InvalidInput("invalid_json")
    return data


def text(
    data: dict, key: str, *, required: bool = False, max_len: int = 200, multiline: bool = False
) -> str | None:
    """A text field: NFC, trimmed, no control characters (line breaks only if
    `multiline`), at most `max_len` characters."""
    value = data.get(key)
    if value is None:
        if required:
            raise _bad(_l("%(key)s is required", key=key))
        return None
    if not isinstance(value, str):
        raise _bad(_l("%(key)s must be text", key=key))
    value = clean(value, key, multiline=multiline)
    if required and not value:
        raise _bad(_l("%(key)s is required", key=key))
    if len(value) > max_len:
        raise _bad(_l("%(key)s is longer than %(max)s characters", key=key, max=max_len))
    return value


def integer(
    data: dict, key: str, *, required: bool = False, low: int | None = None, high: int | None = None
) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _bad(_l("%(key)s is required", key=key))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(_l("%(key)s must be a whole number", key=key))
    if (low is not None and value < low) or (high is not None and value > high):
        raise _bad(_l("%(key)s is out of range", key=key))
    return value


def secret(data: dict, key: str, *, max_len: int = 256) -> str:
    """A password: required text without control characters, compared as typed (no
    Unicode normalisation: the stored hash was made from the text as typed)."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _bad(_l("%(key)s is required", key=key))
    if refused_character(value) is not None:
        raise ControlCharacter(key)
    if len(value) > max_len:
        raise _bad(_l("%(key)s is longer than %(max)s characters", key=key, max=max_len))
    return value.strip()
