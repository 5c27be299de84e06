"""/remote: a number from the phone before leaving home (issue 17).  A QR poster at
the centre's door and the centre's website link here; /c/{code}/remote works like
every page (kiosk/centre_routing.py).  The page itself posts to
/api/v1/remote-tickets and opens the ticket's /t/{token} page."""

from __future__ import annotations

from flask import render_template

from kiosk.pages.blueprint import bp
from kiosk.runtime import current_centre
from kiosk.usecases import remote


@bp.get("/remote")
def remote_numbers():
    ctx = current_centre().ctx
    return render_template("remote.html", fields=remote.remote_fields(ctx))
