"""/admin/devices: printers, scanners, kiosks and device agents (added, changed and
removed here, effective without a restart: kiosk/usecases/admin_devices.py), their
live status, pairing tokens, each paired lobby TV's languages
(kiosk/usecases/lobby_voices.py) and the test print."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import wraps

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import (
    AgentForm,
    ButtonForm,
    Form,
    KioskForm,
    PrinterForm,
    ScannerForm,
    agent_choices,
    optional,
)
from kiosk.admin.guard import actor_id, ctx, done, explain, page_role, press_row, shown, submit
from kiosk.core.errors import DomainError
from kiosk.extensions import socketio
from kiosk.runtime import current_centre, current_hub
from kiosk.runtime.device_health import all_device_status
from kiosk.usecases import (
    admin_devices,
    admin_views,
    device_config,
    device_tokens,
    lobby_voices,
    voice_packs,
)
from kiosk.usecases.device_config import Agent, Kiosk, Printer, Scanner

KINDS = "any(printers, scanners, kiosks, agents)"  # the URL's plural → admin_devices kind
TITLES = {
    "printers": (_l("Add a printer"), _l("Printer %(name)s")),
    "scanners": (_l("Add a scanner"), _l("Scanner %(name)s")),
    "kiosks": (_l("Add a kiosk"), _l("Kiosk %(name)s")),
    "agents": (_l("Add a device agent"), _l("Device agent %(name)s")),
}
SAVED = {
    "printers": _l("Printer %(name)s saved."),
    "scanners": _l("Scanner %(name)s saved."),
    "kiosks": _l("Kiosk %(name)s saved."),
    "agents": _l("Device agent %(name)s saved."),
}
REMOVED = _l("%(name)s removed.")


def _devices_page(error: str | None, status: int, new_link: dict | None = None):
    current = current_centre()
    setup = device_config.devices_of(ctx())
    counters = [c["number"] for c in admin_views.counters(ctx())]
    return render_template(
        "admin/devices.html",
        devices=admin_devices.device_lines(setup, all_device_status(current)),
        setup=setup,
        screens=admin_devices.screens_connected(socketio.server, current.centre_id, counters),
        kiosks=setup.kiosk_tables,
        paired=[
            {**t, "seen": datetime.fromisoformat(t["last_seen_at"]) if t["last_seen_at"] else None}
            for t in device_tokens.list_tokens(ctx())
            if not t["revoked"]
        ],
        owner=current_hub().printing is not None and current is current_hub().default_centre,
        tz=ctx().tz,
        lobby_voices=lobby_voices.of_centre(ctx()),
        error=error,
        required=device_tokens.tokens_required(ctx()),
        kinds=device_tokens.KINDS,
        new_link=new_link,
    ), status


@bp.get("/devices")
@page_role("admin")
def devices():
    return _devices_page(None, 200)


# -- adding, changing, removing -------------------------------------------------------------


def _form(kind: str, setup: device_config.DeviceSetup, existing=None):
    """The form of `kind`, filled from `existing` on a GET; choices from the set-up."""
    data = None
    if existing is not None and request.method == "GET":
        data = {
            "name": existing.name,
            "url": getattr(existing, "url", ""),
            "use": getattr(existing, "use", ""),
            "agent": getattr(existing, "agent", None) or "",
            "printer": getattr(existing, "printer", None) or "",
            "paper_mm": str(getattr(existing, "paper_mm", 80)),
            "text_mode": getattr(existing, "text_mode", "raster"),
        }
    form = {
        "printers": PrinterForm,
        "scanners": ScannerForm,
        "kiosks": KioskForm,
        "agents": AgentForm,
    }[kind](data=data)
    if hasattr(form, "agent"):
        form.agent.choices = agent_choices([a.name for a in setup.agents])
    if hasattr(form, "printer"):
        form.printer.choices = [("", _("No printer (the number is shown on screen)"))] + [
            (p.name, p.name) for p in setup.printers
        ]
    return form


def _device(kind: str, form, existing):
    """The device the form describes (a changed one keeps what the form does not show)."""
    name = existing.name if existing is not None else form.name.data
    agent = getattr(form, "agent", None) and (form.agent.data or None)
    if kind == "printers":
        values = {
            "url": form.url.data,
            "paper_mm": int(form.paper_mm.data or 80),
            "text_mode": form.text_mode.data,
            "agent": agent,
        }
        return replace(existing, **values) if existing else Printer(name, **values)
    if kind == "scanners":
        values = {"url": form.url.data, "use": form.use.data, "agent": agent}
        return replace(existing, **values) if existing else Scanner(name, **values)
    if kind == "kiosks":
        return Kiosk(name, form.printer.data or None)
    return Agent(name)


def _edit(kind: str, name: str | None):
    setup = device_config.devices_of(ctx())
    existing = None
    if name is not None:
        existing = getattr(setup, kind[:-1])(name)
        if existing is None or kind == "agents":
            abort(404)  # an agent has nothing to change but its name, which stays
    form = _form(kind, setup, existing)
    if existing is not None:
        del form.name  # a name never changes (jobs, status and pairing carry it)

    def save() -> str:
        device = _device(kind, form, existing)
        admin_devices.save(ctx(), device, actor_id(), adding=existing is None)
        return str(SAVED[kind]) % {"name": device.name}

    adding, changing = TITLES[kind]
    title = str(changing) % {"name": name} if name else str(adding)
    return submit(
        form,
        save,
        "admin.devices",
        shown("admin/device.html", form=form, kind=kind, name=name, title=title),
    )


@bp.route(f"/devices/<{KINDS}:kind>/new", methods=["GET", "POST"])
@page_role("admin")
def add_device(kind: str):
    return _edit(kind, None)


@bp.route(f"/devices/<{KINDS}:kind>/<name>", methods=["GET", "POST"])
@page_role("admin")
def change_device(kind: str, name: str):
    return _edit(kind, name[:64])


def _button(view):
    """A button on the devices page: an expired page or a stray post changes nothing and
    shows the page again, asking to try again."""

    @wraps(view)
    def pressed(*args, **kwargs):
        if not ButtonForm().validate_on_submit():
            return _devices_page(_("Please try again."), 400)
        return view(*args, **kwargs)

    return pressed


@bp.post(f"/devices/<{KINDS}:kind>/<name>/remove")
@page_role("admin")
@_button
def remove_device(kind: str, name: str):
    try:
        admin_devices.remove(ctx(), kind[:-1], name[:64], actor_id())
    except DomainError as refused:
        return _devices_page(explain(refused), 400 if refused.status != 404 else 404)
    return done(str(REMOVED) % {"name": name}, "admin.devices")


# -- pairing and the test print -------------------------------------------------------------


@bp.post("/devices/pair")
@page_role("admin")
@_button
def pair_device():
    """The link is shown once on this page (only its hash is kept), never redirected to."""
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
@_button
def revoke_device(token_id: int):
    device_tokens.revoke(ctx(), token_id, by_user=actor_id())
    return done(_("The device can no longer connect."), "admin.devices")


@bp.post("/devices/require")
@page_role("admin")
@_button
def require_devices():
    from kiosk.access import forget_setting

    device_tokens.set_required(ctx(), request.form.get("required") == "yes", by_user=actor_id())
    forget_setting()
    return done(_("Saved."), "admin.devices")


@bp.post("/devices/printers/<name>/test")
@page_role("admin")
def test_print(name: str):
    said = _("Test ticket sent to printer %(name)s.", name=name)
    return press_row(admin_devices.test_print, name, said, "admin.devices", _devices_page)


# -- a paired lobby TV's own languages --------------------------------------------------------


class LobbyVoiceForm(Form):
    announce = StringField(_l("Languages of the calls on this screen, in order"), optional(200))
    night = StringField(_l("At night, in order (empty: no night order)"), optional(200))
    night_from = StringField(_l("Night from"), optional(5))
    night_to = StringField(_l("Night until"), optional(5))


def _codes(text: str | None) -> list[str]:
    return (text or "").replace(";", ",").replace(" ", ",").split(",")


@bp.route("/devices/displays/<name>/voice", methods=["GET", "POST"])
@page_role("admin")
def lobby_voice(name: str):
    """The languages the lobby TV paired as `name` announces calls in, by day and at night."""
    name = name[:64]
    paired = {t["name"] for t in device_tokens.list_tokens(ctx()) if t["kind"] == "display"}
    if name not in paired:
        abort(404)
    current = lobby_voices.get(ctx(), name)
    data = None
    if request.method == "GET":
        data = {
            "announce": ", ".join(current.languages),
            "night": ", ".join(current.night_languages),
            "night_from": current.night_from or "18:00",
            "night_to": current.night_to or "07:00",
        }
    form = LobbyVoiceForm(data=data)

    def save() -> str:
        value = lobby_voices.set_lobby_voice(
            ctx(),
            actor_id(),
            name,
            _codes(form.announce.data),
            _codes(form.night.data),
            form.night_from.data or "",
            form.night_to.data or "",
        )
        if not value.languages and not value.night_languages:
            return _(
                "Lobby display %(name)s speaks the languages of its address or of the centre.",
                name=name,
            )
        return _("Lobby display %(name)s: languages saved.", name=name)

    with ctx().store.read() as session:
        codes = lobby_voices.speakable(session, ctx().centre_id)
    names = {"vi": "Tiếng Việt", "en": "English"}
    names.update({pack.code: pack.name for pack in voice_packs.list_packs(ctx().store)})
    known = [(code, names.get(code, "")) for code in codes]
    return submit(
        form,
        save,
        "admin.devices",
        shown("admin/lobby_voice.html", form=form, name=name, known=known),
    )
