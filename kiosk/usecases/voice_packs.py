"""Voice packs recorded at the hub: create, record a clip, delete, export, import, and
the order a centre's calls are announced in (`settings["languages"]`).

Packs live in the database (`voice_packs`, `voice_clips`), not in a folder: a
province runs several hub processes on several machines, and every one of them must
play the clip a clerk recorded a minute ago.  A clip arrives here finished (16 kHz
mono 16-bit WAV, trimmed, at one loudness: display/audio.py does that in the shell
that received it); this module checks it is such a WAV and stores it.

One pack is one file for sharing (`motcua voice export` / `import`, and the admin
page): a ZIP holding `pack.toml` (code, name, licence, `[clips]` slug = what is said)
and one `<slug>.wav` per clip.  Which clips a centre needs, and calls composed from
them: display/recorded.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tomllib
import wave
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import delete, select

from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.store import Store
from kiosk.store.tables import VoiceClipRow, VoicePackRow
from kiosk.usecases import audit
from kiosk.usecases.admin_centre import _save
from kiosk.usecases.context import QueueContext

CODE_PATTERN: Final = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
SLUG_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SHIPPED: Final = ("vi", "en")  # spoken by the shipped espeak packs when nothing is recorded
MAX_CLIP_BYTES: Final = 600_000  # 8 s of 16 kHz 16-bit mono is 256 kB; room for 44.1 kHz
MAX_BUNDLE_BYTES: Final = 60_000_000


@dataclass(frozen=True)
class Clip:
    slug: str
    text: str
    digest: str
    duration_ms: int


@dataclass(frozen=True)
class PackInfo:
    code: str
    name: str
    licence: str
    clips: dict[str, Clip]


def check_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput("invalid_voice_code", code=code)
    return code


def _check_slug(slug: str) -> str:
    if not SLUG_PATTERN.fullmatch(slug or ""):
        raise InvalidInput("invalid_voice_clip", slug=slug)
    return slug


def wav_duration_ms(audio: bytes) -> int:
    """Length of a PCM WAV; InvalidInput for anything else (or an oversized one)."""
    if len(audio) > MAX_CLIP_BYTES:
        raise InvalidInput("invalid_voice_audio")
    try:
        with wave.open(io.BytesIO(audio), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (EOFError, wave.Error) as error:
        raise InvalidInput("invalid_voice_audio") from error
    if frames == 0 or rate <= 0:
        raise InvalidInput("invalid_voice_audio")
    return round(frames * 1000 / rate)


def _pack_row(session, code: str) -> VoicePackRow:
    row = session.execute(select(VoicePackRow).where(VoicePackRow.code == code)).scalar()
    if row is None:
        raise NotFound("unknown_voice_pack", code=code)
    return row


def list_packs(store: Store) -> list[PackInfo]:
    """Every recorded pack with its clips' metadata (not their sound)."""
    with store.read() as session:
        packs = session.execute(select(VoicePackRow).order_by(VoicePackRow.code)).scalars().all()
        clips = session.execute(
            select(
                VoiceClipRow.pack_id,
                VoiceClipRow.slug,
                VoiceClipRow.text,
                VoiceClipRow.digest,
                VoiceClipRow.duration_ms,
            )
        ).all()
        by_pack: dict[int, dict[str, Clip]] = {}
        for pack_id, slug, text, digest, duration in clips:
            by_pack.setdefault(pack_id, {})[slug] = Clip(slug, text, digest, duration)
        return [PackInfo(p.code, p.name, p.licence, by_pack.get(p.id, {})) for p in packs]


def find_pack(store: Store, code: str) -> PackInfo | None:
    return next((p for p in list_packs(store) if p.code == code), None)


def clip_audio(store: Store, code: str, slug: str) -> tuple[bytes, str] | None:
    """The WAV bytes and digest of one recorded clip, or None."""
    with store.read() as session:
        row = session.execute(
            select(VoiceClipRow.audio, VoiceClipRow.digest)
            .join(VoicePackRow, VoicePackRow.id == VoiceClipRow.pack_id)
            .where(VoicePackRow.code == code, VoiceClipRow.slug == slug)
        ).first()
        return (bytes(row.audio), row.digest) if row else None


def create_pack(
    ctx: QueueContext, user_id: int | None, code: str, name: str, licence: str = ""
) -> str:
    code = check_code(code)
    name = (name or "").strip()[:120] or code
    with ctx.store.write() as session:
        if session.execute(select(VoicePackRow.id).where(VoicePackRow.code == code)).first():
            raise Conflict("voice_pack_exists", code=code)
        session.add(VoicePackRow(code=code, name=name, licence=licence[:120], updated_at=ctx.now()))
        audit.record(session, ctx.centre_id, ctx.now(), user_id, "voice.create", code, {})
    return code


def save_clip(
    ctx: QueueContext, user_id: int | None, code: str, slug: str, text: str, audio: bytes
) -> Clip:
    """Store (or replace) one finished clip of a pack."""
    slug = _check_slug(slug)
    duration = wav_duration_ms(audio)
    digest = hashlib.sha256(audio).hexdigest()[:16]
    with ctx.store.write() as session:
        pack = _pack_row(session, code)
        row = session.get(VoiceClipRow, (pack.id, slug))
        if row is None:
            row = VoiceClipRow(pack_id=pack.id, slug=slug)
            session.add(row)
        row.text, row.audio, row.digest = text[:300], audio, digest
        row.duration_ms, row.recorded_at = duration, ctx.now()
        pack.updated_at = ctx.now()
        audit.record(session, ctx.centre_id, ctx.now(), user_id, "voice.record", code, {slug: 1})
    return Clip(slug, text[:300], digest, duration)


def delete_clip(ctx: QueueContext, user_id: int | None, code: str, slug: str) -> None:
    with ctx.store.write() as session:
        pack = _pack_row(session, code)
        session.execute(
            delete(VoiceClipRow).where(VoiceClipRow.pack_id == pack.id, VoiceClipRow.slug == slug)
        )
        pack.updated_at = ctx.now()


def delete_pack(ctx: QueueContext, user_id: int | None, code: str) -> None:
    with ctx.store.write() as session:
        pack = _pack_row(session, code)
        session.execute(delete(VoiceClipRow).where(VoiceClipRow.pack_id == pack.id))
        session.delete(pack)
        audit.record(session, ctx.centre_id, ctx.now(), user_id, "voice.delete", code, {})


# -- one file per pack ------------------------------------------------------------------


def export_pack(store: Store, code: str) -> bytes:
    """The pack as one ZIP file: pack.toml and every clip."""
    with store.read() as session:
        pack = _pack_row(session, code)
        rows = session.execute(
            select(VoiceClipRow.slug, VoiceClipRow.text, VoiceClipRow.audio)
            .where(VoiceClipRow.pack_id == pack.id)
            .order_by(VoiceClipRow.slug)
        ).all()
        header = [
            "# A motcua voice pack: `motcua voice import FILE [--as CODE] [--name NAME]`",
            f"code = {json.dumps(pack.code)}",
            f"name = {json.dumps(pack.name, ensure_ascii=False)}",
            f"licence = {json.dumps(pack.licence, ensure_ascii=False)}",
            "",
            "[clips]  # slug = what is said; the file is <slug>.wav",
        ]
    lines = header + [f"{slug} = {json.dumps(text, ensure_ascii=False)}" for slug, text, _ in rows]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("pack.toml", "\n".join(lines) + "\n")
        for slug, _, audio in rows:
            bundle.writestr(f"{slug}.wav", bytes(audio))
    return out.getvalue()


def import_pack(
    store: Store,
    now: datetime,
    data: bytes,
    code: str | None = None,
    name: str | None = None,
    *,
    replace: bool = False,
) -> PackInfo:
    """Add the pack of an exported file, under `code` if given (else its own code).

    Conflict when a pack of that code exists, unless `replace`; InvalidInput for a file
    that is not an exported pack (the message says what is wrong)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise InvalidInput("invalid_voice_bundle", detail="too large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            manifest = tomllib.loads(bundle.read("pack.toml").decode("utf-8"))
            texts = manifest.get("clips") or {}
            if not isinstance(texts, dict):
                raise InvalidInput("invalid_voice_bundle", detail="[clips] is not a table")
            clips = {slug: (str(text), bundle.read(f"{slug}.wav")) for slug, text in texts.items()}
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidInput("invalid_voice_bundle", detail=str(error)[:200]) from error
    code = check_code(code or str(manifest.get("code", "")))
    name = (name or str(manifest.get("name") or code)).strip()[:120]
    finished = {
        _check_slug(slug): (text[:300], audio, wav_duration_ms(audio))
        for slug, (text, audio) in clips.items()
    }
    with store.write() as session:
        existing = session.execute(select(VoicePackRow).where(VoicePackRow.code == code)).scalar()
        if existing is not None and not replace:
            raise Conflict("voice_pack_exists", code=code)
        if existing is not None:
            session.execute(delete(VoiceClipRow).where(VoiceClipRow.pack_id == existing.id))
            session.delete(existing)
            session.flush()
        pack = VoicePackRow(
            code=code, name=name, licence=str(manifest.get("licence", ""))[:120], updated_at=now
        )
        session.add(pack)
        session.flush()
        for slug, (text, audio, duration) in finished.items():
            session.add(
                VoiceClipRow(
                    pack_id=pack.id,
                    slug=slug,
                    text=text,
                    audio=audio,
                    digest=hashlib.sha256(audio).hexdigest()[:16],
                    duration_ms=duration,
                    recorded_at=now,
                )
            )
    return find_pack(store, code)


# -- the centre's order of announced languages -----------------------------------------


def set_announce_order(ctx: QueueContext, user_id: int | None, codes: list[str]) -> list[str]:
    """The languages each call is announced in, in order (`[centre] announce` in the centre
    file; the lobby leaves out a language with no complete pack)."""
    order = list(dict.fromkeys(check_code(code) for code in codes if code.strip()))
    if not order:
        raise InvalidInput("invalid_languages")
    _save(ctx, user_id, "display.update", {}, {"languages": order})
    ctx.languages = tuple(order)
    return order


def set_pictograms(ctx: QueueContext, user_id: int | None, chosen: dict[str, str]) -> None:
    """Each field's pictogram (kiosk/pictograms.py): {field code: name}."""
    _save(ctx, user_id, "display.update", {}, {"pictograms": dict(chosen)})
