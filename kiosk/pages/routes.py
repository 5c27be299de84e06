"""Page routes: thin; the pages talk to /api/v1 and Socket.IO themselves."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from kiosk.access import DEVICE_COOKIE, require_device
from kiosk.auth import TooManyAttempts, Unauthorized, log_in
from kiosk.core.errors import InvalidInput
from kiosk.messages import message
from kiosk.pages.blueprint import bp
from kiosk.runtime import CENTRE_KEY, current_centre, current_hub, ticket_centre, use_centre
from kiosk.store import repository as repo
from kiosk.usecases.read_models import QueueReader


def _kiosks() -> list[dict]:
    return current_centre().kiosks


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

    owner_id = device_tokens.centre_of(current_hub().store, token)
    owner = current_hub().centre_by_id(owner_id) if owner_id is not None else None
    if owner is not None and owner is not current_centre() and CENTRE_KEY not in request.environ:
        # Another centre's link on an unprefixed address (a shared host name): the device
        # is paired at its centre's own address, and so opens that centre's pages.
        return redirect(f"{request.host_url}c/{owner.code}/pair/{token}")
    device = device_tokens.verify(current_centre().ctx, token)
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
        if not current_hub().login_limiter.allow(request.remote_addr or "?"):
            # Same budget as the API's token route: guessing passwords through the form is no cheaper.
            return (
                render_template("login.html", error="rate", next=target),
                429,
                {"Retry-After": "60"},
            )
        try:
            user = log_in(
                request.form.get("username", "")[:64], request.form.get("password", "")[:256]
            )
        except (InvalidInput, TooManyAttempts) as refused:
            # A name with a control character, or an account waiting after wrong passwords.
            text = message(refused.code, **refused.params)
            answer = render_template("login.html", error=text, next=target), refused.status
            if isinstance(refused, TooManyAttempts):
                return *answer, {"Retry-After": str(refused.retry_after)}
            return answer
        except Unauthorized:
            error = True
        else:
            login_user(user)
            return redirect(target)
    return render_template("login.html", error=error, next=target), (401 if error else 200)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("pages.login"))


@bp.get("/counter")
@login_required
def counter():
    centre = current_centre()
    with centre.ctx.store.read() as session:
        counters = [
            {"number": c.number, "name": c.name, "name_en": c.name_en}
            for c in repo.counters_of(session, centre.centre_id)
            if current_user.may_work_counter(c.number)
        ]
        services = [
            {"code": s.code, "name": s.name, "name_en": s.name_en}
            for s in repo.services_of(session, centre.centre_id, active_only=True)
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

    ctx = use_centre(ticket_centre(token)).ctx  # the ticket's own centre
    with ctx.store.read() as session:
        if QueueReader(ctx, session).ticket_by_token(token[:64]) is None:
            abort(404)
    image = qrcode.make(
        ctx.status_url(token),
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="image/svg+xml",
        # One ticket's own address: never kept by a shared cache (a proxy would serve it
        # under another Host), and cheap to draw again.
        headers={"Cache-Control": "private, no-store"},
    )


@bp.get("/t/<token>")
def ticket_status(token: str):
    ctx = use_centre(ticket_centre(token)).ctx  # the ticket's own centre, whatever the address
    with ctx.store.read() as session:
        row = QueueReader(ctx, session).ticket_by_token(token[:64])
        if row is None:
            abort(404)
    return render_template("ticket.html", token=token)
