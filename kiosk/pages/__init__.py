"""Browser pages of the hub: /kiosk, /counter, /t/{token}, login."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")

from kiosk.pages import routes  # noqa: E402,F401
