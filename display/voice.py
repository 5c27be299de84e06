"""HTTP access to voice clips for lobby and counter displays.

GET /display/voice/<pack>/<clip>.wav     one clip (from the centre's VOICE_DIR, else shipped)
GET /display/voice/<pack>/manifest.json  the pack's metadata and every clip URL, for preloading

The URL always ends in .wav; a pack that stores OGG is served with its true
Content-Type, which is what browsers decode by. Pack and clip names must be
one safe path component, so nothing outside the pack folders can be reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, request, send_file

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


@voice_bp.route("/<path:anything>")
def unknown(anything: str) -> Any:
    """Anything else under /display/voice, including encoded traversal attempts."""
    return _not_found(anything if is_safe_name(anything) else "?")
