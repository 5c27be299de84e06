"""/admin/devices, /admin/audit and /admin/appointments: what the centre has
and what happened in it."""

from __future__ import annotations

from datetime import date, datetime

from flask import render_template, request
from flask_babel import gettext as _

from kiosk.admin import bp
from kiosk.admin.forms import ButtonForm
from kiosk.admin.guard import actor_id, ctx, done, explain, hub, page_role
from kiosk.core.errors import DomainError
from kiosk.extensions import socketio
from kiosk.usecases import admin_devices, admin_views, audit, device_tokens


def _devices_page(error: str | None, status: int, new_link: dict | None = None):
    from kiosk.devices_runtime import all_device_status

    current = hub()
    counters = [c["number"] for c in admin_views.counters(ctx())]
    return render_template(
        "admin/devices.html",
        devices=admin_devices.device_lines(current, all_device_status(current)),
        screens=admin_devices.screens_connected(socketio.server, current.centre_id, counters),
        kiosks=current.centre_file.get("kiosks", []),
        paired=[
            {**t, "seen": datetime.fromisoformat(t["last_seen_at"]) if t["last_seen_at"] else None}
            for t in device_tokens.list_tokens(ctx())
            if not t["revoked"]
        ],
        owner=current.printing is not None,
        tz=ctx().tz,
        button_form=ButtonForm(),
        error=error,
        required=device_tokens.tokens_required(ctx()),
        kinds=device_tokens.KINDS,
        new_link=new_link,
    ), status


@bp.post("/devices/pair")
@page_role("admin")
def pair_device():
    """The link is shown once on this page (only its hash is kept), never redirected to."""
    form = ButtonForm()
    if not form.validate_on_submit():
        return _devices_page(_("Please try again."), 400)
    try:
        paired = device_tokens.pair(
            ctx(),
            request.form.get("kind", "")[:16],
            request.form.get("name", "")[:64],
            by_user=actor_id(),
        )
    except DomainError as refused:
        return _devices_page(explain(refused), 400)
    paired["url"] = request.host_url.rstrip("/") + paired["pair_path"]
    return _devices_page(None, 200, new_link=paired)


@bp.post("/devices/tokens/<int:token_id>/revoke")
@page_role("admin")
def revoke_device(token_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        return _devices_page(_("Please try again."), 400)
    device_tokens.revoke(ctx(), token_id, by_user=actor_id())
    return done(_("The device can no longer connect."), "admin.devices")


@bp.post("/devices/require")
@page_role("admin")
def require_devices():
    from kiosk.access import forget_setting

    form = ButtonForm()
    if not form.validate_on_submit():
        return _devices_page(_("Please try again."), 400)
    device_tokens.set_required(ctx(), request.form.get("required") == "yes", by_user=actor_id())
    forget_setting()
    return done(_("Saved."), "admin.devices")


@bp.get("/devices")
@page_role("admin")
def devices():
    return _devices_page(None, 200)


@bp.post("/devices/printers/<name>/test")
@page_role("admin")
def test_print(name: str):
    form = ButtonForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_devices.test_print(hub(), actor_id(), name)
            return done(_("Test ticket sent to printer %(name)s.", name=name), "admin.devices")
        except DomainError as refused:
            error = explain(refused)
    return _devices_page(error or _("Please try again."), 400)


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
