"""Page routes: thin; the pages talk to /api/v1 and Socket.IO themselves."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from kiosk.access import DEVICE_COOKIE, require_device
from kiosk.auth import check_credentials
from kiosk.pages import bp
from kiosk.store import repository as repo
from kiosk.usecases.views import QueueReader


def _hub():
    return current_app.extensions["motcua"]


def _kiosks() -> list[dict]:
    return _hub().kiosks


@bp.get("/")
def index():
    return render_template("index.html", kiosks=_kiosks())


@bp.get("/kiosk")
@bp.get("/kiosk/<name>")
@require_device("kiosk")
def kiosk(name: str | None = None):
    kiosks = _kiosks()
    if name is None:
        name = kiosks[0]["name"]
    elif not any(k["name"] == name for k in kiosks):
        abort(404)
    return render_template("kiosk.html", kiosk_name=name)


@bp.get("/pair/<token>")
def pair_device(token: str):
    """Open once on a kiosk or screen: keeps the device token in a cookie for a year
    and goes to that device's page.  Sets a cookie only; no data changes."""
    from kiosk.usecases import device_tokens

    device = device_tokens.verify(_hub().ctx, token)
    if device is None:
        return render_template("not_paired.html", bad_token=True), 404
    target = {
        "kiosk": lambda: url_for("pages.kiosk", name=device.name),
        "display": lambda: url_for("display.lobby"),
        "counter_screen": lambda: url_for("display.counter_screen", number=int(device.name)),
    }[device.kind]()
    response = redirect(target)
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    target = request.args.get("next") or url_for("pages.counter")
    if urlparse(target).netloc or not target.startswith("/"):
        target = url_for("pages.counter")  # never redirect off the hub
    if request.method == "POST":
        if not _hub().login_limiter.allow(request.remote_addr or "?"):
            # Same budget as the API's token route: guessing passwords through the form is no cheaper.
            return render_template("login.html", error="rate", next=target), 429
        user = check_credentials(
            request.form.get("username", "")[:64], request.form.get("password", "")[:256]
        )
        if user is not None:
            login_user(user)
            return redirect(target)
        error = True
    return render_template("login.html", error=error, next=target), (401 if error else 200)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("pages.login"))


@bp.get("/counter")
@login_required
def counter():
    hub = _hub()
    with hub.store.read() as session:
        counters = [
            {"number": c.number, "name": c.name}
            for c in repo.counters_of(session, hub.centre_id)
            if current_user.may_work_counter(c.number)
        ]
        services = [
            {"code": s.code, "name": s.name, "name_en": s.name_en}
            for s in repo.services_of(session, hub.centre_id, active_only=True)
        ]
    chosen = request.args.get("n", type=int) or current_user.counter_number
    if chosen is None or not any(c["number"] == chosen for c in counters):
        chosen = counters[0]["number"] if counters else None
    return render_template(
        "counter.html", counters=counters, counter_number=chosen, services=services
    )


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    """The status page's QR code, shown on the kiosk screen (and scanned by phones)."""
    import io

    import qrcode
    import qrcode.image.svg

    hub = _hub()
    with hub.store.read() as session:
        if QueueReader(hub.ctx, session).ticket_by_token(token[:64]) is None:
            abort(404)
    image = qrcode.make(
        hub.ctx.status_url(token),
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@bp.get("/t/<token>")
def ticket_status(token: str):
    hub = _hub()
    with hub.store.read() as session:
        row = QueueReader(hub.ctx, session).ticket_by_token(token[:64])
        if row is None:
            abort(404)
    return render_template("ticket.html", token=token)
