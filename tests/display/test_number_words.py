"""Vietnamese and English number, digit and letter words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display.number_words import (
    LETTERS,
    MAX_NUMBER,
    VI_LETTERS,
    digit_word,
    letter_word,
    number_text,
    number_words,
    spell_words,
)

VIETNAMESE = {
    0: "không",
    1: "một",
    4: "bốn",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    44: "bốn mươi tư",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    111: "một trăm mười một",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    1000: "một nghìn",
    1005: "một nghìn không trăm linh năm",
    1010: "một nghìn không trăm mười",
    1021: "một nghìn không trăm hai mươi mốt",
    1100: "một nghìn một trăm",
    2024: "hai nghìn không trăm hai mươi tư",
    9999: "chín nghìn chín trăm chín mươi chín",
}
ENGLISH = {
    0: "zero",
    1: "one",
    10: "ten",
    11: "eleven",
    15: "fifteen",
    21: "twenty-one",
    40: "forty",
    105: "one hundred five",
    110: "one hundred ten",
    1000: "one thousand",
    1005: "one thousand five",
    2024: "two thousand twenty-four",
    9999: "nine thousand nine hundred ninety-nine",
}


@pytest.mark.parametrize(("n", "text"), VIETNAMESE.items())
def test_vietnamese_number_text(n: int, text: str) -> None:
    assert number_text(n, "vi") == text
    assert number_words(n, "vi") == text.split()


@pytest.mark.parametrize(("n", "text"), ENGLISH.items())
def test_english_number_text(n: int, text: str) -> None:
    assert number_text(n, "en") == text


def test_digits_and_letters() -> None:
    assert [digit_word(d, "vi") for d in range(10)] == (
        "không một hai ba bốn năm sáu bảy tám chín".split()
    )
    assert digit_word(0, "en") == "zero"
    assert [letter_word(ch, "vi") for ch in "ABCDLSXYZ"] == [
        "a",
        "bê",
        "xê",
        "dê",
        "e-lờ",
        "ét-xì",
        "ích-xì",
        "i dài",
        "dét",
    ]
    assert letter_word("b", "en") == "B"
    assert len(LETTERS) == len(set(VI_LETTERS.values())) == 26


def test_spell_reads_every_character() -> None:
    assert spell_words("A012", "vi") == ["a", "không", "một", "hai"]
    assert spell_words("b105", "en") == ["B", "one", "zero", "five"]


@pytest.mark.parametrize("bad", [-1, MAX_NUMBER + 1, True, 1.0, "3"])
def test_number_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError):
        number_words(bad, "vi")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "A-12", "Á12", "A 12", "A" * 11])
def test_bad_ticket(bad: str) -> None:
    with pytest.raises(ValueError):
        spell_words(bad, "vi")


def test_unknown_language() -> None:
    with pytest.raises(ValueError):
        number_words(1, "fr")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_number_has_its_own_words(lang: str) -> None:
    texts = {number_text(n, lang) for n in range(MAX_NUMBER + 1)}
    assert len(texts) == MAX_NUMBER + 1


@given(st.integers(0, MAX_NUMBER))
def test_vietnamese_tens_rules(n: int) -> None:
    words = number_words(n, "vi")
    for before, word in zip(words, words[1:], strict=False):
        # mốt and tư only after "mươi"; lăm only after mười/mươi.
        if word in ("mốt", "tư"):
            assert before == "mươi"
        if word == "lăm":
            assert before in ("mười", "mươi")
        if word == "linh":
            assert before == "trăm"
    assert "linh" not in words or n % 100 < 10
    # The Southern reading differs only there: "lẻ" where the standard one says "linh".
    southern = number_words(n, "vi", "le")
    assert southern == ["lẻ" if word == "linh" else word for word in words]


@pytest.mark.parametrize(
    ("n", "standard", "southern"),
    [
        (101, "một trăm linh một", "một trăm lẻ một"),
        (105, "một trăm linh năm", "một trăm lẻ năm"),
        (1005, "một nghìn không trăm linh năm", "một nghìn không trăm lẻ năm"),
        (110, "một trăm mười", "một trăm mười"),
    ],
)
def test_a_centre_chooses_linh_or_le(n: int, standard: str, southern: str) -> None:
    assert number_text(n, "vi") == standard  # the default is the standard reading
    assert number_text(n, "vi", "linh") == standard
    assert number_text(n, "vi", "le") == southern


def test_an_unknown_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="reading"):
        number_words(105, "vi", "lẻ")
