"""The shipped packs, pack loading and validation, and the generated clip list."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from display.announcer import needed_clips
from display.tools.make_voice_pack import DOCS, DOCS_BEGIN, DOCS_END, clip_list_markdown
from display.voice_pack import (
    SHIPPED_ROOT,
    VoicePackError,
    find_clip,
    find_pack,
    load_pack,
    main,
    validate_pack,
)

LANGS = ["vi", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_shipped_pack_validates(lang: str) -> None:
    pack = load_pack(SHIPPED_ROOT / lang)
    validate_pack(pack, max_counter=9999)
    assert (pack.name, pack.language) == (lang, lang)
    assert "espeak-ng" in str(pack.extra["licence_note"])


@pytest.mark.parametrize("lang", LANGS)
def test_shipped_pack_is_uniform_and_complete(lang: str) -> None:
    pack = load_pack(SHIPPED_ROOT / lang)
    files = {p.stem for p in (SHIPPED_ROOT / lang).iterdir() if p.name != "pack.toml"}
    assert files == set(pack.clips), "pack.toml and the files disagree"
    for slug in pack.clips:
        with wave.open(str(pack.clip_file(slug)), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
            assert 0.15 < wav.getnframes() / 16000 < 3.0, slug


def test_shipped_packs_are_small() -> None:
    size = sum(p.stat().st_size for p in SHIPPED_ROOT.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024


def _copy_pack(tmp_path: Path, lang: str = "vi") -> Path:
    return Path(shutil.copytree(SHIPPED_ROOT / lang, tmp_path / lang))


def test_missing_clips_are_listed_with_what_to_say(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    toml = (folder / "pack.toml").read_text(encoding="utf-8")
    toml = toml.replace('mot_sac = "mốt"\n', "").replace('letter_w = "vê kép"\n', "")
    (folder / "pack.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(VoicePackError) as error:
        validate_pack(load_pack(folder))
    message = str(error.value)
    assert "2 problem(s)" in message
    assert "missing vi/mot_sac: say 'mốt'" in message
    assert "missing vi/letter_w: say 'vê kép'" in message


def test_declared_clip_without_file(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    (folder / "ba.wav").unlink()
    with pytest.raises(VoicePackError, match="clip 'ba': no ba.wav or ba.ogg"):
        load_pack(folder)


def test_bad_metadata_and_bad_audio(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    toml = (folder / "pack.toml").read_text(encoding="utf-8")
    (folder / "pack.toml").write_text(toml.replace('language = "vi"', 'language = "fr"'))
    with pytest.raises(VoicePackError, match="language 'fr'"):
        load_pack(folder)
    (folder / "pack.toml").write_text(toml)
    (folder / "hai.wav").write_bytes(b"not audio")
    with pytest.raises(VoicePackError, match="hai.wav: not a readable PCM WAV"):
        validate_pack(load_pack(folder))
    (tmp_path / "vi" / "pack.toml").write_text("name = ")
    with pytest.raises(VoicePackError, match="cannot read"):
        load_pack(folder)


def test_pack_name_must_match_its_folder(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(SHIPPED_ROOT / "vi", tmp_path / "vi-hue"))
    with pytest.raises(VoicePackError, match="must equal the folder name"):
        load_pack(folder)


def test_override_wins_clip_by_clip(tmp_path: Path) -> None:
    own = tmp_path / "vi"
    own.mkdir()
    (own / "ba.ogg").write_bytes(b"OggS")
    assert find_clip("vi", "ba", tmp_path) == own / "ba.ogg"
    assert find_clip("vi", "hai", tmp_path) == SHIPPED_ROOT / "vi" / "hai.wav"
    assert find_clip("..", "vi", tmp_path) is None
    assert find_clip("vi", "../en/one", tmp_path) is None
    assert find_pack("vi", tmp_path).path == SHIPPED_ROOT / "vi"  # no pack.toml of its own
    assert find_pack("nope", tmp_path) is None


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "ok: vi" in capsys.readouterr().out
    folder = _copy_pack(tmp_path)
    toml = (folder / "pack.toml").read_text(encoding="utf-8")
    (folder / "pack.toml").write_text(toml.replace('tu = "tư"\n', ""), encoding="utf-8")
    assert main([str(folder)]) == 1
    assert "missing vi/tu: say 'tư'" in capsys.readouterr().err


def test_docs_list_every_clip_to_record() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    generated = docs.split(DOCS_BEGIN, 1)[1].split(DOCS_END, 1)[0]
    assert generated.strip() == clip_list_markdown().strip(), (
        "run: .venv/bin/python -m display.tools.make_voice_pack --docs-only"
    )
    for lang in LANGS:
        for clip_id in needed_clips(lang):
            assert f"`{clip_id.split('/', 1)[1]}.wav`" in generated
