"""Reading JSON request bodies strictly: wrong types are a 400, never a 500."""

from __future__ import annotations

from flask import request

from kiosk.core.errors import InvalidInput


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
            raise InvalidInput("bad_request", detail=f"{key} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput("bad_request", detail=f"{key} must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput("bad_request", detail=f"{key} is required")
    if len(value) > max_len:
        raise InvalidInput("bad_request", detail=f"{key} is longer than {max_len} characters")
    return value


def integer(
    data: dict, key: str, *, required: bool = False, low: int | None = None, high: int | None = None
) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput("bad_request", detail=f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("bad_request", detail=f"{key} must be a whole number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidInput("bad_request", detail=f"{key} is out of range")
    return value
