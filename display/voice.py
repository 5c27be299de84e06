"""HTTP access to voice clips for lobby and counter displays.

GET /display/voice/<pack>/<clip>.wav     one clip (from the centre's VOICE_DIR, else shipped)
GET /display/voice/<pack>/manifest.json  the pack's metadata and every clip URL, for preloading
GET /display/voice/rec/<code>/<clip>.wav a clip recorded at the hub (database; display/recorded.py)

The URL always ends in .wav; a pack that stores OGG is served with its true
Content-Type, which is what browsers decode by. Pack and clip names must be
one safe path component, so nothing outside the pack folders can be reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for

from display.announcer import VOICE_URL
from display.voice_pack import (
    AUDIO_TYPES,
    SHIPPED_ROOT,
    VoicePackError,
    find_clip,
    find_pack,
    is_safe_name,
)

voice_bp = Blueprint("voice", __name__, url_prefix=VOICE_URL)

# Displays replay the same few dozen clips all day: a day of caching means no
# refetch during service, yet a re-recorded pack reaches every screen by the
# next morning (ETag revalidation makes that check cheap).
CLIP_MAX_AGE: Final = 24 * 3600

_NOT_FOUND: Final = {
    "vi": "Không tìm thấy giọng đọc: {what}",
    "en": "Voice not found: {what}",
}


def override_root() -> Path | None:
    """The centre's own voice folder (VOICE_DIR, default instance/voices/), if set."""
    return _override_root()


def _override_root() -> Path | None:
    configured = current_app.config.get("VOICE_DIR")
    if not configured:
        return None
    root = Path(configured)
    return root if root.is_absolute() else Path(current_app.instance_path) / root


def _not_found(what: str) -> tuple[Response, int]:
    lang = request.accept_languages.best_match(list(_NOT_FOUND), default="vi")
    return jsonify(error="not_found", message=_NOT_FOUND[lang].format(what=what)), 404


@voice_bp.get("/<pack>/<clip>.wav")
def clip(pack: str, clip: str) -> Any:
    """One clip, cached for a day."""
    path = find_clip(pack, clip, _override_root())
    if path is None:
        return _not_found(f"{pack}/{clip}")
    response = send_file(path, mimetype=AUDIO_TYPES[path.suffix], max_age=CLIP_MAX_AGE)
    response.cache_control.public = True
    return response


@voice_bp.get("/<pack>/manifest.json")
def manifest(pack: str) -> Any:
    """Metadata of the pack and the URL of every clip it can serve (override + shipped)."""
    override = _override_root()
    try:
        meta = find_pack(pack, override)
    except VoicePackError as exc:
        # A broken pack.toml in the centre's folder must not silence the lobby.
        current_app.logger.warning("%s; using the shipped pack %r", exc, pack)
        meta = find_pack(pack)
    if meta is None:
        return _not_found(f"{pack}/manifest.json")
    slugs = dict.fromkeys(meta.clips)
    # Clips the centre did not record fall back to the shipped pack of that name.
    if (shipped := find_pack(pack)) is not None:
        slugs.update(dict.fromkeys(shipped.clips))
    clips = {
        slug: f"{VOICE_URL}/{pack}/{slug}.wav"
        for slug in slugs
        if find_clip(pack, slug, override) is not None
    }
    response = jsonify(
        name=meta.name,
        language=meta.language,
        licence=meta.licence,
        title=meta.extra.get("title", meta.name),
        source="shipped" if meta.path.parent == SHIPPED_ROOT else "centre",
        clips=clips,
    )
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@voice_bp.get("/rec/<code>/<clip>.wav")
def recorded_clip(code: str, clip: str) -> Any:
    """A clip recorded at the hub.  Its URL carries the recording's digest (?v=), so it
    may be kept a day: a re-recorded clip has another URL."""
    from kiosk.runtime import current_centre
    from kiosk.usecases.voice_packs import clip_audio

    found = clip_audio(current_centre().ctx.store, code, clip) if is_safe_name(code) else None
    if found is None:
        return _not_found(f"rec/{code}/{clip}" if is_safe_name(code) else "?")
    audio, digest = found
    response = Response(audio, mimetype="audio/wav")
    response.set_etag(digest)
    response.cache_control.public = True
    response.cache_control.max_age = CLIP_MAX_AGE
    return response.make_conditional(request)


@voice_bp.get("/rec/<code>/manifest.json")
def recorded_manifest(code: str) -> Any:
    """A recorded pack as this centre uses it: name, whether it is complete for calls and
    for the kiosk, what is missing, and the URL of every clip (lobbies preload them)."""
    from display import recorded
    from kiosk.runtime import current_centre

    centre = current_centre()
    with centre.ctx.store.read() as session:
        pack = recorded.recorded_packs(session, [code]).get(code)
        needs = recorded.centre_needs(session, centre.centre_id)
    if pack is None:
        return _not_found(f"rec/{code}/manifest.json" if is_safe_name(code) else "?")
    response = jsonify(
        name=pack.name,
        language=code,
        source="recorded",
        missing_for_calls=recorded.missing(needs, pack.digests, "calls"),
        missing_for_kiosk=recorded.missing(needs, pack.digests, "kiosk"),
        clips={slug: pack.url(slug) for slug in pack.digests},
    )
    response.cache_control.no_cache = True
    return response


@voice_bp.get("/kiosk.json")
def kiosk_voices() -> Any:
    """What the kiosk's read-aloud ("Nghe hướng dẫn") can say, in the centre's order of
    languages: each voice's prompts and field names (a recorded pack complete for the
    kiosk, else the shipped language synthesised, display/synthesis.py), and each
    field's pictogram."""
    from display import recorded, synthesis
    from kiosk import pictograms
    from kiosk.runtime import current_centre
    from kiosk.store.tables import CentreRow

    centre = current_centre()
    with centre.ctx.store.read() as session:
        packs = recorded.recorded_packs(session)
        needs = recorded.centre_needs(session, centre.centre_id)
        settings = session.get(CentreRow, centre.centre_id).settings or {}
    order = list(dict.fromkeys([*(settings.get("languages") or ("vi", "en")), "vi"]))
    voices = []
    for code in order:
        pack = packs.get(code)
        if pack is not None and not recorded.missing(needs, pack.digests, "kiosk"):
            clips = recorded.kiosk_urls(pack, needs)
            name = pack.name
        elif code in ("vi", "en") and synthesis.available(code):
            texts = recorded.kiosk_texts(needs, code)
            clips = {
                slug: url_for("voice.synthesised_clip", lang=code, clip=slug)
                + f"?v={synthesis.digest(text)}"
                for slug, text in texts.items()
            }
            name = {"vi": "Tiếng Việt", "en": "English"}[code]
        else:
            continue
        voices.append(
            {
                "code": code,
                "name": name,
                "prompts": {slug: clips[slug] for slug in recorded.PROMPTS},
                "fields": {c: clips[recorded.field_slug(c)] for c, _n, _e in needs.fields},
            }
        )
    chosen = pictograms.of_fields(settings)
    response = jsonify(
        voices=voices,
        pictograms={
            code: url_for("static", filename=f"pictograms/{name}.svg")
            for code, name in chosen.items()
        },
    )
    response.cache_control.no_cache = True
    return response


@voice_bp.get("/say/<lang>/<clip>.wav")
def synthesised_clip(lang: str, clip: str) -> Any:
    """A kiosk word of a shipped language, synthesised (display/synthesis.py)."""
    from display import recorded, synthesis
    from kiosk.runtime import current_centre

    centre = current_centre()
    with centre.ctx.store.read() as session:
        needs = recorded.centre_needs(session, centre.centre_id)
    text = recorded.kiosk_texts(needs, lang).get(clip) if lang in ("vi", "en") else None
    audio = synthesis.speak(lang, text) if text else None
    if audio is None:
        return _not_found(f"say/{lang}/{clip}" if is_safe_name(clip) else "?")
    response = Response(audio, mimetype="audio/wav")
    response.set_etag(synthesis.digest(text))
    response.cache_control.public = True
    response.cache_control.max_age = CLIP_MAX_AGE
    return response.make_conditional(request)


@voice_bp.route("/<path:anything>")
def unknown(anything: str) -> Any:
    """Anything else under /display/voice, including encoded traversal attempts."""
    return _not_found(anything if is_safe_name(anything) else "?")
