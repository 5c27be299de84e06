"""/admin: the centre's own administration, in the browser (Vietnamese first).

Server-rendered forms with a CSRF token; GET never changes anything; every
change goes through a use case (kiosk.usecases.admin_*, closing), which
audits it and pushes it to the screens.  Views are thin: read, validate the
form, call the use case, redirect; a refused change comes back on the form
with its reason in the user's language and nothing changed.
"""

from kiosk.admin import (  # noqa: E402,F401
    labels,
    views_centre,
    views_devices,
    views_people,
    views_records,
    views_remote,
    views_setup,
    views_voices,
)
from kiosk.admin.blueprint import bp  # noqa: F401  (create_app registers it)
