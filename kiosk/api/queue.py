"""Read routes: services with waiting counts and estimated waits, the queue snapshot, health."""

from __future__ import annotations

from flask import jsonify

from kiosk.access import require_device, staff_or_none
from kiosk.api.blueprint import bp
from kiosk.api.common import ctx
from kiosk.usecases.read_models import QueueReader


@bp.get("/services")
@require_device()
def list_services():
    with ctx().store.read() as session:
        return jsonify(QueueReader(ctx(), session).service_list())


@bp.get("/queue")
@require_device()
def queue_snapshot():
    """Logged-in staff get the staff snapshot; kiosks, screens and anyone else the
    lobby wall's (docs/architecture.md, "What each audience may see")."""
    with ctx().store.read() as session:
        reader = QueueReader(ctx(), session)
        staff = staff_or_none() is not None
        return jsonify(reader.staff_snapshot() if staff else reader.public_snapshot())
