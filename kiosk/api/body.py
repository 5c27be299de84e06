"""Reading JSON request bodies strictly: wrong types are a 400, never a 500."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from kiosk.core.errors import InvalidInput


def _bad(detail) -> InvalidInput:
    """A 400 whose detail is said in the request's language (the field name stays as sent)."""
    return InvalidInput("bad_request", detail=detail)


def json_body() -> dict:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("invalid_json")
    return data


def text(data: dict, key: str, *, required: bool = False, max_len: int = 200) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _bad(_l("%(key)s is required", key=key))
        return None
    if not isinstance(value, str):
        raise _bad(_l("%(key)s must be text", key=key))
    value = value.strip()
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
