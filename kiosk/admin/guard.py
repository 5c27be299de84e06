"""Who may open the admin pages, and the few helpers every admin view shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import ButtonForm
from kiosk.auth import current_actor
from kiosk.core.errors import DomainError
from kiosk.messages import message
from kiosk.pages.guard import page_role as staff_page_role
from kiosk.runtime import current_centre
from kiosk.usecases.context import QueueContext


def page_role(role: str = "admin"):
    """Admin pages default to the admin role (kiosk/pages/guard.py does the work)."""
    return staff_page_role(role)


def ctx() -> QueueContext:
    return current_centre().ctx


def actor_id() -> int | None:
    actor = current_actor()
    return actor.id if actor else None


def explain(error: DomainError) -> str:
    """A refused change, in the user's language."""
    return message(error.code, **error.params)


def done(text: str, endpoint: str, **values):
    """After a change: say so on the next page (post/redirect/get)."""
    flash(text, "ok")
    return redirect(url_for(endpoint, **values))


Page = Callable[[str | None, int], ResponseReturnValue]  # (refusal or None, status) → page


def shown(template: str, read: Callable[[], dict] = dict, **values) -> Page:
    """The page that renders `template` with `values`, what `read()` returns (called only
    when the page is shown: lists as they are then) and the refusal, if any."""
    return lambda error, status: (
        render_template(template, error=error, **read(), **values),
        status,
    )


@bp.context_processor
def buttons() -> dict:
    """What every admin page's buttons (remove, deactivate, revoke…) post: a ButtonForm."""
    return {"button_form": ButtonForm()}


def submit(form: FlaskForm, change: Callable[[], str], then: str, page: Page):
    """The admin views' one flow: a valid post makes the change (a use case) and goes to
    `then` saying what `change` returns was done; a GET shows `page`; an invalid post,
    or a change the use case refuses, shows `page` again with the reason and status 400,
    nothing changed."""
    error = None
    if form.validate_on_submit():
        try:
            return done(change(), then)
        except DomainError as refused:
            error = explain(refused)
    return page(error, 400 if form.errors or error else 200)


def press(change: Callable[[], str], then: str, page: Page):
    """A button (ButtonForm) as `submit`: a press that fails shows `page` with the reason,
    or asks to try again (an expired page, a stray post)."""
    return submit(
        ButtonForm(),
        change,
        then,
        lambda error, _status: page(error or _("Please try again."), 400),
    )


def press_row(use_case: Callable, key, said: str, then: str, page: Page):
    """`press` for a button on one row of a list (remove this counter, test this printer):
    the use case is called with the context, the admin and the row's `key`; `said` is
    what the next page says was done."""

    def change() -> str:
        use_case(ctx(), actor_id(), key)
        return said

    return press(change, then, page)


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A wrong role or a missing row on an admin page: a page, not JSON."""
    return render_template("admin/error.html", text=explain(error)), error.status
