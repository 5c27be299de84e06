"""What a listener notices: calls last a few seconds and every clip is audible."""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

import pytest

from display.announcer import compose_call
from display.voice_pack import SHIPPED_ROOT, load_pack

CALLS = [("A012", 3, False), ("A000", 1, False), ("A010", 10, False), ("B105", 105, True)]


@pytest.mark.parametrize(("ticket", "counter", "recall"), CALLS)
def test_a_call_lasts_a_plausible_time(
    concatenated_seconds, ticket: str, counter: int, recall: bool
) -> None:
    call = compose_call(ticket, counter, recall=recall)
    for lang, clips in call.clips.items():
        assert 2.0 <= concatenated_seconds(clips) <= 12.0, lang


def test_a_whole_bilingual_call_can_be_written_as_one_file(
    concatenated_seconds, tmp_path: Path
) -> None:
    call = compose_call("A012", 3)
    out = tmp_path / "call.wav"
    seconds = concatenated_seconds([*call.clips["vi"], *call.clips["en"]], out)
    with wave.open(str(out), "rb") as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(seconds)
    assert 6.0 <= seconds <= 16.0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_clip_is_audible_and_starts_promptly(lang: str) -> None:
    pack = load_pack(SHIPPED_ROOT / lang)
    for slug in pack.clips:
        with wave.open(str(pack.clip_file(slug)), "rb") as wav:
            samples = array("h", wav.readframes(wav.getnframes()))
            rate = wav.getframerate()
        loud = [i for i, s in enumerate(samples) if abs(s) > 0.05 * 32767]
        assert max(map(abs, samples)) > 0.25 * 32767, f"{slug} is too quiet"
        # Trimmed lead and tail keep "hai mươi mốt" flowing as one number; the
        # margins allow for quiet fricatives (h, kh, th, f) and the chime's ring.
        assert loud[0] / rate < 0.15, f"{slug} starts late"
        if slug != "chime":
            assert (len(samples) - loud[-1]) / rate < 0.2, f"{slug} ends with a long silence"
