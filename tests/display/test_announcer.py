"""What a call says and which clips play it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display.announcer import compose_call, needed_clips, number_clips, spell_clips
from display.number_words import MAX_NUMBER, MAX_TICKET_LENGTH
from display.voice_pack import SHIPPED_ROOT, load_pack

COUNTERS = {
    1: ("một", ["mot"], "one", ["one"]),
    4: ("bốn", ["bon"], "four", ["four"]),
    10: ("mười", ["muoi_huyen"], "ten", ["ten"]),
    11: ("mười một", ["muoi_huyen", "mot"], "eleven", ["eleven"]),
    15: ("mười lăm", ["muoi_huyen", "lam"], "fifteen", ["fifteen"]),
    21: ("hai mươi mốt", ["hai", "muoi", "mot_sac"], "twenty-one", ["twenty", "one"]),
    24: ("hai mươi tư", ["hai", "muoi", "tu"], "twenty-four", ["twenty", "four"]),
    25: ("hai mươi lăm", ["hai", "muoi", "lam"], "twenty-five", ["twenty", "five"]),
    105: (
        "một trăm linh năm",
        ["mot", "tram", "linh", "nam"],
        "one hundred five",
        ["one", "hundred", "five"],
    ),
}
TICKETS = {
    "A000": (["letter_a", "khong", "khong", "khong"], ["letter_a", "zero", "zero", "zero"]),
    "A010": (["letter_a", "khong", "mot", "khong"], ["letter_a", "zero", "one", "zero"]),
    "B105": (["letter_b", "mot", "khong", "nam"], ["letter_b", "one", "zero", "five"]),
}
SHIPPED = {lang: set(load_pack(SHIPPED_ROOT / lang).clips) for lang in ("vi", "en")}


def _ids(lang: str, slugs: list[str]) -> list[str]:
    return [f"{lang}/{slug}" for slug in slugs]


@pytest.mark.parametrize("counter", COUNTERS)
def test_counter_is_read_as_a_number(counter: int) -> None:
    vi_words, vi_slugs, en_words, en_slugs = COUNTERS[counter]
    call = compose_call("A012", counter)
    assert call.text == {
        "vi": f"Xin mời công dân có số thứ tự A012 đến quầy số {counter}",
        "en": f"Ticket A012, please go to counter {counter}",
    }
    spelled_vi = ["vi/letter_a", "vi/khong", "vi/mot", "vi/hai"]
    spelled_en = ["en/letter_a", "en/zero", "en/one", "en/two"]
    assert call.clips == {
        "vi": ["vi/chime", "vi/call", *spelled_vi, "vi/to_counter", *_ids("vi", vi_slugs)],
        "en": ["en/call", *spelled_en, "en/to_counter", *_ids("en", en_slugs)],
    }
    assert [c.removeprefix("vi/") for c in number_clips(counter, "vi")] == vi_slugs
    assert len(vi_words.split()) == len(vi_slugs)
    assert len(en_words.replace("-", " ").split()) == len(en_slugs)


@pytest.mark.parametrize("ticket", TICKETS)
def test_ticket_is_read_character_by_character(ticket: str) -> None:
    vi_slugs, en_slugs = TICKETS[ticket]
    call = compose_call(ticket, 3)
    assert call.text["vi"] == f"Xin mời công dân có số thứ tự {ticket} đến quầy số 3"
    assert call.text["en"] == f"Ticket {ticket}, please go to counter 3"
    assert call.clips["vi"] == [
        "vi/chime",
        "vi/call",
        *_ids("vi", vi_slugs),
        "vi/to_counter",
        "vi/ba",
    ]
    assert call.clips["en"] == ["en/call", *_ids("en", en_slugs), "en/to_counter", "en/three"]


def test_recall_and_language_order() -> None:
    call = compose_call("b105", 21, languages=("en", "vi"), recall=True)
    assert call.number == "B105"
    assert list(call.text) == ["en", "vi"]
    assert call.text["en"] == "Calling again, ticket B105, please go to counter 21"
    assert call.text["vi"] == "Xin mời lại công dân có số thứ tự B105 đến quầy số 21"
    assert call.clips["en"][:3] == ["en/chime", "en/recall", "en/letter_b"]
    assert call.clips["vi"][:2] == ["vi/recall", "vi/letter_b"]
    assert call.clips["vi"][-3:] == ["vi/hai", "vi/muoi", "vi/mot_sac"]


def test_one_language() -> None:
    call = compose_call("C7", 2, languages=["vi"])
    assert list(call.clips) == ["vi"]
    assert call.to_dict() == {
        "vi": "Xin mời công dân có số thứ tự C7 đến quầy số 2",
        "audio": {
            "vi": [
                "/display/voice/vi/chime.wav",
                "/display/voice/vi/call.wav",
                "/display/voice/vi/letter_c.wav",
                "/display/voice/vi/bay.wav",
                "/display/voice/vi/to_counter.wav",
                "/display/voice/vi/hai.wav",
            ]
        },
    }


def test_to_dict_uses_the_chosen_pack() -> None:
    audio = compose_call("A1", 1).to_dict(packs={"vi": "vi-hue"})["audio"]
    assert audio["vi"][0] == "/display/voice/vi-hue/chime.wav"
    assert audio["en"][0] == "/display/voice/en/call.wav"


@pytest.mark.parametrize(
    ("number", "counter", "languages"),
    [
        ("", 1, ("vi",)),
        ("A/../1", 1, ("vi",)),
        ("A1", 0, ("vi",)),
        ("A1", MAX_NUMBER + 1, ("vi",)),
        ("A1", True, ("vi",)),
        ("A1", "3", ("vi",)),
        ("A1", 1, ()),
        ("A1", 1, ("fr",)),
        ("A1", 1, ("vi", "vi")),
    ],
)
def test_bad_input_is_refused(number: str, counter: int, languages: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        compose_call(number, counter, languages=languages)


tickets = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789"),
    min_size=1,
    max_size=MAX_TICKET_LENGTH,
)


@given(tickets, st.integers(1, MAX_NUMBER), st.booleans())
def test_every_call_uses_only_shipped_clips(ticket: str, counter: int, recall: bool) -> None:
    call = compose_call(ticket, counter, recall=recall)
    for lang, clips in call.clips.items():
        assert {clip.split("/", 1)[1] for clip in clips} <= SHIPPED[lang]
        assert all(clip.startswith(f"{lang}/") and clip.isascii() for clip in clips)


@pytest.mark.parametrize(("lang", "reading"), [("vi", "linh"), ("vi", "le"), ("en", "linh")])
def test_every_number_uses_only_shipped_clips(lang: str, reading: str) -> None:
    used = {
        c.split("/", 1)[1] for n in range(MAX_NUMBER + 1) for c in number_clips(n, lang, reading)
    }
    assert used <= SHIPPED[lang]


def test_the_centre_s_reading_is_spoken_and_shown() -> None:
    standard = compose_call("A012", 105)
    southern = compose_call("A012", 105, reading="le")
    assert standard.clips["vi"][-4:] == ["vi/mot", "vi/tram", "vi/linh", "vi/nam"]
    assert southern.clips["vi"][-4:] == ["vi/mot", "vi/tram", "vi/le", "vi/nam"]
    assert southern.clips["en"] == standard.clips["en"]  # English has no such choice
    # Both readings are in the shipped pack, so a centre may switch without recording.
    assert {"linh", "le"} <= SHIPPED["vi"]
    assert {"vi/linh", "vi/le"} <= set(needed_clips("vi"))


@given(tickets, st.integers(1, MAX_NUMBER), st.booleans(), st.permutations(["vi", "en"]))
def test_composing_is_deterministic(ticket: str, counter: int, recall: bool, langs: list) -> None:
    first = compose_call(ticket, counter, recall=recall, languages=langs)
    second = compose_call(ticket.upper(), counter, recall=recall, languages=tuple(langs))
    assert first == second
    assert first.to_dict() == second.to_dict()


def test_needed_clips_cover_counters_up_to_999_only() -> None:
    vi = needed_clips("vi")
    assert "vi/nghin" not in vi and "vi/tram" in vi and vi["vi/mot_sac"] == "mốt"
    assert "vi/nghin" in needed_clips("vi", max_counter=1000)
    assert spell_clips("Z9", "en") == ["en/letter_z", "en/nine"]
    assert all(clip.isascii() for clip in {**vi, **needed_clips("en")})
