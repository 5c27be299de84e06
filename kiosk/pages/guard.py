"""Role checks for browser pages (staff pages, /reports, /supervisor, /admin):
an anonymous visitor is sent to the login page (and back afterwards); a
logged-in user without the role is refused with a page in their language
(kiosk/api/errors.py renders DomainErrors as pages outside /api)."""

from __future__ import annotations

from functools import wraps

from flask import redirect, request, url_for

from kiosk.auth import current_actor, require_role


def page_role(role: str):
    def decorator(view):
        guarded = require_role(role)(view)

        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_actor() is None:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            return guarded(*args, **kwargs)

        wrapped.required_role = role  # read by the access-matrix test
        return wrapped

    return decorator
