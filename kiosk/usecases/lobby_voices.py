"""Each paired lobby TV's own announcement languages (issue 18: "a centre chooses the
order of its languages per lobby… or Vietnamese only at night").

An admin sets, on /admin/devices, for a lobby TV paired under a name (device token of
kind "display"): its languages in order (a subset of those the centre can speak: the
shipped packs and the packs recorded at the hub), and optionally a night order with its
hours in the centre's time zone (18:00–07:00 spans midnight).  Stored in `lobby_voices`
by the TV's name, so a TV paired again keeps them; audited as `display.lobby_voice`.

The TV learns what is in effect through the `lobby_voice` event: {announce: [codes]
(empty: the URL's ?announce=, else the centre's order), night: bool, until: when the
day/night order switches (ISO), or null}.  It is sent on the TV's subscribe and to its
room (`rooms.lobby_tv`) after each change; at `until` the TV subscribes again.
Calls carry clips for every language any lobby speaks (`lobby_languages`,
display/announcer.py), beyond the centre's order, so the TV has them to play.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kiosk import rooms
from kiosk.core.errors import InvalidInput
from kiosk.events import Outgoing
from kiosk.store import setup_cache
from kiosk.store.tables import CentreRow, DeviceTokenRow, LobbyVoiceRow, VoicePackRow
from kiosk.usecases import audit
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import iso
from kiosk.usecases.voice_packs import SHIPPED, check_code

EVENT: Final = "lobby_voice"
ACTION: Final = "display.lobby_voice"
_HOUR: Final = re.compile(r"([01]?\d|2[0-3])[:h.]([0-5]\d)")


@dataclass(frozen=True)
class LobbyVoice:
    """One TV's setting: its languages, and the night order with its hours (or none)."""

    name: str
    languages: tuple[str, ...] = ()
    night_languages: tuple[str, ...] = ()
    night_from: str | None = None  # "HH:MM", the centre's local time
    night_to: str | None = None

    def in_effect(self, local: datetime) -> dict:
        """The `lobby_voice` payload at `local` (an aware time in the centre's zone)."""
        if not self.night_languages or self.night_from is None or self.night_to is None:
            return {"announce": list(self.languages), "night": False, "until": None}
        start, end = _hour(self.night_from), _hour(self.night_to)
        now = local.time()
        night = start <= now < end if start < end else now >= start or now < end
        switches = [
            datetime.combine(day, at, tzinfo=local.tzinfo)
            for day in (local.date(), local.date() + timedelta(days=1))
            for at in (start, end)
        ]
        until = min(at for at in switches if at > local)
        return {
            "announce": list(self.night_languages if night else self.languages),
            "night": night,
            "until": iso(until),
        }

    def describe(self) -> dict:
        return {
            "languages": list(self.languages),
            "night_languages": list(self.night_languages),
            "night_from": self.night_from,
            "night_to": self.night_to,
        }


def _hour(text: str) -> time:
    match = _HOUR.fullmatch((text or "").strip())
    if not match:
        raise InvalidInput("invalid_night_hours")
    return time(int(match.group(1)), int(match.group(2)))


def speakable(session: Session, centre_id: int) -> list[str]:
    """The languages this centre can speak: the shipped packs, the packs recorded at the
    hub (complete or not yet: an incomplete one is left out of calls until it is), and
    those of the centre's own order."""
    recorded = session.execute(select(VoicePackRow.code).order_by(VoicePackRow.code)).scalars()
    centre = (session.get(CentreRow, centre_id).settings or {}).get("languages") or ()
    return list(dict.fromkeys([*centre, *SHIPPED, *recorded]))


def _codes(codes: list[str], known: list[str]) -> tuple[str, ...]:
    order = tuple(dict.fromkeys(check_code(code) for code in codes if code.strip()))
    for code in order:
        if code not in known:
            raise InvalidInput("unknown_language", code=code, known=", ".join(known))
    return order


def _paired_displays(session: Session, centre_id: int) -> set[str]:
    return set(
        session.execute(
            select(DeviceTokenRow.name).where(
                DeviceTokenRow.centre_id == centre_id,
                DeviceTokenRow.kind == "display",
                DeviceTokenRow.revoked_at.is_(None),
            )
        ).scalars()
    )


def _row(session: Session, centre_id: int, name: str) -> LobbyVoiceRow | None:
    return session.execute(
        select(LobbyVoiceRow).where(
            LobbyVoiceRow.centre_id == centre_id, LobbyVoiceRow.name == name
        )
    ).scalar_one_or_none()


def _value(name: str, row: LobbyVoiceRow | None) -> LobbyVoice:
    if row is None:
        return LobbyVoice(name)
    return LobbyVoice(
        name,
        tuple(row.languages or ()),
        tuple(row.night_languages or ()),
        row.night_from,
        row.night_to,
    )


def find(session: Session, centre_id: int, name: str) -> LobbyVoice:
    """The TV `name`'s setting (no languages of its own if none was set)."""
    return _value(name, _row(session, centre_id, name))


def get(ctx: QueueContext, name: str) -> LobbyVoice:
    with ctx.store.read() as session:
        return find(session, ctx.centre_id, name)


def of_centre(ctx: QueueContext) -> dict[str, LobbyVoice]:
    """Every lobby TV's setting, by name (the devices page lists them)."""
    with ctx.store.read() as session:
        rows = session.execute(
            select(LobbyVoiceRow).where(LobbyVoiceRow.centre_id == ctx.centre_id)
        ).scalars()
        return {row.name: _value(row.name, row) for row in rows}


def state(session: Session, ctx: QueueContext, name: str) -> dict:
    """The `lobby_voice` payload for the TV `name` now (sent when it subscribes)."""
    return find(session, ctx.centre_id, name).in_effect(ctx.now().astimezone(ctx.tz))


_LOBBY_LANGUAGES = select(
    LobbyVoiceRow.__table__.c.languages, LobbyVoiceRow.__table__.c.night_languages
).where(LobbyVoiceRow.__table__.c.centre_id == bindparam("centre"))


def lobby_languages(session: Session, centre_id: int) -> list[str]:
    """Every language some lobby TV of the centre speaks, by day or by night: kept with
    the centre's set-up (a change to `lobby_voices` raises its version), as every call
    asks (display/announcer.py)."""
    kept = setup_cache.derived(session, centre_id)
    codes = kept.get("lobby_languages")
    if codes is None:
        rows = session.connection().execute(_LOBBY_LANGUAGES, {"centre": centre_id}).all()
        codes = tuple(dict.fromkeys(code for day, night in rows for code in [*day, *night]))
        kept["lobby_languages"] = codes
    return list(codes)


def set_lobby_voice(
    ctx: QueueContext,
    user_id: int | None,
    name: str,
    languages: list[str],
    night_languages: list[str] = (),
    night_from: str = "",
    night_to: str = "",
) -> LobbyVoice:
    """Set the languages of the lobby TV paired as `name` (empty: it follows its URL's
    ?announce=, else the centre), and its night order (empty: none).  Audited; the TV is
    told at once."""
    with ctx.store.write() as session:
        if name not in _paired_displays(session, ctx.centre_id):
            raise InvalidInput("unknown_display", name=name)
        known = speakable(session, ctx.centre_id)
        value = LobbyVoice(name, _codes(languages, known), _codes(list(night_languages), known))
        if value.night_languages:
            start, end = _hour(night_from), _hour(night_to)
            if start == end:
                raise InvalidInput("invalid_night_hours")
            value = LobbyVoice(
                name,
                value.languages,
                value.night_languages,
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
            )
        row = _row(session, ctx.centre_id, name)
        before = _value(name, row).describe()
        after = value.describe()
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if not changed:
            return value
        if row is None:
            row = LobbyVoiceRow(centre_id=ctx.centre_id, name=name)
            session.add(row)
        row.languages = list(value.languages)
        row.night_languages = list(value.night_languages)
        row.night_from, row.night_to = value.night_from, value.night_to
        row.updated_at = ctx.now()
        audit.record(session, ctx.centre_id, ctx.now(), user_id, ACTION, name, changed)
    payload = value.in_effect(ctx.now().astimezone(ctx.tz))
    ctx.publish([Outgoing(EVENT, payload, (rooms.lobby_tv(ctx.centre_id, name),))])
    return value
