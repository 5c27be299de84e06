"""Listen before shipping: every shipped clip measured with sox (display/audio.py)."""

from __future__ import annotations

import shutil

import pytest

from display.audio import PEAK_CEILING_DB, TARGET_RMS_DB, level, silence_at_ends
from display.voice_pack import SHIPPED_ROOT, load_pack

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="sox not installed")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_shipped_clip_is_at_one_loudness_unclipped_and_trimmed(lang: str) -> None:
    pack = load_pack(SHIPPED_ROOT / lang)
    rms, problems = [], []
    for slug in pack.clips:
        path = pack.clip_file(slug)
        measured = level(path)
        rms.append(measured.rms_db)
        if abs(measured.rms_db - TARGET_RMS_DB) > 1.0:
            problems.append(f"{slug}: RMS {measured.rms_db} dBFS")
        if measured.peak_db > PEAK_CEILING_DB + 0.1:
            problems.append(f"{slug}: peak {measured.peak_db} dBFS")
        lead, tail = silence_at_ends(path)
        if slug != "chime" and (lead > 0.12 or tail > 0.2):
            problems.append(f"{slug}: {lead:.2f} s before, {tail:.2f} s after the word")
    assert not problems, problems
    # One loudness: the quietest and the loudest word are within 2 dB of each other.
    assert max(rms) - min(rms) <= 2.0


def test_a_recording_is_trimmed_and_levelled_like_the_shipped_clips(tmp_path) -> None:
    import subprocess

    from display.audio import finish_clip

    take = tmp_path / "take.wav"  # a quiet word between long pauses, as a microphone hears it
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", str(take)]
        + ["synth", "0.5", "sine", "300", "gain", "-35", "pad", "0.8", "1.2"],
        check=True,
    )
    finished = finish_clip(take, tmp_path / "clip.wav")
    assert abs(finished.rms_db - TARGET_RMS_DB) <= 1.0
    assert finished.peak_db <= PEAK_CEILING_DB + 0.1
    assert 0.5 <= finished.seconds <= 0.65  # 2 s of silence cut, 70 ms put back
    lead, tail = silence_at_ends(tmp_path / "clip.wav")
    assert lead < 0.05 and tail < 0.1


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_kiosk_words_synthesised_on_the_hub_pass_the_same_measure(lang: str, tmp_path) -> None:
    """The read-aloud prompts and a field's name are made by espeak-ng when first asked
    for (display/synthesis.py): at the shipped clips' loudness, unclipped, trimmed."""
    from display import synthesis
    from display.recorded import PROMPT_TEXTS

    texts = [*(pair[lang == "en"] for pair in PROMPT_TEXTS.values()), "Tư pháp - Hộ tịch"]
    for index, text in enumerate(texts):
        path = tmp_path / f"{index}.wav"
        path.write_bytes(synthesis.speak(lang, text))
        measured = level(path)
        assert abs(measured.rms_db - TARGET_RMS_DB) <= 1.0, (text, measured)
        assert measured.peak_db <= PEAK_CEILING_DB + 0.1, (text, measured)
        lead, tail = silence_at_ends(path)
        assert lead <= 0.12 and tail <= 0.2, (text, lead, tail)
