"""The fonts shipped with motcua for tickets, and a check that a font really draws Vietnamese.

Thermal printers' own code pages print Vietnamese badly, so tickets are drawn
as images with DejaVu Sans, which has every Vietnamese letter precomposed.  The
font files live in `devices/fonts/` (licence alongside) so a kiosk without
fonts-dejavu installed still prints the same ticket.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

_VOWELS = "aăâeêioôơuưy"
# No mark, grave, acute, hook above, tilde, dot below: the five tones plus level tone.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _vietnamese_letters() -> str:
    lower = [unicodedata.normalize("NFC", v + tone) for v in _VOWELS for tone in _TONES]
    lower.append("đ")
    return "".join(lower) + "".join(ch.upper() for ch in lower)


#: All 146 Vietnamese letters with diacritics or not (12 vowels x 6 tones + đ, both cases), NFC.
VIETNAMESE_LETTERS = _vietnamese_letters()


# One cache per thread: a FreeType face must not be used by two threads at once, and
# run_blocking renders tickets for several printers in parallel.
_cache = threading.local()


def load_font(size: int, *, bold: bool = False, path: str | None = None) -> ImageFont.FreeTypeFont:
    """A shipped font at `size` pixels; BASIC layout so output is identical with or without libraqm."""
    font_path = path or str(BOLD if bold else REGULAR)
    fonts = _cache.__dict__.setdefault("fonts", {})
    key = (font_path, size)
    if key not in fonts:
        fonts[key] = ImageFont.truetype(font_path, size, layout_engine=ImageFont.Layout.BASIC)
    return fonts[key]


def _bitmap(font: ImageFont.FreeTypeFont, text: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(text, mode="1")
    return mask.size, bytes(mask)


def missing_glyphs(font: ImageFont.FreeTypeFont, letters: str = VIETNAMESE_LETTERS) -> list[str]:
    """Letters the font would print as a box (.notdef), blank, or without their diacritics."""
    # U+10FFFD is a private-use code point no text font maps, so it shows the .notdef glyph.
    notdef = _bitmap(font, "\U0010fffd")
    missing = []
    for letter in letters:
        drawn = _bitmap(font, letter)
        base = unicodedata.normalize("NFD", letter)[0]
        empty = drawn[0][0] == 0 or not any(drawn[1])
        if empty or drawn == notdef or (base != letter and drawn == _bitmap(font, base)):
            missing.append(letter)
    return missing
