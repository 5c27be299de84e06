"""Serving clips and manifests to the displays."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.voice_pack import SHIPPED_ROOT


def test_serves_a_shipped_clip(voice_client) -> None:
    response = voice_client.get("/display/voice/vi/mot_sac.wav")
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert response.data == (SHIPPED_ROOT / "vi" / "mot_sac.wav").read_bytes()
    assert response.cache_control.max_age >= 3600
    assert response.cache_control.public
    again = voice_client.get(
        "/display/voice/vi/mot_sac.wav", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_centre_recording_overrides_the_shipped_clip(voice_client, voice_dir: Path) -> None:
    (voice_dir / "vi").mkdir()
    (voice_dir / "vi" / "ba.ogg").write_bytes(b"OggS recorded by the centre")
    response = voice_client.get("/display/voice/vi/ba.wav")
    assert response.mimetype == "audio/ogg"
    assert response.data == b"OggS recorded by the centre"
    assert voice_client.get("/display/voice/vi/hai.wav").status_code == 200  # falls back


def test_centre_pack_with_a_new_name(voice_client, voice_dir: Path) -> None:
    folder = voice_dir / "vi-hue"
    folder.mkdir()
    (folder / "pack.toml").write_text(
        'name = "vi-hue"\nlanguage = "vi"\nlicence = "CC-BY-4.0"\n[clips]\nba = "ba"\n',
        encoding="utf-8",
    )
    (folder / "ba.wav").write_bytes((SHIPPED_ROOT / "vi" / "ba.wav").read_bytes())
    manifest = voice_client.get("/display/voice/vi-hue/manifest.json").get_json()
    assert manifest["source"] == "centre"
    assert manifest["clips"] == {"ba": "/display/voice/vi-hue/ba.wav"}
    assert voice_client.get("/display/voice/vi-hue/ba.wav").status_code == 200
    assert voice_client.get("/display/voice/vi-hue/hai.wav").status_code == 404


def test_manifest_of_a_shipped_pack(voice_client) -> None:
    response = voice_client.get("/display/voice/en/manifest.json")
    assert response.status_code == 200
    manifest = response.get_json()
    assert (manifest["name"], manifest["language"], manifest["source"]) == ("en", "en", "shipped")
    assert manifest["clips"]["twenty"] == "/display/voice/en/twenty.wav"
    assert response.cache_control.no_cache
    assert (
        voice_client.get(
            "/display/voice/en/manifest.json", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_broken_centre_pack_falls_back_to_shipped(voice_client, voice_dir: Path) -> None:
    (voice_dir / "vi").mkdir()
    (voice_dir / "vi" / "pack.toml").write_text("this is not toml =")
    response = voice_client.get("/display/voice/vi/manifest.json")
    assert response.status_code == 200
    assert response.get_json()["source"] == "shipped"


@pytest.mark.parametrize(
    "path",
    [
        "/display/voice/vi/nothing.wav",
        "/display/voice/xx/mot.wav",
        "/display/voice/xx/manifest.json",
        "/display/voice/vi/mot.mp3",
        "/display/voice/vi/",
        "/display/voice/vi/../../secret.wav",
        "/display/voice/../secret/x.wav",
        "/display/voice/..%2F..%2Fsecret.wav",
        "/display/voice/vi/..%2F..%2Fsecret.wav",
        "/display/voice/%2e%2e/secret.wav",
        "/display/voice/..%5Csecret/x.wav",
        "/display/voice/vi/.hidden.wav",
        "/display/voice/vi/pack.toml",
    ],
)
def test_unknown_and_traversal_are_json_404(voice_client, voice_dir: Path, path: str) -> None:
    secret = voice_dir.parent / "secret.wav"
    secret.write_bytes(b"SECRET")
    (voice_dir / "secret").mkdir()
    (voice_dir / "secret" / "x.wav").write_bytes(b"SECRET")
    response = voice_client.get(path)
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"] == "not_found"
    assert b"SECRET" not in response.data


def test_not_found_message_follows_the_request_language(voice_client) -> None:
    vi = voice_client.get("/display/voice/vi/nothing.wav").get_json()["message"]
    en = voice_client.get("/display/voice/vi/nothing.wav", headers={"Accept-Language": "en"})
    assert vi.startswith("Không tìm thấy")
    assert en.get_json()["message"].startswith("Voice not found")
