"""What runs around every HTTP request: the session cookie (opened only when sent),
the CSRF check of cookie-authenticated writes, response headers (language cookie,
security headers), the globals every page template sees, and /healthz.
`register(app, config)` is called by create_app."""

from __future__ import annotations

import ipaddress

from flask import Flask, jsonify, request
from flask.sessions import SecureCookieSessionInterface

from kiosk import asyncmode, security_headers
from kiosk.access import staff_or_none
from kiosk.auth import bearer_token
from kiosk.config import Config
from kiosk.extensions import csrf
from kiosk.i18n import remember_language
from kiosk.runtime import current_centre, current_hub
from kiosk.runtime.device_health import all_device_status


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, opened only for a request that carries the cookie.
    Flask builds its signing serializer (a key derivation) at every request otherwise,
    a kiosk's tap and a clerk's bearer-token press included; nothing else changes."""

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def register(app: Flask, config: Config) -> None:
    app.session_interface = CookieSessionInterface()

    @app.before_request
    def check_csrf():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not bearer_token():
            # Cookie-authenticated writes need the CSRF token; anonymous kiosk issuing has no session to steal.
            if request.path.startswith(("/login", "/logout")) or _cookie_login(app):
                csrf.protect()

    @app.after_request
    def headers(response):
        response = remember_language(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        security_headers.apply(response)
        return response

    @app.context_processor
    def page_globals():
        from flask_babel import get_locale

        return {
            "lang": str(get_locale() or "vi"),
            "other_lang": "en" if str(get_locale()) == "vi" else "vi",
        }

    @app.get("/healthz")
    def healthz():
        """Anyone: {status, db} ("ok" or "error").  Staff and this machine also get the
        database's error, every device's status (paths, OS errors) and the async mode."""
        hub = current_hub()
        try:
            hub.store.ping()
            db = "ok"
        except Exception as error:  # any driver error means the same to the operator
            db = f"error: {type(error).__name__}"
        status = "ok" if db == "ok" else "error"
        body = {"status": status, "db": "ok" if db == "ok" else "error"}
        if _asked_locally(config) or staff_or_none() is not None:
            devices = all_device_status(current_centre())
            body.update(db=db, devices=devices, async_mode=asyncmode.current())
        return jsonify(body), 200 if status == "ok" else 503


def _cookie_login(app: Flask) -> bool:
    """A user logged in by a cookie is asking.  Without the session or remember cookie
    nobody can be (Flask-Login has no other loader here): a kiosk's tap is then not made
    to open and read an empty session."""
    cookies = request.cookies
    if (
        app.config.get("SESSION_COOKIE_NAME", "session") not in cookies
        and app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
    ):
        return False
    from flask_login import current_user

    return current_user.is_authenticated


def _asked_locally(config: Config) -> bool:
    """A request from this machine: a loopback address after ProxyFix.  Without trusted
    proxies a forwarded request (nginx on this machine) also comes from loopback; its
    X-Forwarded-For then says it is not ours."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_loopback:
        return False
    return bool(config.trusted_proxies) or not (
        request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    )
