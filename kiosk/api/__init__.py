"""The JSON API under /api/v1 (CONTRACT.md), described by /api/v1/openapi.json."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from kiosk.api import (  # noqa: E402,F401
    appointments,
    auth_routes,
    counters,
    devices,
    errors,
    openapi,
    queue,
    reports,
    scans,
    tickets,
)
