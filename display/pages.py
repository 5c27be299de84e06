"""The lobby TV (/display) and the screen at each counter (/display/counter/{n})."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale

from display.recorded import recorded_packs
from kiosk.access import current_device, require_device
from kiosk.core.errors import DomainError
from kiosk.runtime import current_centre
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow
from kiosk.usecases import lobby_voices

bp = Blueprint("display", __name__, template_folder="templates", url_prefix="/display")


def _codes(arg: str) -> list[str]:
    return [f for f in (request.args.get(arg) or "").upper().split(",") if f]


def _numbers(arg: str) -> list[int]:
    return [int(c) for c in (request.args.get(arg) or "").split(",") if c.isdigit()]


@bp.get("")
@bp.get("/")
@require_device("display")
def lobby():
    """?fields=HT,DD and ?counters=1,2 limit what this TV shows; the filter runs in the page.
    ?announce=vi,hmn: the languages this TV speaks, in this order, among those the centre
    announces.  A paired TV whose languages the admin set (/admin/devices, by day and by
    night: kiosk/usecases/lobby_voices.py) speaks those instead, told by `lobby_voice`."""
    centre = current_centre()
    # Calls use a complete recorded pack for a language (display/recorded.py), else the
    # centre's shipped pack for it (voice_packs), else the pack named like the language:
    # the page decodes those at start so the first call plays at once.
    packs = _voice_packs(centre)
    announce = [c for c in (request.args.get("announce") or "").lower().split(",") if c]
    device = current_device()
    with centre.ctx.store.read() as session:
        # the order as stored: set in any hub process (/admin/voices), read here
        settings = session.get(CentreRow, centre.centre_id).settings or {}
        languages = tuple(settings.get("languages") or centre.ctx.languages)
        own = (
            lobby_voices.find(session, centre.centre_id, device.name)
            if device and device.kind == "display"
            else None
        )
        spoken = list(dict.fromkeys([*own.languages, *own.night_languages])) if own else []
        spoken = spoken or [lang for lang in languages if not announce or lang in announce]
        recorded_codes = set(recorded_packs(session, spoken))
    manifests = [
        url_for("voice.recorded_manifest", code=lang)
        if lang in recorded_codes
        else url_for("voice.manifest", pack=packs.get(lang, lang))
        for lang in spoken
        if lang in recorded_codes or lang in ("vi", "en")
    ]
    return render_template(
        "display.html",
        fields=_codes("fields"),
        counters=_numbers("counters"),
        voice_manifests=manifests,
        announce=announce,
    )


@bp.get("/counter/<int:number>")
@require_device("counter_screen")
def counter_screen(number: int):
    centre = current_centre()
    with centre.ctx.store.read() as session:
        try:
            row = repo.counter_row(session, centre.centre_id, number)
        except DomainError:
            abort(404)
        name = (row.name_en or row.name) if str(get_locale()) == "en" else row.name
    return render_template("counter_screen.html", counter_number=number, counter_name=name)


def _voice_packs(centre) -> dict[str, str]:
    with centre.ctx.store.read() as session:
        settings = session.get(CentreRow, centre.centre_id).settings or {}
        return dict(settings.get("voice_packs") or {})
