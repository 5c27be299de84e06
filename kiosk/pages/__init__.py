"""Browser pages of the hub: /kiosk, /counter, /t/{token}, login, /reports, /supervisor, /province."""

from kiosk.pages import province, province_centres, remote, routes, staff  # noqa: E402,F401
from kiosk.pages.blueprint import bp  # noqa: F401  (create_app registers it)
