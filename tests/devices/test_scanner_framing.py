"""LineFramer (bytes → codes) and DuplicateGuard: examples, then properties with hypothesis."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.scanner import DuplicateGuard, LineFramer

TERMINATOR_BYTES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t", "AUTO": b"\r\n"}


def feed_all(framer: LineFramer, *reads: bytes) -> tuple[list[str], list[str]]:
    codes, warnings = [], []
    for data in reads:
        out = framer.feed(data)
        codes += out.codes
        warnings += out.warnings
    return codes, warnings


@pytest.mark.parametrize(
    ("terminator", "stream", "expected"),
    [
        ("AUTO", b"A012\r", ["A012"]),
        ("AUTO", b"A012\r\nB013\nC014\tD015\r", ["A012", "B013", "C014", "D015"]),
        ("CR", b"A012\rB013\r\n", ["A012", "B013"]),
        ("CR", b"A012\r\nB013\r", ["A012", "B013"]),  # the LF is a control character, removed
        ("LF", b"A012\r\nB013\n", ["A012", "B013"]),
        ("CRLF", b"A012\r\nB013\r\n", ["A012", "B013"]),
        ("CRLF", b"A0\r12\r\n", ["A012"]),  # a lone CR is not the end of the line
        ("TAB", b"A012\tB013\t", ["A012", "B013"]),
        ("TAB", b"A012\r\nB013\t", ["A012B013"]),
        ("AUTO", b"  000.00.19.H34-241123-0001 \r\n", ["000.00.19.H34-241123-0001"]),
        ("AUTO", "Nguyễn Văn A\r".encode(), ["Nguyễn Văn A"]),
        (
            "AUTO",
            b"http://192.168.1.10:5000/t/Xy12abCD34efGH56\r",
            ["http://192.168.1.10:5000/t/Xy12abCD34efGH56"],
        ),
    ],
)
def test_lines(terminator, stream, expected):
    codes, warnings = feed_all(LineFramer(terminator), stream)
    assert codes == expected
    assert warnings == []


def test_a_code_split_across_reads_and_several_codes_in_one_read():
    framer = LineFramer("CRLF")
    assert feed_all(framer, b"A0", b"12\r", b"\nB013\r\nC0", b"14\r", b"\n") == (
        ["A012", "B013", "C014"],
        [],
    )


def test_nothing_comes_out_before_the_terminator():
    framer = LineFramer("CR")
    assert framer.feed(b"A012").codes == []
    assert framer.feed(b"\r").codes == ["A012"]


def test_nuls_and_control_characters_are_removed():
    codes, warnings = feed_all(LineFramer("AUTO"), b"\x00\x00A0\x1b12\x7f\r\x02B013\x03\r")
    assert codes == ["A012", "B013"]
    assert warnings == []


def test_a_line_of_only_garbage_is_ignored_with_a_warning():
    codes, warnings = feed_all(LineFramer("AUTO"), b"\x00\x07\x1b\x00\rA012\r")
    assert codes == ["A012"]
    assert len(warnings) == 1 and "no code" in warnings[0]


def test_blank_lines_are_skipped_silently():
    assert feed_all(LineFramer("AUTO"), b"\r\n\r\n  \tA012\r\n\r\n") == (["A012"], [])


def test_non_utf8_is_rejected_not_guessed():
    # "Nguyễn" in Windows-1258 and a Latin-1 "é": both plausible guesses, both refused.
    codes, warnings = feed_all(LineFramer("AUTO"), b"Nguy\xd2n\r", b"caf\xe9\rA012\r")
    assert codes == ["A012"]
    assert len(warnings) == 2 and all("not UTF-8" in w for w in warnings)


def test_an_over_long_line_is_discarded_up_to_its_terminator():
    framer = LineFramer("AUTO", max_length=8)
    codes, warnings = feed_all(framer, b"X" * 5, b"X" * 5, b"X" * 1000, b"XX\rA012\r")
    assert codes == ["A012"]
    assert warnings == ["discarded a line longer than 8 bytes"]


def test_max_length_counts_bytes_before_the_terminator():
    assert feed_all(LineFramer("CRLF", max_length=4), b"A012\r\n") == (["A012"], [])
    assert feed_all(LineFramer("CRLF", max_length=4), b"A0123\r\n")[0] == []


@pytest.mark.parametrize(
    ("prefix", "suffix", "stream", "expected"),
    [
        ("]Q1", "", b"]Q1A012\r]Q1B013\r", ["A012", "B013"]),
        ("", "#", b"A012#\r", ["A012"]),
        ("\x02", "\x03", b"\x02A012\x03\r", ["A012"]),
        ("PFX", "SFX", b"PFXA012SFX\r", ["A012"]),
        ("PFX", "SFX", b"A012\r", ["A012"]),  # absent prefix/suffix: the code is kept as sent
        ("PFX", "", b"\x00PFXA012\r", ["A012"]),  # garbage before the prefix does not hide it
    ],
)
def test_prefix_and_suffix_are_stripped(prefix, suffix, stream, expected):
    framer = LineFramer("AUTO", prefix=prefix, suffix=suffix)
    assert feed_all(framer, stream) == (expected, [])


def test_drop_partial_forgets_the_unfinished_line():
    framer = LineFramer("CR")
    framer.feed(b"A012\rB01")
    assert framer.drop_partial() == b"B01"
    assert feed_all(framer, b"3\rC014\r") == (["3", "C014"], [])


def test_unknown_terminator_is_refused():
    with pytest.raises(ValueError):
        LineFramer("CRCR")


# -- properties ------------------------------------------------------------------------------

TOKENS = [
    b"A012",
    b"B013",
    b"000.00.19.H34-241123-0001",
    "Nguyễn".encode(),
    b"\r",
    b"\n",
    b"\r\n",
    b"\t",
    b" ",
    b"\x00",
    b"\x1b",
    b"\x02",
    b"\xff",
    b"\xc3",  # a UTF-8 lead byte without its continuation
    b"X" * 40,
]
streams = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map(b"".join),
    st.binary(max_size=400),
)
framers = st.builds(
    lambda terminator, max_length, prefix, suffix: (terminator, max_length, prefix, suffix),
    st.sampled_from(list(TERMINATOR_BYTES)),
    st.integers(min_value=1, max_value=64),
    st.sampled_from(["", "]Q1", "\x02", "A"]),
    st.sampled_from(["", "#", "\x03"]),
)


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(stream) + 1) for c in cuts})
    edges = [0, *points, len(stream)]
    return [stream[a:b] for a, b in zip(edges, edges[1:], strict=False)]


@settings(max_examples=400, deadline=None)
@given(framers, streams, st.lists(st.integers(min_value=0), max_size=12))
def test_any_split_into_reads_gives_the_same_codes_and_warnings(options, stream, cuts):
    terminator, max_length, prefix, suffix = options

    def make() -> LineFramer:
        return LineFramer(terminator, prefix=prefix, suffix=suffix, max_length=max_length)

    whole = feed_all(make(), stream)
    assert feed_all(make(), *split(stream, cuts)) == whole
    assert feed_all(make(), *[stream[i : i + 1] for i in range(len(stream))]) == whole


@settings(max_examples=400, deadline=None)
@given(framers, streams)
def test_every_code_is_clean_and_bounded(options, stream):
    terminator, max_length, prefix, suffix = options
    framer = LineFramer(terminator, prefix=prefix, suffix=suffix, max_length=max_length)
    codes, _ = feed_all(framer, stream)
    for code in codes:
        assert code and code == code.strip()
        assert not any(unicodedata.category(ch) == "Cc" for ch in code)
        assert len(code.encode()) <= max_length
    # Memory stays bounded however long the garbage runs.
    assert len(framer._buffer) <= max_length + 1


clean_codes = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(list(TERMINATOR_BYTES)),
    st.lists(clean_codes, max_size=10),
    st.lists(st.integers(min_value=0), max_size=12),
)
def test_clean_codes_come_back_exactly(terminator, codes, cuts):
    stream = b"".join(code.encode() + TERMINATOR_BYTES[terminator] for code in codes)
    framer = LineFramer(terminator, max_length=200)
    assert feed_all(framer, *split(stream, cuts)) == (codes, [])


# -- the duplicate guard ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_same_code_within_the_window_counts_once_and_again_after_it():
    clock = FakeClock()
    guard = DuplicateGuard(1.0, clock)
    assert guard.accept("A012")
    clock.now += 0.3
    assert not guard.accept("A012")
    assert guard.accept("B013")  # a different code is a different scan
    clock.now += 1.01
    assert guard.accept("A012")


def test_a_code_held_in_front_of_the_scanner_counts_once():
    clock = FakeClock()
    guard = DuplicateGuard(1.0, clock)
    results = []
    for _ in range(20):  # presentation mode: re-read every 300 ms for 6 s
        results.append(guard.accept("A012"))
        clock.now += 0.3
    assert results == [True] + [False] * 19


def test_window_zero_turns_the_guard_off():
    guard = DuplicateGuard(0, FakeClock())
    assert guard.accept("A012") and guard.accept("A012")
