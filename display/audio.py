"""Clip sound: trim silence, bring every clip to one loudness, measure it (sox).

Every clip a lobby plays, shipped or recorded at the hub, goes through
`finish_clip`, so "hai / mươi / mốt" flows and no word is louder than the one
before it:

1. 16 kHz, mono, 16-bit PCM WAV (what every browser plays);
2. silence cut at both ends: sound quieter than 0.5 % of full scale (-46 dBFS)
   for longer than 10 ms, then 10 ms of lead and 60 ms of tail put back so no
   consonant is clipped;
3. loudness: the clip's RMS level brought to `TARGET_RMS_DB` (-20 dBFS), the
   sox equivalent of an EBU R128 target for short single words (R128's gating
   needs 400 ms blocks, longer than most of our clips);
4. no clipping: when step 3 would push a peak above `PEAK_CEILING_DB`
   (-1 dBFS) the whole clip is lowered until it does not, so a clip with a
   sharp plosive is a little quieter rather than distorted.

Measured on every shipped clip by tests/display/test_voice_quality.py with
`sox -n stats` (RMS, peak) and the sample data (lead and tail silence).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Final

RATE: Final = 16_000
TARGET_RMS_DB: Final = -20.0
PEAK_CEILING_DB: Final = -1.0
SILENCE_THRESHOLD: Final = "0.5%"  # of full scale: -46 dBFS
LEAD_S: Final = 0.01
TAIL_S: Final = 0.06
MAX_RECORDING_S: Final = 8.0


class AudioError(ValueError):
    """A recording that cannot be a clip (not audio, silent, too long)."""


@dataclass(frozen=True)
class Level:
    """What sox measures of one clip."""

    peak_db: float
    rms_db: float
    seconds: float


def level(path: Path) -> Level:
    """Peak and RMS level (dBFS) and length of a WAV file, from `sox FILE -n stats`."""
    out = subprocess.run(
        ["sox", str(path), "-n", "stats"], capture_output=True, text=True, check=True
    ).stderr

    def value(name: str) -> float:
        found = re.search(rf"^{name}\s+(-?[\d.]+|-inf)", out, re.MULTILINE)
        if not found:
            raise AudioError(f"sox stats: no {name!r} for {path}")
        return float(found.group(1))

    return Level(value("Pk lev dB"), value("RMS lev dB"), value("Length s"))


def silence_at_ends(path: Path, threshold: float = 0.05) -> tuple[float, float]:
    """Seconds before the first and after the last sample louder than `threshold` (of full
    scale, -26 dBFS by default): what a listener hears as a gap around the word."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        samples = array("h", wav.readframes(wav.getnframes()))
    limit = threshold * 32767
    loud = [i for i, s in enumerate(samples) if abs(s) > limit]
    if not loud:
        return len(samples) / rate, len(samples) / rate
    return loud[0] / rate, (len(samples) - 1 - loud[-1]) / rate


def _sox(args: list[str]) -> None:
    done = subprocess.run(["sox", "-D", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AudioError(done.stderr.strip() or "sox failed")


def finish_clip(source: Path, out: Path, *, trim: bool = True) -> Level:
    """`source` (any WAV sox reads) → `out`: 16 kHz mono 16-bit, trimmed, at one loudness.

    Raises AudioError for a file sox cannot read, a silent one, or one longer than
    MAX_RECORDING_S after trimming."""
    with tempfile.TemporaryDirectory() as tmp:
        trimmed = Path(tmp) / "trimmed.wav"
        cut = ["silence", "1", "0.01", SILENCE_THRESHOLD] if trim else []
        ends = [*cut, "reverse", *cut, "reverse"] if trim else []
        _sox(
            [str(source), "-r", str(RATE), "-c", "1", "-b", "16", str(trimmed)]
            + ends
            + (["pad", str(LEAD_S), str(TAIL_S)] if trim else [])
        )
        with wave.open(str(trimmed), "rb") as wav:
            frames = wav.getnframes()
        if frames < RATE * (LEAD_S + TAIL_S) + RATE * 0.05:
            raise AudioError("silent: nothing louder than the background was recorded")
        before = level(trimmed)
        if before.seconds > MAX_RECORDING_S:
            raise AudioError(f"{before.seconds:.1f} s, longer than {MAX_RECORDING_S:g} s")
        gain = TARGET_RMS_DB - before.rms_db
        gain = min(gain, PEAK_CEILING_DB - before.peak_db)
        _sox([str(trimmed), str(out), "gain", f"{gain:.2f}"])
    return level(out)
