"""Read routes: services with waiting counts and estimated waits, the queue snapshot, health."""

from __future__ import annotations

from flask import jsonify

from kiosk.access import require_device
from kiosk.api import bp
from kiosk.api.common import ctx
from kiosk.usecases.views import QueueReader


@bp.get("/services")
@require_device()
def list_services():
    with ctx().store.read() as session:
        return jsonify(QueueReader(ctx(), session).service_list())


@bp.get("/queue")
@require_device()
def queue_snapshot():
    with ctx().store.read() as session:
        return jsonify(QueueReader(ctx(), session).snapshot())
