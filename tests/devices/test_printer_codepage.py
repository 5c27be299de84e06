"""The printer-font mode: Vietnamese through CP1258 (ESC t n), number scaled, QR still an image."""

from __future__ import annotations

import unicodedata

import escpos_decode
import pytest

from devices.printer import open_printer
from devices.rendering import VIETNAMESE_LETTERS, encode_cp1258


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_every_vietnamese_letter_survives_cp1258():
    for letter in VIETNAMESE_LETTERS:
        assert nfc(encode_cp1258(letter).decode("cp1258")) == letter, letter


def test_letters_python_cannot_encode_directly_become_vowel_plus_tone():
    # Python's codec refuses "ờ"; plain NFD would give o + combining horn, which CP1258 lacks too.
    with pytest.raises(UnicodeEncodeError):
        "ờ".encode("cp1258")
    assert encode_cp1258("ờ") == b"\xf5\xcc"  # ơ + combining grave
    assert encode_cp1258("ệ") == b"\xea\xf2"  # ê + combining dot below
    assert encode_cp1258("à") == b"\xe0"  # CP1258 has this one whole
    assert encode_cp1258("Đất đai") == b"\xd0\xe2\xect \xf0ai"


def test_what_cp1258_cannot_hold_prints_as_question_marks():
    assert encode_cp1258("Số 中 😀") == b"S\xf4\xec ? ?"


def test_text_mode_ticket_over_tcp(vprinter, ticket):
    printer = open_printer(vprinter.url, text_mode="cp1258", timeout=2)
    printer.print_ticket(ticket)
    data = vprinter.received
    commands = escpos_decode.decode(data)
    assert [c.arg for c in commands if c.kind == "codepage"] == [52]
    text = nfc(escpos_decode.text(data, "cp1258"))
    for expected in (
        "Tư pháp - Hộ tịch",
        "Người cao tuổi",
        "A012",
        "Số người đang chờ trước Ông/Bà: 7",
        "khoảng 21 phút",
    ):
        assert expected in text, (expected, text)
    assert "Than Uyên" in text
    qr = escpos_decode.rasters(data)
    assert len(qr) == 1 and qr[0].width == 576  # the QR, centred on a full-width strip
    assert escpos_decode.cuts(data) == [0]


def test_code_page_number_is_per_printer(vprinter, ticket):
    open_printer(
        vprinter.url, text_mode="cp1258", codepage=94, paper_mm=58, timeout=2
    ).print_ticket(ticket)
    commands = escpos_decode.decode(vprinter.received)
    assert [c.arg for c in commands if c.kind == "codepage"] == [94]
    # 58 mm = 32 columns of font A: no text line may be wider, or it wraps mid-word on paper.
    lines = nfc(escpos_decode.text(vprinter.received)).splitlines()
    assert max(len(line) for line in lines) <= 32


def test_big_number_uses_printer_text_size(vprinter, ticket):
    open_printer(vprinter.url, text_mode="cp1258", timeout=2).print_ticket(ticket)
    sizes = [c.arg for c in escpos_decode.decode(vprinter.received) if c.raw[:2] == b"\x1d!"]
    # GS ! n: width and height multipliers in the high and low nibble; 576 / (4 x 12) = 12 -> 8x
    assert 0x77 in sizes
