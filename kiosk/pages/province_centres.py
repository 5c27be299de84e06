"""The province centres page, /province/centres (province admins only): the web
equivalent of `motcua centre add FILE.toml` and `motcua centre list`, and a centre's
new name or one more host name.  The changes are kiosk/usecases/centres.py's (the
CLI's own functions), each with its audit entry at the centre it changed; this hub
process reads its centres again at once, the others within their look-again interval
(kiosk/runtime/hub.py, 2 s)."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from kiosk.admin.forms import Form, optional, required
from kiosk.auth import Forbidden, current_actor
from kiosk.core.errors import DomainError
from kiosk.messages import message
from kiosk.pages.blueprint import bp
from kiosk.pages.province import installation_root, province_role
from kiosk.store.seed import CentreFileError
from kiosk.usecases import centres
from kiosk.usecases.context import utc_now


class AddCentreForm(Form):
    code = StringField(_l("Code (in addresses: /c/CODE/kiosk)"), optional(64))
    name = StringField(_l("Centre name"), optional(200))
    hosts = TextAreaField(_l("Host names (one per line)"), optional(2000))
    timezone = StringField(_l("Time zone"), optional(64), default="Asia/Ho_Chi_Minh")
    centre_file = TextAreaField(_l("Or a whole centre file (TOML)"), optional(200_000))


class RenameForm(Form):
    name = StringField(_l("New name"), required(200))


class HostForm(Form):
    host = StringField(_l("Host name"), required(253))


def province_admin(view):
    """province_role, then only a province admin: a province supervisor reads, no more."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_actor().role != "province_admin":
            raise Forbidden("forbidden")
        return view(*args, **kwargs)

    guarded = province_role(wrapped)
    guarded.required_role = "province_admin"
    return guarded


def _hub():
    return current_app.extensions["motcua"]


def _page(add_form: AddCentreForm, error: str | None = None, status: int = 200):
    return render_template(
        "province_centres.html",
        centres=centres.list_centres(_hub().store),
        add_form=add_form,
        rename_form=RenameForm(),
        host_form=HostForm(),
        error=error,
        root=installation_root(),
    ), status


def _done(text: str):
    _hub().refresh(force=True)  # this process serves the change now, the others within 2 s
    flash(text, "ok")
    return redirect(url_for("pages.province_centres"))


@bp.get("/province/centres")
@province_admin
def province_centres():
    return _page(AddCentreForm())


@bp.post("/province/centres")
@province_admin
def province_centre_add():
    form = AddCentreForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        if (form.centre_file.data or "").strip():
            data = centres.centre_file_from_text(form.centre_file.data)
        else:
            if not (form.name.data or "").strip():
                form.name.errors = [_("Please fill this in.")]
                return _page(form, status=400)
            hosts = [h for h in (form.hosts.data or "").split() if h]
            data = centres.minimal_centre(
                (form.code.data or "").strip() or None,
                form.name.data,
                hosts,
                (form.timezone.data or "").strip() or "Asia/Ho_Chi_Minh",
            )
        added = centres.add_centre(_hub().store, data, clock=utc_now, by=current_actor().id)
    except CentreFileError as error:
        return _page(form, str(error), 400)
    except DomainError as error:
        return _page(form, message(error.code, **error.params), 400)
    return _done(
        _("Centre %(code)s added: every hub process serves it within seconds.", code=added["code"])
    )


def _change(code: str, form: Form, change):
    if not any(c["code"] == code for c in centres.list_centres(_hub().store)):
        abort(404)
    if not form.validate_on_submit():
        return _page(
            AddCentreForm(), " ".join(e for errors in form.errors.values() for e in errors), 400
        )
    try:
        return _done(change())
    except DomainError as error:
        return _page(AddCentreForm(), message(error.code, **error.params), 400)


@bp.post("/province/centres/<code>/name")
@province_admin
def province_centre_rename(code: str):
    form = RenameForm()

    def rename() -> str:
        centres.rename_centre(_hub().store, code, form.name.data, by=current_actor().id)
        return _("Centre %(code)s renamed.", code=code)

    return _change(code, form, rename)


@bp.post("/province/centres/<code>/hosts")
@province_admin
def province_centre_host(code: str):
    form = HostForm()

    def add() -> str:
        host = centres.add_host(_hub().store, code, form.host.data, by=current_actor().id)
        return _("Centre %(code)s is served at %(host)s too.", code=code, host=host)

    return _change(code, form, add)
