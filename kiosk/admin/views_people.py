"""/admin/users: staff accounts."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import PasswordForm, UserForm
from kiosk.admin.guard import Page, actor_id, ctx, page_role, press, shown, submit
from kiosk.auth import renew_login
from kiosk.core.errors import InvalidInput
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


def _users_page(form: UserForm) -> Page:
    """The users with the new-user form."""
    return shown(
        "admin/users.html", lambda: {"users": admin_views.users(ctx())}, form=form, me=actor_id()
    )


@bp.route("/users", methods=["GET", "POST"])
@page_role("admin")
def users():
    form = _with_counters(UserForm(data={"role": "clerk"}))

    def add() -> str:
        admin_users.add_user(
            ctx(),
            actor_id(),
            username=form.username.data or "",
            password=form.password.data or "",
            role=form.role.data,
            display_name=form.display_name.data or "",
            counter=_counter(form),
        )
        return _("User %(name)s added.", name=form.username.data)

    return submit(form, add, "admin.users", _users_page(form))


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

    def save() -> str:
        admin_users.update_user(
            ctx(),
            actor_id(),
            user_id,
            role=form.role.data,
            display_name=form.display_name.data or "",
            counter=_counter(form),
        )
        renew_login(user_id)  # a role change ends the user's other logins
        return _("User %(name)s saved.", name=current.username)

    password_form = PasswordForm(formdata=None)
    return submit(form, save, "admin.users", _user_page(current, form, password_form))


def _user_page(current, form, password_form) -> Page:
    """A user's page: two forms, so a 400 when either of them, whichever was posted, or
    the change was refused."""
    page = shown("admin/user.html", user=current, form=form, password_form=password_form)
    return lambda error, _status: page(
        error, 400 if form.errors or password_form.errors or error else 200
    )


@bp.post("/users/<int:user_id>/password")
@page_role("admin")
def reset_password(user_id: int):
    current = _user(user_id)
    password_form = PasswordForm()

    def save() -> str:
        admin_users.reset_password(ctx(), actor_id(), user_id, password_form.password.data)
        renew_login(user_id)  # the new password ends the user's other logins
        return _("New password set for %(name)s.", name=current.username)

    form = _with_counters(UserForm(formdata=None, data=_user_data(current)))
    return submit(password_form, save, "admin.users", _user_page(current, form, password_form))


@bp.post("/users/<int:user_id>/<any(activate, deactivate):change>")
@page_role("admin")
def set_active(user_id: int, change: str):
    current = _user(user_id)

    def switch() -> str:
        admin_users.set_active(ctx(), actor_id(), user_id, change == "activate")
        if change == "activate":
            return _("%(name)s can log in again.", name=current.username)
        return _("%(name)s can no longer log in.", name=current.username)

    blank = _with_counters(UserForm(formdata=None, data={"role": "clerk"}))
    return press(switch, "admin.users", _users_page(blank))
