"""/admin/users: staff accounts."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _

from kiosk.admin import bp
from kiosk.admin.forms import ButtonForm, PasswordForm, UserForm
from kiosk.admin.guard import actor_id, ctx, done, explain, page_role
from kiosk.auth import renew_login
from kiosk.core.errors import DomainError, InvalidInput
from kiosk.usecases import admin_users, admin_views


def _with_counters(form: UserForm) -> UserForm:
    form.counter.choices = [("", _("No fixed counter"))] + [
        (str(c["number"]), f"{c['number']} · {c['name']}") for c in admin_views.counters(ctx())
    ]
    return form


def _counter(form: UserForm) -> int | None:
    raw = (form.counter.data or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput("unknown_counter", counter=raw[:10])
    return int(raw)


def _users_page(form: UserForm, error: str | None, status: int):
    return render_template(
        "admin/users.html",
        users=admin_views.users(ctx()),
        form=form,
        button_form=ButtonForm(),
        me=actor_id(),
        error=error,
    ), status


@bp.route("/users", methods=["GET", "POST"])
@page_role("admin")
def users():
    form = _with_counters(UserForm(data={"role": "clerk"}))
    error = None
    if form.validate_on_submit():
        try:
            admin_users.add_user(
                ctx(),
                actor_id(),
                username=form.username.data or "",
                password=form.password.data or "",
                role=form.role.data,
                display_name=form.display_name.data or "",
                counter=_counter(form),
            )
            return done(_("User %(name)s added.", name=form.username.data), "admin.users")
        except DomainError as refused:
            error = explain(refused)
    return _users_page(form, error, 400 if form.errors or error else 200)


def _user_data(current) -> dict:
    return {
        "display_name": current.display_name,
        "role": current.role,
        "counter": str(current.counter_number or ""),
    }


def _user(user_id: int):
    user = next((u for u in admin_views.users(ctx()) if u.id == user_id), None)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@page_role("admin")
def user(user_id: int):
    current = _user(user_id)
    form = _with_counters(UserForm(data=_user_data(current)))
    error = None
    if form.validate_on_submit():
        try:
            admin_users.update_user(
                ctx(),
                actor_id(),
                user_id,
                role=form.role.data,
                display_name=form.display_name.data or "",
                counter=_counter(form),
            )
            renew_login(user_id)  # a role change ends the user's other logins
            return done(_("User %(name)s saved.", name=current.username), "admin.users")
        except DomainError as refused:
            error = explain(refused)
    return _user_page(current, form, PasswordForm(formdata=None), error)


def _user_page(current, form, password_form, error):
    status = 400 if form.errors or password_form.errors or error else 200
    return render_template(
        "admin/user.html",
        user=current,
        form=form,
        password_form=password_form,
        button_form=ButtonForm(),
        me=actor_id(),
        error=error,
    ), status


@bp.post("/users/<int:user_id>/password")
@page_role("admin")
def reset_password(user_id: int):
    current = _user(user_id)
    password_form = PasswordForm()
    error = None
    if password_form.validate_on_submit():
        try:
            admin_users.reset_password(ctx(), actor_id(), user_id, password_form.password.data)
            renew_login(user_id)  # the new password ends the user's other logins
            return done(_("New password set for %(name)s.", name=current.username), "admin.users")
        except DomainError as refused:
            error = explain(refused)
    form = _with_counters(UserForm(formdata=None, data=_user_data(current)))
    return _user_page(current, form, password_form, error)


@bp.post("/users/<int:user_id>/<any(activate, deactivate):change>")
@page_role("admin")
def set_active(user_id: int, change: str):
    current = _user(user_id)
    form = ButtonForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_users.set_active(ctx(), actor_id(), user_id, change == "activate")
            text = (
                _("%(name)s can log in again.", name=current.username)
                if change == "activate"
                else _("%(name)s can no longer log in.", name=current.username)
            )
            return done(text, "admin.users")
        except DomainError as refused:
            error = explain(refused)
    return _users_page(
        _with_counters(UserForm(formdata=None, data={"role": "clerk"})),
        error or _("Please try again."),
        400,
    )
