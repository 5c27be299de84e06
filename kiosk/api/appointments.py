"""Appointment routes: batch booking, CSV import, the day's list (supervisors and admins)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from kiosk.api.blueprint import bp
from kiosk.api.body import json_body
from kiosk.api.common import ctx
from kiosk.auth import require_role
from kiosk.core.errors import InvalidInput
from kiosk.messages import message
from kiosk.usecases import appointments


def _answer(created: list[dict], rejected: list[appointments.Rejected]):
    body = {
        "created": created,
        "rejected": [
            {
                "index": r.index,
                "code": r.code,
                "error": r.error.code,
                "message": message(r.error.code, **r.error.params),
            }
            for r in rejected
        ],
    }
    return jsonify(body), 201 if not rejected else 200


@bp.post("/appointments")
@require_role("supervisor")
def book_appointments():
    data = json_body()
    items = data.get("appointments")
    if items is None:
        raise InvalidInput("bad_request", detail="appointments is required")
    return _answer(*appointments.book_many(ctx(), items))


@bp.post("/appointments/import")
@require_role("supervisor")
def import_appointments():
    if (request.content_length or 0) > appointments.MAX_CSV_BYTES:
        raise InvalidInput("csv_too_large", max_kib=appointments.MAX_CSV_BYTES // 1024)
    try:
        text = request.get_data(as_text=False).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("bad_request", detail="the CSV file must be UTF-8") from error
    return _answer(*appointments.book_many(ctx(), appointments.parse_csv(text)))


@bp.get("/appointments")
@require_role("supervisor")
def list_appointments():
    raw = request.args.get("day")
    try:
        day = date.fromisoformat(raw) if raw else ctx().now().astimezone(ctx().tz).date()
    except ValueError as error:
        raise InvalidInput("bad_request", detail="day is YYYY-MM-DD") from error
    return jsonify(appointments.appointments_for_day(ctx(), day))
