"""Compose a call announcement: the text a screen shows and the clips a speaker plays.

"Xin mời công dân có số thứ tự A012 đến quầy số 3" is played as a chime,
the phrase clip, the ticket letter by letter and digit by digit, the
"đến quầy số" clip and the counter as a number built from word clips.

Clip ids are "<lang>/<slug>", all ASCII:
- phrases have the same English slug in every language: `call`, `recall`,
  `to_counter`; `chime` is the two-tone sound before an announcement;
- letters are `letter_a` … `letter_z`, whatever the letter is called aloud;
- number words are the word without diacritics (`vi/hai`, `en/twenty`);
  Vietnamese words that differ only by their tone get the tone name:
  `vi/mot` một / `vi/mot_sac` mốt, `vi/muoi` mươi / `vi/muoi_huyen` mười.

The clip `<lang>/<slug>` is the file `<slug>.wav` in the voice pack of that
language, served at /display/voice/<pack>/<slug>.wav.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Final

from display import recorded
from display.number_words import (
    DEFAULT_READING,
    LANGUAGES,
    LETTERS,
    MAX_NUMBER,
    READINGS,
    check_reading,
    check_ticket,
    digit_word,
    letter_word,
    number_words,
)
from kiosk.usecases.lobby_voices import lobby_languages

VOICE_URL: Final = "/display/voice"
CHIME: Final = "chime"
CHIME_DESCRIPTION: Final = "(chime: a short soft two-tone sound, not speech)"
# A counter above this is not a real centre; validation asks packs for these only.
REQUIRED_MAX_COUNTER: Final = 999

PHRASES: Final[dict[str, dict[str, str]]] = {
    "vi": {
        "call": "Xin mời công dân có số thứ tự",
        "recall": "Xin mời lại công dân có số thứ tự",
        "to_counter": "đến quầy số",
    },
    "en": {
        "call": "Ticket",
        "recall": "Calling again, ticket",
        "to_counter": "please go to counter",
    },
}
_TEXT: Final = {
    "vi": "{intro} {number} {to_counter} {counter}",
    "en": "{intro} {number}, {to_counter} {counter}",
}
_VI_WORD_SLUGS: Final = {
    "không": "khong",
    "một": "mot",
    "hai": "hai",
    "ba": "ba",
    "bốn": "bon",
    "năm": "nam",
    "sáu": "sau",
    "bảy": "bay",
    "tám": "tam",
    "chín": "chin",
    "mười": "muoi_huyen",
    "mươi": "muoi",
    "mốt": "mot_sac",
    "tư": "tu",
    "lăm": "lam",
    "linh": "linh",
    "lẻ": "le",
    "trăm": "tram",
    "nghìn": "nghin",
}


@dataclass(frozen=True)
class Announcement:
    """One call, ready to show and to play."""

    number: str
    counter: int
    recall: bool
    text: dict[str, str]
    clips: dict[str, list[str]]

    def to_dict(
        self, packs: Mapping[str, str] | None = None, base_url: str = VOICE_URL
    ) -> dict[str, Any]:
        """The `announce` object of the Socket.IO `call` event.

        `packs` maps a language to the voice pack that speaks it (default: the
        pack named like the language).
        """
        result: dict[str, Any] = dict(self.text)
        result["audio"] = {
            lang: [clip_url(clip, packs, base_url) for clip in clips]
            for lang, clips in self.clips.items()
        }
        return result


def clip_url(
    clip_id: str, packs: Mapping[str, str] | None = None, base_url: str = VOICE_URL
) -> str:
    """URL of a clip: "vi/mot" → "/display/voice/vi/mot.wav"."""
    lang, slug = clip_id.split("/", 1)
    pack = (packs or {}).get(lang, lang)
    return f"{base_url}/{pack}/{slug}.wav"


def word_clip(word: str, lang: str) -> str:
    """Clip id of one number word: ("mốt", "vi") → "vi/mot_sac"."""
    slug = _VI_WORD_SLUGS[word] if lang == "vi" else word
    return f"{lang}/{slug}"


def letter_clip(letter: str, lang: str) -> str:
    """Clip id of one letter: ("B", "vi") → "vi/letter_b"."""
    letter_word(letter, lang)  # validates the letter
    return f"{lang}/letter_{letter.lower()}"


def spell_clips(ticket: str, lang: str) -> list[str]:
    """Clips reading a ticket number character by character."""
    return [
        word_clip(digit_word(int(ch), lang), lang) if ch.isdigit() else letter_clip(ch, lang)
        for ch in check_ticket(ticket)
    ]


def number_clips(n: int, lang: str, reading: str = DEFAULT_READING) -> list[str]:
    """Clips reading a number: (21, "vi") → ["vi/hai", "vi/muoi", "vi/mot_sac"]."""
    return [word_clip(word, lang) for word in number_words(n, lang, reading)]


def _check_languages(languages: Iterable[str]) -> tuple[str, ...]:
    langs = tuple(languages)
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if not langs or unknown or len(set(langs)) != len(langs):
        raise ValueError(f"languages must be distinct values of {LANGUAGES}, got {langs!r}")
    return langs


def compose_call(
    number: str,
    counter_number: int,
    *,
    languages: Iterable[str] = ("vi", "en"),
    recall: bool = False,
    reading: str = DEFAULT_READING,
) -> Announcement:
    """Announce ticket `number` to counter `counter_number` in each language, in order.

    Only the first language starts with the chime: a display plays all
    languages back to back, and one chime per call is what listeners expect.
    `reading` is the centre's Vietnamese reading of counter 105: "linh" or "le".
    """
    ticket = check_ticket(number)
    check_reading(reading)
    if isinstance(counter_number, bool) or not isinstance(counter_number, int):
        raise ValueError(f"counter number must be an int, got {counter_number!r}")
    if not 1 <= counter_number <= MAX_NUMBER:
        raise ValueError(f"counter number must be in 1..{MAX_NUMBER}, got {counter_number}")
    intro = "recall" if recall else "call"
    text: dict[str, str] = {}
    clips: dict[str, list[str]] = {}
    for index, lang in enumerate(_check_languages(languages)):
        phrases = PHRASES[lang]
        text[lang] = _TEXT[lang].format(
            intro=phrases[intro],
            number=ticket,
            to_counter=phrases["to_counter"],
            counter=counter_number,
        )
        clips[lang] = [
            *([f"{lang}/{CHIME}"] if index == 0 else []),
            f"{lang}/{intro}",
            *spell_clips(ticket, lang),
            f"{lang}/to_counter",
            *number_clips(counter_number, lang, reading),
        ]
    return Announcement(ticket, counter_number, recall, text, clips)


def needed_clips(lang: str, max_counter: int = REQUIRED_MAX_COUNTER) -> dict[str, str]:
    """Every clip id an announcement in `lang` can use, with what to say in it.

    Derived from the composer itself (chime, phrases, letters, digits, the
    words of counters 1..max_counter in both Vietnamese readings, "linh" and
    "lẻ") so a pack checked against it can speak every call for any centre.
    """
    _check_languages([lang])
    clips = {f"{lang}/{CHIME}": CHIME_DESCRIPTION}
    clips.update({f"{lang}/{slug}": phrase for slug, phrase in PHRASES[lang].items()})
    clips.update({letter_clip(ch, lang): letter_word(ch, lang) for ch in LETTERS})
    for reading in READINGS:
        for n in [*range(10), *range(1, max_counter + 1)]:
            for word in number_words(n, lang, reading):
                clips.setdefault(word_clip(word, lang), word)
    return clips


SHIPPED_NAMES: Final = {"vi": "Tiếng Việt", "en": "English"}


def voice_announcer(store: Any, centre_id: int) -> Callable[..., dict[str, Any]]:
    """The hub's announcer for one centre (QueueContext.announce): like `announce`, but a
    language may be spoken by a pack recorded at the hub (display/recorded.py), and a
    recorded pack replaces the shipped one of its language when it is complete.

    `announce.audio` is {language: [clip URL, …]}, one key per announced language that
    has a pack complete for this centre's calls, in the centre's order; a language
    with none is left out (and logged by nobody: the admin page shows it as
    incomplete).  `announce.also` holds, alike, the languages some lobby TV speaks
    beyond the centre's order (its own languages set on /admin/devices:
    kiosk/usecases/lobby_voices.py), so that TV has their clips; a lobby without its own
    order never plays them.  Only the first clip list of all starts with the chime.
    `announce.names` names each spoken language for the lobby."""

    def speak(
        number: str,
        counter_number: int,
        languages: tuple[str, ...],
        recall: bool,
        packs: Mapping[str, str],
        reading: str = DEFAULT_READING,
        *,
        session: Any = None,
    ) -> dict[str, Any]:
        """`session`: the caller's open transaction, read in (the call's own, so the
        announcement costs no transaction of its own); without one, a read of its own."""
        if reading not in READINGS:
            reading = DEFAULT_READING
        shipped = [lang for lang in languages if lang in LANGUAGES]
        text = compose_call(number, counter_number, languages=shipped or ("vi",), recall=recall)
        result: dict[str, Any] = {lang: text.text[lang] for lang in shipped}
        # Both kept with the centre's set-up (kiosk/store/setup_cache.py): no statement
        # while it holds.
        with nullcontext(session) if session is not None else store.read() as session:
            lobbies = [
                lang for lang in lobby_languages(session, centre_id) if lang not in languages
            ]
            complete = recorded.packs_for_calls(session, centre_id)
        names: dict[str, str] = {}

        def clips(codes: Iterable[str], first: bool) -> dict[str, list[str]]:
            spoken: dict[str, list[str]] = {}
            for lang in codes:
                chime = first and not spoken
                pack = complete.get(lang)  # None: none recorded, or one call clip missing
                urls = None
                if pack is not None:
                    urls = recorded.call_urls(
                        pack, number, counter_number, recall=recall, chime=chime
                    )
                if urls is not None:
                    names[lang] = pack.name
                elif lang in LANGUAGES:
                    call = compose_call(
                        number, counter_number, languages=(lang,), recall=recall, reading=reading
                    )
                    urls = call.to_dict(packs=packs or None)["audio"][lang]
                    urls = urls if chime else urls[1:]  # one chime per call
                    names[lang] = SHIPPED_NAMES[lang]
                else:
                    continue
                spoken[lang] = urls
            return spoken

        audio = clips(languages, True)
        result["audio"] = audio
        if lobbies and (also := clips(lobbies, not audio)):
            result["also"] = also
        result["names"] = names
        result["recall"] = recall
        return result

    return speak
