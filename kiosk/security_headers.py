"""The Content-Security-Policy every HTML page is served with.

The hub loads nothing from elsewhere (the centre's LAN may have no internet), so
every kind of content is allowed from the hub's own origin only. Pages run no
inline script and no inline handler: server data reaches the scripts through
``data-*`` attributes and ``<script type="application/json">`` blocks, which the
browser never executes. Scripts still set element styles through the DOM
(font sizes that fit, grid sizes); CSP leaves those alone, so ``style-src`` needs
no ``'unsafe-inline'`` either.
"""

from __future__ import annotations

from flask import Response

# One directive per line, so a change shows up as one line in a diff.
POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    # Ticket QR codes (/t/TOKEN/qr.svg) come from the hub; no page uses data: or blob:
    # images or media, so neither is allowed.
    ("img-src", "'self'"),
    # Voice clips: <audio> from the hub's files, or fetched and decoded by Web Audio.
    ("media-src", "'self'"),
    # Socket.IO: since CSP level 3, 'self' also matches ws:/wss: to the same host.
    ("connect-src", "'self'"),
    ("font-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("frame-ancestors", "'self'"),
    ("form-action", "'self'"),
)


def content_security_policy() -> str:
    """The header's value: every directive of ``POLICY``, in order."""
    return "; ".join(f"{name} {sources}" for name, sources in POLICY)


# Documents a browser may run script in when opened directly; JSON, CSV, audio… cannot.
DOCUMENT_TYPES = frozenset({"text/html", "image/svg+xml"})


def apply(response: Response) -> Response:
    """Set the policy on an HTML or SVG response; keep one a route set itself."""
    if response.mimetype in DOCUMENT_TYPES:
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response
