"""A non-editable install (a wheel) ships everything the hub serves:
static files, templates, translations, migrations, voice packs, fonts."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_what_the_hub_serves(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("motcua-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    required = [
        "static/vendor/socket.io.min.js",
        "static/js/hub.js",
        "static/css/hub.css",
        "kiosk/pages/templates/kiosk.html",
        "display/templates/display.html",
        "kiosk/translations/vi/LC_MESSAGES/messages.mo",
        "kiosk/migrations/env.py",
        "kiosk/migrations/script.py.mako",
        "display/voices/vi/pack.toml",
        "display/voices/vi/chime.wav",
    ]
    missing = [name for name in required if name not in names]
    assert not missing, missing
    assert any(n.startswith("kiosk/migrations/versions/") and n.endswith(".py") for n in names)
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)
