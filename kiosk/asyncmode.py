"""Choosing and applying the async mode (gevent, eventlet or threading).

Flask-SocketIO picks eventlet by itself whenever it is importable, so the mode
is always passed explicitly.  Monkey-patching has to happen before Flask,
SQLAlchemy, socket or ssl are imported, so `apply()` is called by the launcher
(`motcua` console script) and by `kiosk.wsgi` before anything else.

This module imports nothing but the standard library `os` (and, once patched,
`devices.blocking` to detect a patch made before us).
"""

import os

MODES = ("gevent", "eventlet", "threading")
DEFAULT_MODE = "gevent"

_applied: str | None = None


def requested_mode() -> str:
    """The mode named by MOTCUA_ASYNC_MODE, or the production default (gevent)."""
    mode = (os.environ.get("MOTCUA_ASYNC_MODE") or DEFAULT_MODE).strip().lower()
    if mode not in MODES:
        raise SystemExit(f"MOTCUA_ASYNC_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def apply(mode: str | None = None) -> str:
    """Monkey-patch the standard library for `mode` (once) and return the mode in force."""
    global _applied
    mode = mode or requested_mode()
    if _applied:
        return _applied
    if mode == "gevent":
        from gevent import monkey

        # gunicorn's gevent worker patches on its own; then only psycopg2 is left to do.
        if not monkey.is_module_patched("socket"):
            monkey.patch_all()
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
    elif mode == "eventlet":
        import eventlet
        import eventlet.patcher

        if not eventlet.patcher.is_monkey_patched("socket"):
            eventlet.monkey_patch()
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
    _applied = mode
    os.environ["MOTCUA_ASYNC_MODE"] = mode
    return mode


def current() -> str:
    """The mode applied in this process; detects gunicorn workers that patched before us."""
    if _applied:
        return _applied
    from devices.blocking import async_mode  # the one detection, shared with the device workers

    return async_mode()
