"""Admin changes to the centre (name, time zone, opening hours, holidays, how
long after service a ticket may be rated) and
to what screens show and say (ticker, ticket footer, voice on/off, spoken
languages, how often a call is repeated).

Stored on the centre row (`name`, `timezone`, `settings`), audited, then
pushed to every screen.  Calls read the spoken languages from the database
each time, so every hub process follows at once; this process's context
(time zone, languages for new lobby pages) is updated here, other processes
of a scaled-out hub pick up a new time zone when restarted.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core import hours
from kiosk.core.errors import InvalidInput
from kiosk.store.tables import CentreRow
from kiosk.usecases import audit, rating
from kiosk.usecases.admin_setup import changes
from kiosk.usecases.broadcast import publish_setup
from kiosk.usecases.context import QueueContext

LANGUAGES = ("vi", "en")  # the voice packs the hub ships
MAX_REPEAT = 3


@dataclass(frozen=True)
class CentreValues:
    name: str
    timezone: str
    hours_text: str = ""
    holidays_text: str = ""
    rating_window_min: int | None = None  # None: leave as it is


@dataclass(frozen=True)
class DisplayValues:
    ticker: str = ""
    footer: str = ""
    voice: bool = True
    languages: tuple[str, ...] = LANGUAGES
    repeat: int = 1
    voice_packs: dict[str, str] | None = None  # language → pack (checked by the form)
    number_reading: str = "linh"  # counter 105: "linh" (standard, Northern) or "le" (Southern)


def _save(ctx: QueueContext, user_id: int | None, action: str, columns: dict, settings: dict):
    with ctx.store.write() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        changed = changes(centre, columns)
        old = centre.settings or {}
        changed.update({k: [old.get(k), v] for k, v in settings.items() if old.get(k) != v})
        for key, value in columns.items():
            setattr(centre, key, value)
        centre.settings = {**old, **settings}  # a new dict: JSON columns do not see in-place edits
        if changed:
            audit.record(session, ctx.centre_id, ctx.now(), user_id, action, "", changed)
    if changed:
        publish_setup(ctx)
    return changed


def update_centre(ctx: QueueContext, user_id: int | None, values: CentreValues) -> dict:
    name = values.name.strip()[:200]
    if not name:
        raise InvalidInput("name_required")
    timezone = values.timezone.strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput("invalid_timezone", timezone=timezone) from error
    settings = {
        "opening_hours": hours.hours_from_text(values.hours_text),
        "holidays": hours.holidays_from_text(values.holidays_text),
    }
    if values.rating_window_min is not None:
        if not 1 <= values.rating_window_min <= rating.MAX_WINDOW_MIN:
            raise InvalidInput("invalid_rating_window", low=1, high=rating.MAX_WINDOW_MIN)
        settings["rating_window_min"] = values.rating_window_min
    changed = _save(ctx, user_id, "centre.update", {"name": name, "timezone": timezone}, settings)
    ctx.timezone = timezone
    return changed


def update_display(ctx: QueueContext, user_id: int | None, values: DisplayValues) -> dict:
    languages = tuple(lang for lang in LANGUAGES if lang in values.languages)
    if not languages:
        raise InvalidInput("invalid_languages")
    with ctx.store.read() as session:
        before = list((session.get(CentreRow, ctx.centre_id).settings or {}).get("languages") or ())
    # The form ticks Vietnamese and English; recorded languages and the order set on
    # /admin/voices stay as they are (kiosk/usecases/voice_packs.set_announce_order).
    kept = [lang for lang in before if lang not in LANGUAGES or lang in languages]
    languages = tuple(kept + [lang for lang in languages if lang not in kept])
    if not 1 <= values.repeat <= MAX_REPEAT:
        raise InvalidInput("invalid_repeat", low=1, high=MAX_REPEAT)
    settings = {
        "ticker": values.ticker.strip()[:300],
        "footer": values.footer.strip()[:120],
        "voice": bool(values.voice),
        "languages": list(languages),
        "repeat": values.repeat,
        "number_reading": values.number_reading if values.number_reading == "le" else "linh",
    }
    if values.voice_packs is not None:
        settings["voice_packs"] = {
            lang: pack for lang, pack in values.voice_packs.items() if pack and pack != lang
        }
    changed = _save(ctx, user_id, "display.update", {}, settings)
    ctx.languages = languages
    return changed
