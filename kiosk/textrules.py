"""What text the hub accepts, in one place: every text field from the API, the admin
forms, the CSV import and the login form goes through `clean` before it is used.

- Control characters are refused, never silently dropped: C0 (NUL, tab, …), DEL and
  C1, unpaired surrogates, and the Unicode line/paragraph separators.  A multi-line
  field (a rating comment, a transfer note, opening hours) may hold line breaks:
  `\\r\\n` and `\\r` become `\\n`; nothing else.
- Text is normalised to NFC (a Vietnamese letter typed as base + combining marks is
  stored as one character) and trimmed.

User names have two keys besides (docs/admin.md, "User names"):
- `username_key`: NFC, trimmed, case-folded: two names with the same key are the same
  user (uniqueness and login).
- `username_skeleton`: what a name looks like: NFKC, case-folded, look-alike letters
  mapped to Latin (Cyrillic/Greek homoglyphs, 0→o, 1→l, rn→m), punctuation and
  separators removed.  A new name whose skeleton equals an existing user's is refused
  (`admin.`, `Admin`, `аdmin` with a Cyrillic а, `adm1n` all look like `admin`).

Plain Python: used by the shells (kiosk/api/body.py, kiosk/admin/forms.py) and the
use cases alike.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.core.errors import InvalidInput

# Cc = C0, DEL, C1; Cs = lone surrogates ("\ud800" in JSON); Zl/Zp = U+2028/U+2029.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


class ControlCharacter(InvalidInput):
    """Text with a character no field takes; `field` names it for the message."""

    def __init__(self, field: str = "") -> None:
        super().__init__("control_character", field=field)


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, or None."""
    for char in value:
        if char == "\n" and multiline:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def clean(value: str, field: str = "", *, multiline: bool = False) -> str:
    """NFC, trimmed; ControlCharacter (400) if it holds a control character."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if refused_character(value, multiline=multiline) is not None:
        raise ControlCharacter(field)
    value = unicodedata.normalize("NFC", value)
    if multiline:
        return "\n".join(line.rstrip() for line in value.strip().split("\n"))
    return value.strip()


def username_key(name: str) -> str:
    """The same user whatever the case or Unicode form: NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", name).strip().casefold()


# Letters other scripts share with Latin (as shapes), and digits read as letters.
LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic (after case-folding)
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ɡ": "g",
        "ɑ": "a",  # Latin alpha
        # Greek (after case-folding)
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ζ": "z",
        "μ": "u",
        # digits and letters people mistake for one another
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
    }
)


def username_skeleton(name: str) -> str:
    """What a user name looks like: equal skeletons are confusable names."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(LOOK_ALIKES)
    text = "".join(c for c in text if unicodedata.category(c)[0] in "LN")
    return re.sub("rn", "m", text)
