"""What the tests of spoken calls share: a pack recorded for calls without a microphone,
a lobby page whose shipped Vietnamese clips are short silence (the recorded pack's clips
are what is checked), the slugs a recorded pack speaks a ticket number with, and the
slugs of a recorded pack's clip URLs."""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from pathlib import Path

import requests

from display.announcer import compose_call
from tests.support.clients import csrf_token
from tests.support.hubs import DUMMY_KIOSK_PRINTER, FIXTURES

SHIPPED_VI_CLIP = re.compile(r".*/display/voice/vi/[^/]+\.wav$")


def silent_wav() -> bytes:
    """20 ms of silence: a shipped clip that takes no time to play."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * 160)
    return out.getvalue()


def open_lobby(context, url: str):
    """A lobby page in `context` (its cookies: a paired TV's, or none), sound on, whose
    shipped Vietnamese voice plays silence."""
    from playwright.sync_api import expect

    silent = silent_wav()
    page = context.new_page()
    page.route(SHIPPED_VI_CLIP, lambda route: route.fulfill(body=silent, content_type="audio/wav"))
    page.goto(url)
    expect(page.locator("#sound-toggle")).to_have_attribute("data-sound", "on")
    return page


def spoken(number: str) -> list[str]:
    """A recorded pack reads A012 as letter_a, digit_0, digit_1, digit_2."""
    return [f"digit_{c}" if c.isdigit() else f"letter_{c.lower()}" for c in number]


def recorded_slugs(urls: list[str], code: str) -> list[str]:
    """/display/voice/rec/hmn/call.wav?v=… → call (each URL of pack `code`)."""
    return [re.sub(rf".*/rec/{re.escape(code)}/(.+)\.wav\?v=.*", r"\1", url) for url in urls]


def record_for_calls(ctx, code: str, name: str) -> None:
    """Pack `code` complete for this centre's calls (a tone per clip), not for the kiosk."""
    from display import recorded
    from kiosk.usecases import voice_packs

    if voice_packs.find_pack(ctx.store, code) is None:
        voice_packs.create_pack(ctx, None, code, name)
    with ctx.store.read() as session:
        needs = recorded.centre_needs(session, ctx.centre_id)
    for index, spec in enumerate(recorded.clip_list(needs)):
        if spec.group != "kiosk" and spec.required:
            voice_packs.save_clip(ctx, None, code, spec.slug, spec.say, tone(hz=300 + index))


VOICE_CENTRE = FIXTURES / "voice-centre.toml"  # fields HT (A) and DD (B), counters 1-3


def tone(seconds: float = 0.2, hz: float = 440.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        n = int(16000 * seconds)
        wav.writeframes(
            struct.pack(
                f"<{n}h", *(int(8000 * math.sin(2 * math.pi * hz * i / 16000)) for i in range(n))
            )
        )
    return out.getvalue()


def voice_app(app_factory, tmp_path: Path):
    centre = tmp_path / "voice-centre.toml"
    centre.write_text(
        VOICE_CENTRE.read_text(encoding="utf-8") + DUMMY_KIOSK_PRINTER, encoding="utf-8"
    )
    return app_factory(centre_file=centre)


def create_pack(client, code: str, name: str) -> None:
    token = csrf_token(client, "/admin/voices")
    made = client.post("/admin/voices", data={"code": code, "name": name, "csrf_token": token})
    assert made.status_code == 302 and made.headers["Location"].endswith(f"/admin/voices/{code}")


def call_at_counter_3(hub) -> tuple[list[str], list[str]]:
    """A number taken in field HT and called at counter 3: the shipped Vietnamese clip URLs
    of that call, and the slugs a recorded pack says it with."""
    ticket = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    hub.session().post(f"{hub.url}/api/v1/counters/3/next", timeout=10).raise_for_status()
    vi = compose_call(ticket["number"], 3, languages=("vi",)).to_dict()["audio"]["vi"]
    return vi, ["call", "ticket", *spoken(ticket["number"]), "to_counter", "counter_3"]
