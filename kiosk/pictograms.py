"""The pictograms a field can have (static/pictograms/: small black SVGs, all offline).

The admin chooses one per field (/admin/voices, kept in the centre's
settings["pictograms"] {field code: name}); the kiosk shows it on the field's
tile and the printed ticket carries it large beside the number
(devices/rendering/pictogram.py draws it), so a citizen who cannot read
matches the paper to the tile.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Final

FOLDER: Final = Path(__file__).resolve().parent.parent / "static" / "pictograms"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """name → {"vi": label, "en": label}, in the order the admin picks from."""
    return json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))


@cache
def svg(name: str | None) -> str:
    """The SVG text of a shipped pictogram, "" for none or an unknown name."""
    if not name or name not in catalogue():
        return ""
    return (FOLDER / f"{name}.svg").read_text(encoding="utf-8")


def of_fields(settings: dict | None) -> dict[str, str]:
    """{field code: pictogram name} of a centre, only names that exist."""
    chosen = (settings or {}).get("pictograms") or {}
    return {code: name for code, name in chosen.items() if name in catalogue()}
