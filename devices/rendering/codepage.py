"""Encoding Vietnamese for a printer's own CP1258 code page (the optional `text_mode="cp1258"`).

CP1258 holds the vowel letters â ă ê ô ơ ư đ and a few toned letters (à á é …)
precomposed, and the five tone marks as separate combining characters.
Python's cp1258 codec does not compose or decompose for us: it fails on
"ờ", "ố", "ệ".  A plain NFD is not enough either, because the combining horn
and circumflex of "ờ" = o + U+031B + U+0300 have no CP1258 byte.  So each
letter is tried whole, then as its vowel letter plus a combining tone; anything
still unencodable (CJK, emoji) prints as "?".
"""

from __future__ import annotations

import textwrap
import unicodedata

# The tone marks CP1258 has as combining characters (0xCC, 0xEC, 0xDE, 0xD2, 0xF2).
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _clusters(text: str) -> list[str]:
    """NFD text cut into base letter + its combining marks."""
    clusters: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if clusters and unicodedata.combining(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _encode_cluster(cluster: str) -> bytes:
    whole = unicodedata.normalize("NFC", cluster)
    try:
        return whole.encode("cp1258")
    except UnicodeEncodeError:
        pass
    marks = cluster[1:]
    vowel = unicodedata.normalize(
        "NFC", cluster[0] + "".join(m for m in marks if m not in _TONE_MARKS)
    )
    tones = "".join(m for m in marks if m in _TONE_MARKS)
    try:
        return (vowel + tones).encode("cp1258")
    except UnicodeEncodeError:
        return whole.encode("cp1258", errors="replace")


def encode_cp1258(text: str) -> bytes:
    """`text` as CP1258 bytes: vowel letters precomposed, tones combining, '?' for the rest."""
    return b"".join(_encode_cluster(c) for c in _clusters(text))


def wrap_columns(text: str, columns: int) -> list[str]:
    """Word-wrap for a fixed-pitch printer font; counts letters, not combining marks."""
    return textwrap.wrap(unicodedata.normalize("NFC", text), columns) or []
