"""Access levels shared by HTTP routes and Socket.IO events.

    public      anyone (status pages by secret token, health, static files)
    device      anyone, unless the centre requires device tokens: then a paired
                device (see kiosk/usecases/device_tokens.py) or logged-in staff
    clerk, supervisor, admin
                a logged-in user with at least that role (kiosk/auth.py)

`tests/integration/test_access_matrix.py` holds the expected level of every
route and event: a new route without a rule fails CI.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import g, request

from kiosk.auth import READS, Forbidden, Unauthorized, current_actor
from kiosk.runtime import current_centre
from kiosk.usecases import device_tokens

DEVICE_COOKIE = "motcua_device"
DEVICE_HEADER = "X-Device-Token"
_SETTING_TTL_S = 5.0  # admins switching the requirement see it apply within seconds


class DeviceNotPaired(Unauthorized):
    """401 with its own code, so a kiosk can show "this device is not paired"."""


def presented_token(explicit: str | None = None) -> str | None:
    return explicit or request.headers.get(DEVICE_HEADER) or request.cookies.get(DEVICE_COOKIE)


def tokens_required() -> bool:
    """Whether the request's centre requires paired devices; cached on the served centre
    (each hub, each centre its own), re-read after _SETTING_TTL_S so other processes follow."""
    centre = current_centre()
    cached = centre.tokens_required_cache
    if cached and time.monotonic() - cached[0] < _SETTING_TTL_S:
        return cached[1]
    value = device_tokens.tokens_required(centre.ctx)
    centre.tokens_required_cache = (time.monotonic(), value)
    return value


def forget_setting() -> None:
    """Call after changing `require_device_tokens` so this process applies it at once."""
    current_centre().tokens_required_cache = None


def current_device(explicit: str | None = None) -> device_tokens.Device | None:
    """The paired device asking, looked up once per request or Socket.IO event; a token
    of another centre's is no device here."""
    seen = g.setdefault("devices", {})
    if explicit not in seen:
        ctx = current_centre().ctx
        seen[explicit] = device_tokens.verify(ctx, presented_token(explicit))
    return seen[explicit]


def device_allowed(kinds: tuple[str, ...], explicit_token: str | None = None) -> bool:
    """True when the centre is open to any device, or a paired device of `kinds`
    or a logged-in staff member is asking."""
    if not tokens_required():
        return True
    device = current_device(explicit_token)
    if device is not None and device.kind in kinds:
        return True
    try:
        actor = current_actor()
    except Unauthorized:
        return False
    # A province supervisor watches screens but takes no number for anyone.
    return actor is not None and not (actor.read_only and request.method not in READS)


def check_device(kinds: tuple[str, ...]) -> None:
    if not device_allowed(kinds):
        raise DeviceNotPaired("device_not_paired")


def require_device(*kinds: str):
    """Decorator for routes that kiosks and screens use without a login (by default any
    screen kind; never a device agent, whose token is for the /agent namespace only)."""
    kinds = kinds or device_tokens.SCREEN_KINDS

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check_device(kinds)
            return view(*args, **kwargs)

        wrapped.access = "device"
        return wrapped

    return decorator


def staff_or_none():
    """The logged-in user, or None (a bad bearer token also counts as none here)."""
    try:
        return current_actor()
    except Unauthorized:
        return None


__all__ = [
    "DEVICE_COOKIE",
    "DeviceNotPaired",
    "Forbidden",
    "check_device",
    "current_device",
    "device_allowed",
    "require_device",
    "staff_or_none",
    "tokens_required",
]
