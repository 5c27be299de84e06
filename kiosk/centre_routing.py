"""Which centre an HTTP request is for: every page and API route also answers under
its centre's prefix, `/c/{code}/…` and `/api/v1/c/{code}/…` (CONTRACT.md, "Several
centres in one installation"), without a second copy of any route.

`CentrePrefix`, the outermost WSGI layer, moves the prefix out of the path into
SCRIPT_NAME and notes the code (environ CENTRE_KEY): `/c/xa-b/kiosk` reaches the
`/kiosk` view, `/api/v1/c/xa-b/tickets` the `/api/v1/tickets` view, and Socket.IO's
`/c/xa-b/socket.io/` its usual endpoint.  Since SCRIPT_NAME is the application's
root, every `url_for` of a page served under a prefix (links, forms, redirects,
static files, the login page) stays under that prefix, so a page never leaves its
centre.  The `before_request` hook then finds the request's centre once
(kiosk.runtime.current_centre: prefix, else host name, else the default centre) and
answers 404 `unknown_centre` for a code no centre has.

Pages served under a prefix carry its code (`<body data-centre>`, base.html):
static/js/hub.js sends it in `subscribe` and puts it in its API addresses.
"""

from __future__ import annotations

import re

from flask import Flask, g, request

from kiosk.runtime import CENTRE_KEY, current_centre

# /c/{code}/rest and /api/v1/c/{code}/rest; a code is one path segment.
_PAGE = re.compile(r"/c/([^/]+)(/.*)?")
_API = re.compile(r"/api/v1/c/([^/]+)(/.*)?")


class CentrePrefix:
    """WSGI middleware: a centre's prefix → SCRIPT_NAME + environ[CENTRE_KEY]."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path.startswith(("/c/", "/api/v1/c/")):
            page = _PAGE.fullmatch(path)
            api = None if page else _API.fullmatch(path)
            if page is not None:
                code, rest = page.group(1), page.group(2) or "/"
            elif api is not None:
                code, rest = api.group(1), "/api/v1" + (api.group(2) or "")
            else:
                return self.app(environ, start_response)
            environ[CENTRE_KEY] = code
            environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '').rstrip('/')}/c/{code}"
            environ["PATH_INFO"] = rest
        return self.app(environ, start_response)


def prefixed_code() -> str | None:
    """The centre code of this request's prefix, if it came through one."""
    return request.environ.get(CENTRE_KEY)


def init_app(app: Flask) -> None:
    """Install the prefix layer (outermost: call after socketio.init_app, so that
    Socket.IO's path is seen without the prefix too) and find each request's centre."""
    app.wsgi_app = CentrePrefix(app.wsgi_app)

    @app.before_request
    def find_centre():
        current_centre()  # unknown_centre (404) before any view runs

    @app.context_processor
    def centre_globals():
        # The page's centre for static/js/hub.js: under a prefix, or chosen by the view
        # (a ticket's own centre).  Other pages keep their addresses and subscriptions
        # exactly as a one-centre hub has them.
        if g.get("centre_chosen"):
            return {"page_centre": g.centre.code}
        return {"page_centre": prefixed_code()}
