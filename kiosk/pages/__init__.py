"""Browser pages of the hub: /kiosk, /counter, /t/{token}, login, /reports, /supervisor."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")

from kiosk.pages import routes, staff  # noqa: E402,F401
