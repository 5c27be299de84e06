"""Voice packs recorded at the hub: what a centre must record, and calls spoken from them.

No text-to-speech engine speaks Tày, Hmông, Thái, Nùng or Dao, but every centre
has staff who do.  A recorded pack (tables `voice_packs`, `voice_clips`; written by
kiosk/usecases/voice_packs.py) holds one clip per thing the lobby or the kiosk says,
whatever the language's grammar, so a call is composed the same way in every
language:

    [chime] call|recall, ticket, A, 0, 1, 2, to_counter, counter_3

- `call` "Xin mời", `recall` "Xin mời lại", `ticket` "số thứ tự", `to_counter`
  "đến quầy số";
- `letter_a` … the letters of the centre's ticket prefixes, `digit_0` … `digit_9`;
- `counter_3`: each of the centre's counter numbers said whole (no number grammar to
  teach: "hai mươi mốt", or however the language says 21, is one recording);
- for the kiosk: `field_<code>` (each field's name) and the prompts `prompt_choose`,
  `prompt_taken`;
- `chime` is optional: without one the shipped chime plays.

What a pack needs depends on the centre (its letters, counters and fields), so the
same pack can be complete at one centre and not at the next; `missing` says what
is left.  A pack with any call clip missing is never used for a call, and one with a
kiosk clip missing is never offered for the kiosk's read-aloud.

Clips are served at /display/voice/rec/<code>/<slug>.wav?v=<digest> (display/voice.py):
the digest changes with each recording, so browsers may keep a clip for a day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.store import setup_cache
from kiosk.store.tables import VoiceClipRow, VoicePackRow

RECORDED_URL: Final = "/display/voice/rec"
SHIPPED_CHIME: Final = "/display/voice/vi/chime.wav"
DIGITS: Final = "0123456789"
PROMPTS: Final = ("prompt_choose", "prompt_taken")


@dataclass(frozen=True)
class ClipSpec:
    """One clip a pack needs: its slug, what it is for, and what to say (vi, en)."""

    slug: str
    group: str  # "call" | "letters" | "digits" | "counters" | "kiosk"
    say: str
    say_en: str
    required: bool = True  # the chime is not: the shipped one plays instead


_PHRASES: Final = [
    ClipSpec("chime", "call", "(tiếng chuông ngắn trước lời gọi)", "(a short chime)", False),
    ClipSpec("call", "call", "Xin mời", "Please, (the number follows)"),
    ClipSpec("recall", "call", "Xin mời lại", "Calling again, (the number follows)"),
    ClipSpec("ticket", "call", "số thứ tự", "ticket number"),
    ClipSpec("to_counter", "call", "đến quầy số", "please go to counter"),
]
PROMPT_TEXTS: Final = {
    "prompt_choose": (
        "Xin chọn lĩnh vực. Chạm vào ô đang sáng để lấy số.",
        "Choose your field. Tap the lit tile to take a number.",
    ),
    "prompt_taken": (
        "Đây là số của Ông/Bà. Xin mời ngồi chờ.",
        "Here is your number. Please take a seat.",
    ),
}


def field_slug(code: str) -> str:
    """The clip of a field's name: "HT" → "field_ht"."""
    return "field_" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")


def letter_slug(letter: str) -> str:
    return f"letter_{letter.lower()}"


def counter_slug(number: int) -> str:
    return f"counter_{number}"


@dataclass(frozen=True)
class CentreNeeds:
    """What a centre's calls and kiosk can say: its letters, counters and fields."""

    letters: tuple[str, ...]
    counters: tuple[int, ...]
    fields: tuple[tuple[str, str, str], ...]  # (code, name, name_en)


def centre_needs(session: Session, centre_id: int) -> CentreNeeds:
    """From the centre's kept set-up (no statement while it holds)."""
    setup = setup_cache.setup(session, centre_id)
    active = [s for s in setup.services if s.active]
    letters = sorted({ch for s in active for ch in s.prefix.upper() if ch.isalpha()})
    counters = sorted(setup.codes_by_counter_number)
    return CentreNeeds(
        tuple(letters), tuple(counters), tuple((s.code, s.name, s.name_en) for s in active)
    )


def clip_list(needs: CentreNeeds) -> list[ClipSpec]:
    """Every clip a pack records for this centre, in the order the admin page lists them."""
    specs = list(_PHRASES)
    specs += [ClipSpec(letter_slug(ch), "letters", ch, ch) for ch in needs.letters]
    specs += [ClipSpec(f"digit_{d}", "digits", d, d) for d in DIGITS]
    specs += [
        ClipSpec(counter_slug(n), "counters", f"(quầy) {n}", f"(counter) {n}")
        for n in needs.counters
    ]
    specs += [
        ClipSpec(field_slug(code), "kiosk", name, en or name) for code, name, en in needs.fields
    ]
    specs += [ClipSpec(slug, "kiosk", *PROMPT_TEXTS[slug]) for slug in PROMPTS]
    return specs


def missing(needs: CentreNeeds, recorded: Iterable[str], group: str | None = None) -> list[str]:
    """Required slugs not yet recorded; `group="calls"` or `"kiosk"` for one purpose."""
    have = set(recorded)
    return [
        spec.slug
        for spec in clip_list(needs)
        if spec.required
        and spec.slug not in have
        and (group is None or (spec.group == "kiosk") == (group == "kiosk"))
    ]


@dataclass(frozen=True)
class RecordedPack:
    """A pack as calls see it: its name and {slug: digest} of what is recorded."""

    code: str
    name: str
    digests: Mapping[str, str]

    def url(self, slug: str) -> str:
        return f"{RECORDED_URL}/{self.code}/{slug}.wav?v={self.digests[slug]}"


def recorded_packs(session: Session, codes: Iterable[str] | None = None) -> dict[str, RecordedPack]:
    """The recorded packs (only `codes` if given) with their clips' digests, one statement."""
    query = select(VoicePackRow.code, VoicePackRow.name, VoiceClipRow.slug, VoiceClipRow.digest)
    query = query.outerjoin(VoiceClipRow, VoiceClipRow.pack_id == VoicePackRow.id)
    if codes is not None:
        query = query.where(VoicePackRow.code.in_(list(codes)))
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for code, name, slug, digest in session.execute(query):
        entry = found.setdefault(code, (name, {}))
        if slug is not None:
            entry[1][slug] = digest
    return {code: RecordedPack(code, name, digests) for code, (name, digests) in found.items()}


def packs_for_calls(session: Session, centre_id: int) -> Mapping[str, RecordedPack]:
    """The recorded packs complete for this centre's calls, by code: kept with the
    centre's set-up (kiosk/store/setup_cache.py: recording, deleting or importing a pack
    raises its version), so a call reads no pack while the set-up holds."""
    kept = setup_cache.derived(session, centre_id)
    found = kept.get("packs_for_calls")
    if found is None:
        packs = recorded_packs(session)
        needs = centre_needs(session, centre_id) if packs else None
        found = MappingProxyType(
            {
                code: pack
                for code, pack in packs.items()
                if not missing(needs, pack.digests, "calls")
            }
        )
        kept["packs_for_calls"] = found
    return found


def call_urls(
    pack: RecordedPack, number: str, counter: int, *, recall: bool, chime: bool
) -> list[str] | None:
    """The clips of one call in a recorded pack, in the order they are spoken; None when
    the pack lacks one of them (a letter no field of this centre uses)."""
    spoken = [
        f"digit_{ch}" if ch.isdigit() else letter_slug(ch) for ch in number.upper() if ch.isalnum()
    ]
    slugs = ["recall" if recall else "call", "ticket", *spoken, "to_counter", counter_slug(counter)]
    if any(slug not in pack.digests for slug in slugs):
        return None
    urls = [pack.url(slug) for slug in slugs]
    if chime:
        urls.insert(0, pack.url("chime") if "chime" in pack.digests else SHIPPED_CHIME)
    return urls


def kiosk_urls(pack: RecordedPack, needs: CentreNeeds) -> dict[str, str]:
    """The kiosk's read-aloud clips: each prompt and field name, by slug."""
    slugs = [*PROMPTS, *(field_slug(code) for code, _, _ in needs.fields)]
    return {slug: pack.url(slug) for slug in slugs if slug in pack.digests}


def kiosk_texts(needs: CentreNeeds, lang: str) -> dict[str, str]:
    """What the kiosk says aloud in a shipped language (vi or en), by slug."""
    english = lang == "en"
    texts = {slug: PROMPT_TEXTS[slug][1 if english else 0] for slug in PROMPTS}
    texts.update(
        {field_slug(code): (en or name) if english else name for code, name, en in needs.fields}
    )
    return texts
