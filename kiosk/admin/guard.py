"""Who may open the admin pages, and the few helpers every admin view shares."""

from __future__ import annotations

from functools import wraps

from flask import current_app, flash, redirect, render_template, request, url_for

from kiosk.admin import bp
from kiosk.auth import current_actor, require_role
from kiosk.core.errors import DomainError
from kiosk.hub import Hub
from kiosk.messages import message
from kiosk.usecases.context import QueueContext


def page_role(role: str = "admin"):
    """require_role(role) for pages: an anonymous visitor goes to the login page first."""

    def decorator(view):
        guarded = require_role(role)(view)

        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_actor() is None:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            return guarded(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


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
