"""/admin/audit and /admin/appointments: what happened in the centre
(/admin/devices: views_devices.py)."""

from __future__ import annotations

from datetime import date

from flask import render_template, request

from kiosk.admin.blueprint import bp
from kiosk.admin.guard import ctx, page_role
from kiosk.usecases import admin_views, audit


@bp.get("/audit")
@page_role("admin")
def audit_log():
    page = audit.read_page(ctx(), request.args.get("page", 1, type=int) or 1)
    return render_template("admin/audit.html", page=page)


@bp.get("/appointments")
@page_role("supervisor")
def appointments():
    today = ctx().now().astimezone(ctx().tz).date()
    try:
        day = date.fromisoformat(request.args.get("day") or today.isoformat())
    except ValueError:
        day = today
    rows = admin_views.appointments(ctx(), day)
    return render_template(
        "admin/appointments.html",
        day=day,
        rows=rows,
        checked_in=sum(1 for r in rows if r["state"] == "checked_in"),
    )
