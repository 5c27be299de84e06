"""Who may open the admin pages, and the few helpers every admin view shares."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from kiosk.admin import bp
from kiosk.auth import current_actor
from kiosk.core.errors import DomainError
from kiosk.hub import Hub
from kiosk.messages import message
from kiosk.pages.guard import page_role as staff_page_role
from kiosk.usecases.context import QueueContext


def page_role(role: str = "admin"):
    """Admin pages default to the admin role (kiosk/pages/guard.py does the work)."""
    return staff_page_role(role)


def hub() -> Hub:
    return current_app.extensions["motcua"]


def ctx() -> QueueContext:
    return hub().ctx


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


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A wrong role or a missing row on an admin page: a page, not JSON."""
    return render_template("admin/error.html", text=explain(error)), error.status
