"""Every user-facing text has a Vietnamese translation, and the compiled
catalogue the hub loads matches the one translators edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kiosk/translations/vi/LC_MESSAGES/messages.po"
MO = ROOT / "kiosk/translations/vi/LC_MESSAGES/messages.mo"


def test_every_text_in_the_code_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    # Keyed by (context, id): "cancelled" the state and "cancelled" the action are two texts.
    with open(pot, "rb") as handle:
        extracted = {(m.context, m.id) for m in read_po(handle) if m.id}
    with open(PO, "rb") as handle:
        translated = {(m.context, m.id): m.string for m in read_po(handle, locale="vi") if m.id}
    missing = sorted(i for i in extracted if not translated.get(i))
    assert not missing, f"run `make translations` and translate in {PO.name}: {missing}"


def test_compiled_catalogue_is_up_to_date():
    with open(PO, "rb") as handle:
        source = {
            (m.context, m.id): m.string
            for m in read_po(handle, locale="vi")
            if m.id and m.string and not m.fuzzy
        }
    with open(MO, "rb") as handle:
        compiled = {(m.context, m.id): m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run `pybabel compile -d kiosk/translations`"
