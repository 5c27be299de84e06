"""The JSON API under /api/v1 (CONTRACT.md), described by /api/v1/openapi.json."""

from kiosk.api import (  # noqa: E402,F401
    appointments,
    auth_routes,
    counters,
    devices,
    errors,
    openapi,
    province,
    queue,
    remote,
    reports,
    scans,
    tickets,
)
from kiosk.api.blueprint import bp  # noqa: F401  (create_app registers it)
