"""Voice packs: folders of recorded clips, one pack per voice and language.

A pack is a folder named like the pack:

    <name>/pack.toml        name, language, licence and a [clips] table
    <name>/<slug>.wav       one file per clip (or <slug>.ogg)

`[clips]` maps each clip slug to what is said in it, e.g.
`mot_sac = "mốt"`. The shipped packs live in display/voices/; a centre
puts its own recordings in its override folder (config VOICE_DIR, e.g.
instance/voices/<name>/). A clip found there wins over the shipped clip of
the same pack name, file by file.

Check a pack from the command line: `python -m display.voice_pack DIR…`.
"""

from __future__ import annotations

import re
import sys
import tomllib
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from display.announcer import REQUIRED_MAX_COUNTER, needed_clips
from display.number_words import LANGUAGES

SHIPPED_ROOT: Final = Path(__file__).resolve().parent / "voices"
AUDIO_TYPES: Final = {".wav": "audio/wav", ".ogg": "audio/ogg"}
NAME_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_CLIP_SECONDS: Final = 8.0


class VoicePackError(ValueError):
    """A pack folder that cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class VoicePack:
    """A loaded pack: its metadata and the clips it declares."""

    name: str
    language: str
    licence: str
    path: Path
    clips: dict[str, str]  # slug -> what is said
    extra: dict[str, object] = field(default_factory=dict)

    def clip_file(self, slug: str) -> Path | None:
        """The audio file of a clip, or None."""
        return _audio_file(self.path, slug)

    def missing(self, max_counter: int = REQUIRED_MAX_COUNTER) -> dict[str, str]:
        """Clip ids the announcer may need that this pack lacks, with what to say."""
        return {
            clip_id: say
            for clip_id, say in needed_clips(self.language, max_counter).items()
            if clip_id.split("/", 1)[1] not in self.clips
        }


def is_safe_name(name: str) -> bool:
    """True for a pack or clip name usable as one path component (no dots, no slashes)."""
    return bool(NAME_PATTERN.fullmatch(name))


def _audio_file(folder: Path, slug: str) -> Path | None:
    if not is_safe_name(slug):
        return None
    for suffix in AUDIO_TYPES:
        candidate = folder / f"{slug}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load_pack(path: str | Path) -> VoicePack:
    """Read a pack folder; VoicePackError if pack.toml is wrong or a declared clip has no file."""
    folder = Path(path)
    toml_path = folder / "pack.toml"
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VoicePackError(f"{toml_path}: cannot read: {exc}") from exc
    problems: list[str] = []
    for key in ("name", "language", "licence"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"`{key}` must be a non-empty string")
    name, language = data.get("name"), data.get("language")
    if isinstance(name, str) and name != folder.name:
        problems.append(f"name {name!r} must equal the folder name {folder.name!r}")
    if isinstance(name, str) and not is_safe_name(name):
        problems.append(f"name {name!r} must match {NAME_PATTERN.pattern}")
    if isinstance(language, str) and language not in LANGUAGES:
        problems.append(f"language {language!r} must be one of {', '.join(LANGUAGES)}")
    clips = data.get("clips")
    if not isinstance(clips, dict) or not all(isinstance(v, str) for v in clips.values()):
        problems.append('[clips] must be a table of slug = "what is said"')
        clips = {}
    for slug in clips:
        if not is_safe_name(slug):
            problems.append(f"clip {slug!r}: slug must match {NAME_PATTERN.pattern}")
        elif _audio_file(folder, slug) is None:
            problems.append(f"clip {slug!r}: no {slug}.wav or {slug}.ogg")
    if problems:
        raise VoicePackError(f"{toml_path}:\n  " + "\n  ".join(problems))
    extra = {k: v for k, v in data.items() if k not in ("name", "language", "licence", "clips")}
    return VoicePack(name, language, data["licence"], folder, dict(clips), extra)


def _wav_problem(path: Path) -> str | None:
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        return f"{path.name}: not a readable PCM WAV ({exc})"
    if frames == 0:
        return f"{path.name}: empty"
    if frames / rate > MAX_CLIP_SECONDS:
        return f"{path.name}: {frames / rate:.1f} s, longer than {MAX_CLIP_SECONDS:g} s"
    return None


def validate_pack(pack: VoicePack, max_counter: int = REQUIRED_MAX_COUNTER) -> None:
    """VoicePackError listing every missing clip (with what to say) and every bad WAV.

    A complete pack can announce any ticket to counters 1..max_counter.
    """
    problems = [
        f"missing {clip_id}: say {say!r}" for clip_id, say in pack.missing(max_counter).items()
    ]
    for slug in pack.clips:
        path = pack.clip_file(slug)
        if path is not None and path.suffix == ".wav" and (problem := _wav_problem(path)):
            problems.append(problem)
    if problems:
        raise VoicePackError(
            f"voice pack {pack.name!r} ({pack.path}) has {len(problems)} problem(s):\n  "
            + "\n  ".join(problems)
        )


def find_clip(pack: str, slug: str, override_root: str | Path | None = None) -> Path | None:
    """The file for a clip: the centre's override folder first, then the shipped pack."""
    if not is_safe_name(pack):
        return None
    for root in _roots(override_root):
        if found := _audio_file(root / pack, slug):
            return found
    return None


def find_pack(name: str, override_root: str | Path | None = None) -> VoicePack | None:
    """The pack's metadata from the override folder if it has a pack.toml, else shipped."""
    if not is_safe_name(name):
        return None
    for root in _roots(override_root):
        if (root / name / "pack.toml").is_file():
            return load_pack(root / name)
    return None


def packs_by_language(override_root: str | Path | None = None) -> dict[str, list[str]]:
    """Every usable pack name, by the language it speaks (shipped and the centre's own)."""
    found: dict[str, set[str]] = {}
    for root in _roots(override_root):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if not (folder / "pack.toml").is_file() or not is_safe_name(folder.name):
                continue
            try:
                pack = load_pack(folder)
            except VoicePackError:
                continue  # a half-made folder is not offered
            found.setdefault(pack.language, set()).add(folder.name)
    return {language: sorted(names) for language, names in found.items()}


def _roots(override_root: str | Path | None) -> list[Path]:
    return [Path(override_root), SHIPPED_ROOT] if override_root else [SHIPPED_ROOT]


def main(argv: list[str] | None = None) -> int:
    """Check pack folders (default: the shipped packs); print problems, exit 1 if any."""
    args = sys.argv[1:] if argv is None else argv
    folders = [Path(a) for a in args] or sorted(p.parent for p in SHIPPED_ROOT.glob("*/pack.toml"))
    failed = False
    for folder in folders:
        try:
            pack = load_pack(folder)
            validate_pack(pack)
        except VoicePackError as exc:
            failed = True
            print(exc, file=sys.stderr)
        else:
            print(f"ok: {pack.name} ({pack.language}, {len(pack.clips)} clips) {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
