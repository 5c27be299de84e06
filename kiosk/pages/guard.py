"""Role checks for browser pages: an anonymous visitor is sent to the login
page (and back afterwards), a logged-in user without the role gets 403."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for

from kiosk.auth import current_actor


def page_role(role: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if not actor.at_least(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # read by the access-matrix test
        return wrapped

    return decorator
