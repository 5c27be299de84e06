"""Fixtures for the display tests: a tiny app with only the voice blueprint."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from display.voice import voice_bp
from display.voice_pack import find_clip


@pytest.fixture
def voice_dir(tmp_path: Path) -> Path:
    """The centre's override folder (VOICE_DIR), empty at first."""
    path = tmp_path / "voices"
    path.mkdir()
    return path


@pytest.fixture
def voice_app(voice_dir: Path) -> Flask:
    """A bare Flask app with only `voice_bp`, its VOICE_DIR in a temporary folder."""
    app = Flask(__name__, instance_path=str(voice_dir.parent))
    app.config.update(TESTING=True, VOICE_DIR=str(voice_dir))
    app.register_blueprint(voice_bp)
    return app


@pytest.fixture
def voice_client(voice_app: Flask) -> FlaskClient:
    return voice_app.test_client()


@pytest.fixture
def concatenated_seconds() -> Callable[..., float]:
    """Join shipped clips the way a display plays them; the length in seconds."""
    return _concatenated_seconds


def _concatenated_seconds(clip_ids: Iterable[str], out: Path | None = None) -> float:
    """Seconds of audio in the clips, written to `out` as one WAV if given."""
    frames = b""
    params = None
    for clip_id in clip_ids:
        pack, slug = clip_id.split("/", 1)
        path = find_clip(pack, slug)
        assert path is not None, clip_id
        with wave.open(str(path), "rb") as wav:
            if params is None:
                params = wav.getparams()
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (
                params.nchannels,
                params.sampwidth,
                params.framerate,
            ), f"{clip_id} has a different format"
            frames += wav.readframes(wav.getnframes())
    assert params is not None
    if out is not None:
        with wave.open(str(out), "wb") as wav:
            wav.setparams(params)
            wav.writeframes(frames)
    return len(frames) / (params.sampwidth * params.nchannels * params.framerate)
