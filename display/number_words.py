"""Spoken words for numbers, digits and letters in Vietnamese and English.

Vietnamese: 21 "hai mươi mốt", 24 "hai mươi tư", 15 "mười lăm".  An empty
tens place is read "linh" in the standard (Northern) reading, 105 "một trăm
linh năm", 1005 "một nghìn không trăm linh năm", and "lẻ" in the Southern
one, 105 "một trăm lẻ năm": a centre chooses (`number_reading`, "linh" by
default).  English is American style without "and": 105 "one hundred five".

Functions return lists of words so the announcer can map each word to one
recorded clip; `number_text` joins them for display.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("vi", "en")
# How an empty tens place after "trăm" is read: the reading's code is its word without marks.
READINGS: Final = {"linh": "linh", "le": "lẻ"}
DEFAULT_READING: Final = "linh"
MAX_NUMBER: Final = 9999
# Longer strings are not ticket numbers; reading them out would block the lobby.
MAX_TICKET_LENGTH: Final = 10

VI_DIGITS: Final = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
EN_DIGITS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_TEENS: Final = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
EN_TENS: Final = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)

# Names of the letters as a Vietnamese announcer reads a ticket prefix: the
# school alphabet names (bê, xê, e-lờ…) and the usual names of the four
# letters Vietnamese does not use (f ép, j gi, w vê kép, z dét).
VI_LETTERS: Final = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e-lờ",
    "M": "em-mờ",
    "N": "en-nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e-rờ",
    "S": "ét-xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích-xì",
    "Y": "i dài",
    "Z": "dét",
}
LETTERS: Final = tuple(VI_LETTERS)


def _check_number(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"number must be an int in 0..{MAX_NUMBER}, got {n!r}")


def check_reading(reading: str) -> str:
    """The reading's code ("linh" or "le"); ValueError for anything else."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {tuple(READINGS)}, got {reading!r}")
    return reading


def _vi_below_1000(n: int, *, after_thousand: bool, reading: str) -> list[str]:
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    words: list[str] = []
    # After "nghìn" an empty hundreds place is still read: 1005 "… không trăm linh năm".
    if hundreds or after_thousand:
        words += [VI_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            if words:
                words.append(READINGS[reading])
            words.append(VI_DIGITS[unit])
    elif tens == 1:
        words.append("mười")
        if unit == 5:
            words.append("lăm")
        elif unit:
            words.append(VI_DIGITS[unit])
    else:
        words += [VI_DIGITS[tens], "mươi"]
        if unit:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(unit, VI_DIGITS[unit]))
    return words


def vi_number_words(n: int, reading: str = DEFAULT_READING) -> list[str]:
    """Vietnamese words for 0..9999, e.g. 21 → ["hai", "mươi", "mốt"],
    105 → ["một", "trăm", "linh", "năm"] (reading "le": "lẻ")."""
    _check_number(n)
    check_reading(reading)
    if n == 0:
        return [VI_DIGITS[0]]
    thousands, rest = divmod(n, 1000)
    words: list[str] = []
    if thousands:
        words += [VI_DIGITS[thousands], "nghìn"]
    if rest:
        words += _vi_below_1000(rest, after_thousand=bool(thousands), reading=reading)
    return words


def en_number_words(n: int) -> list[str]:
    """English words for 0..9999, e.g. 21 → ["twenty", "one"]."""
    _check_number(n)
    if n == 0:
        return [EN_DIGITS[0]]
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    words: list[str] = []
    if thousands:
        words += [EN_DIGITS[thousands], "thousand"]
    if hundreds:
        words += [EN_DIGITS[hundreds], "hundred"]
    if 10 <= rest < 20:
        words.append(EN_TEENS[rest - 10])
    elif rest:
        tens, unit = divmod(rest, 10)
        if tens:
            words.append(EN_TENS[tens])
        if unit:
            words.append(EN_DIGITS[unit])
    return words


def number_words(n: int, lang: str, reading: str = DEFAULT_READING) -> list[str]:
    """Words for the number `n` (0..9999) in `lang` ("vi" or "en"); `reading` is the
    Vietnamese reading of an empty tens place ("linh" or "le")."""
    if lang == "vi":
        return vi_number_words(n, reading)
    if lang == "en":
        return en_number_words(n)
    raise ValueError(f"unsupported language {lang!r}")


def number_text(n: int, lang: str, reading: str = DEFAULT_READING) -> str:
    """The number as written out: "hai mươi mốt", "twenty-one"."""
    words = number_words(n, lang, reading)
    if lang == "en":
        joined: list[str] = []
        for word in words:
            if joined and joined[-1] in EN_TENS[2:] and word in EN_DIGITS[1:]:
                joined[-1] += "-" + word
            else:
                joined.append(word)
        words = joined
    return " ".join(words)


def digit_word(digit: int, lang: str) -> str:
    """The name of one digit: 0 → "không" / "zero"."""
    if isinstance(digit, bool) or not isinstance(digit, int) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an int in 0..9, got {digit!r}")
    return number_words(digit, lang)[0]


def letter_word(letter: str, lang: str) -> str:
    """How a letter A–Z is named aloud: "B" → "bê" (vi) / "B" (en)."""
    upper = letter.upper()
    if upper not in VI_LETTERS:
        raise ValueError(f"letter must be one of A-Z, got {letter!r}")
    if lang == "vi":
        return VI_LETTERS[upper]
    if lang == "en":
        return upper
    raise ValueError(f"unsupported language {lang!r}")


def spell_words(ticket: str, lang: str) -> list[str]:
    """A ticket number read character by character: "A012" → ["a", "không", "một", "hai"]."""
    return [
        digit_word(int(ch), lang) if ch.isdigit() else letter_word(ch, lang)
        for ch in check_ticket(ticket)
    ]


def check_ticket(ticket: str) -> str:
    """The ticket number in upper case; ValueError unless it is 1..MAX_TICKET_LENGTH
    ASCII letters and digits."""
    if (
        not isinstance(ticket, str)
        or not ticket.isascii()
        or not ticket.isalnum()
        or len(ticket) > MAX_TICKET_LENGTH
    ):
        raise ValueError(
            f"ticket number must be 1..{MAX_TICKET_LENGTH} ASCII letters and digits, got {ticket!r}"
        )
    return ticket.upper()
