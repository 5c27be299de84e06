"""The lobby TV (/display) and the screen at each counter (/display/counter/{n})."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from kiosk.access import require_device
from kiosk.core.errors import DomainError
from kiosk.store import repository as repo

bp = Blueprint("display", __name__, template_folder="templates", url_prefix="/display")


def _codes(arg: str) -> list[str]:
    return [f for f in (request.args.get(arg) or "").upper().split(",") if f]


def _numbers(arg: str) -> list[int]:
    return [int(c) for c in (request.args.get(arg) or "").split(",") if c.isdigit()]


@bp.get("")
@bp.get("/")
@require_device("display")
def lobby():
    """?fields=HT,DD and ?counters=1,2 limit what this TV shows; the filter runs in the page."""
    hub = current_app.extensions["motcua"]
    # Calls use the centre's pack for each language (voice_packs), else the pack named
    # like the language: the page decodes those at start so the first call plays at once.
    packs = _voice_packs(hub)
    manifests = [
        url_for("voice.manifest", pack=packs.get(lang, lang)) for lang in hub.ctx.languages
    ]
    return render_template(
        "display.html",
        fields=_codes("fields"),
        counters=_numbers("counters"),
        voice_manifests=manifests,
    )


@bp.get("/counter/<int:number>")
@require_device("counter_screen")
def counter_screen(number: int):
    hub = current_app.extensions["motcua"]
    with hub.store.read() as session:
        try:
            row = repo.counter_row(session, hub.centre_id, number)
        except DomainError:
            abort(404)
        name = row.name
    return render_template("counter_screen.html", counter_number=number, counter_name=name)


def _voice_packs(hub) -> dict[str, str]:
    from kiosk.store.tables import CentreRow

    with hub.store.read() as session:
        return dict((session.get(CentreRow, hub.centre_id).settings or {}).get("voice_packs") or {})
