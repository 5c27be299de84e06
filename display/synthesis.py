"""Kiosk words the shipped voices lack (a centre's own field names, the read-aloud
prompts), synthesised by espeak-ng when first asked for and kept in this process.

The shipped Vietnamese and English packs are built offline from a fixed word list
(display/tools/make_voice_pack.py); a field's name is the centre's, so it cannot be
in them.  Synthesis is deterministic, so every hub process makes the same clip
without sharing anything.  A centre that records its own pack (display/recorded.py)
replaces these with a human voice; without espeak-ng on the hub the kiosk offers
the read-aloud only in recorded languages.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Final

from display.audio import AudioError, finish_clip

VOICES: Final = {"vi": "vi", "en": "en-us"}
SPEED: Final = 140  # words a minute, as the shipped packs


def available(lang: str) -> bool:
    return lang in VOICES and shutil.which("espeak-ng") is not None


def digest(text: str) -> str:
    """Names a text in a clip URL, so a renamed field is a new URL."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@lru_cache(maxsize=256)
def speak(lang: str, text: str) -> bytes | None:
    """`text` said in `lang` as a finished WAV (display/audio.py), or None."""
    if not available(lang) or not text.strip():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "clip.wav"
        done = subprocess.run(
            ["espeak-ng", "-v", VOICES[lang], "-s", str(SPEED), "-w", str(raw), text],
            capture_output=True,
        )
        if done.returncode != 0:
            return None
        try:
            finish_clip(raw, out)
        except AudioError:
            return None
        return out.read_bytes()
