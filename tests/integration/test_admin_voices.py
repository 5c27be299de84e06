"""/admin/voices as an admin uses it (issue 18): the recording page lists every clip the
centre's pack needs with what to say; a take is trimmed and levelled, and recording again
replaces it; a pack exported from one page imports on another under a new code and name
and speaks calls; the pictogram chosen for a field is on the kiosk and on the paper."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

from sqlalchemy import select

from devices.rendering import render_ticket
from devices.rendering.pictogram import render_pictogram
from devices.rendering.wire import ticket_from_wire
from display import recorded
from display.announcer import voice_announcer
from display.audio import PEAK_CEILING_DB, TARGET_RMS_DB, level, silence_at_ends
from kiosk import pictograms
from kiosk.store.tables import PrintJobRow
from kiosk.usecases import print_jobs, voice_packs
from tests.support.clients import csrf_token
from tests.support.devices import printed_at
from tests.support.voices import create_pack, tone, voice_app


def take(tmp_path: Path, word_s: float, before_s: float, after_s: float) -> bytes:
    """A quiet word between pauses, as the browser posts it (16 kHz mono WAV)."""
    path = tmp_path / "take.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path)]
        + ["synth", str(word_s), "sine", "300", "gain", "-30", "pad", str(before_s), str(after_s)],
        check=True,
    )
    return path.read_bytes()


def post_take(client, code: str, slug: str, audio: bytes):
    token = csrf_token(client, f"/admin/voices/{code}")
    return client.post(
        f"/admin/voices/{code}/clips/{slug}",
        data=audio,
        headers={"Content-Type": "audio/wav", "X-CSRFToken": token, "Accept": "application/json"},
    )


def rows(page: str) -> dict[str, str]:
    """{slug: data-url} of the recording page's rows, in order."""
    return dict(re.findall(r'<tr class="clip" data-slug="([^"]+)" data-url="([^"]*)"', page))


def test_the_page_lists_every_clip_to_say_and_a_take_is_trimmed_levelled_and_replaceable(
    app_factory, tmp_path, login
):
    app = voice_app(app_factory, tmp_path)
    client = app.test_client()
    login(client)
    create_pack(client, "hmn", "Hmông")
    page = client.get("/admin/voices/hmn").get_data(as_text=True)
    assert list(rows(page)) == [
        "chime",
        "call",
        "recall",
        "ticket",
        "to_counter",
        "letter_a",
        "letter_b",
        *(f"digit_{d}" for d in range(10)),
        "counter_1",
        "counter_2",
        "counter_3",
        "field_ht",
        "field_dd",
        "prompt_choose",
        "prompt_taken",
    ]
    for text in ("Xin mời", "số thứ tự", "đến quầy số", "Tư pháp - Hộ tịch", "Đất đai"):
        assert f"<strong>{text}</strong>" in page
    assert "Xin chọn lĩnh vực. Chạm vào ô đang sáng để lấy số." in page
    assert re.search(r'id="pack-state" data-missing="23">\s*<strong class="incomplete">', page)

    # 1 s of room noise before the word and 1.5 s after: the stored clip is the word.
    first = post_take(client, "hmn", "call", take(tmp_path, 0.4, 1.0, 1.5))
    assert first.status_code == 200, first.get_data(as_text=True)
    answer = first.get_json()
    assert 400 <= answer["duration_ms"] <= 520
    stored = tmp_path / "stored.wav"
    clip = client.get(answer["url"])
    assert clip.status_code == 200 and clip.mimetype == "audio/wav"
    stored.write_bytes(clip.data)
    measured = level(stored)
    assert abs(measured.rms_db - TARGET_RMS_DB) <= 1.0 and measured.peak_db <= PEAK_CEILING_DB + 0.1
    lead, tail = silence_at_ends(stored)
    assert lead < 0.05 and tail < 0.1

    # Recorded again: a new clip under a new URL, the page shows it, nothing else is added.
    again = post_take(client, "hmn", "call", take(tmp_path, 0.8, 0.3, 0.3)).get_json()
    assert again["url"] != answer["url"] and 800 <= again["duration_ms"] <= 920
    page = client.get("/admin/voices/hmn").get_data(as_text=True)
    assert rows(page)["call"] == again["url"].replace("&", "&amp;")
    assert 'data-missing="22"' in page
    assert list(voice_packs.find_pack(app.extensions["motcua"].store, "hmn").clips) == ["call"]

    # What cannot be a clip is refused with a reason, and nothing is stored.
    silent = post_take(client, "hmn", "ticket", take(tmp_path, 0.01, 0.5, 0.5))
    assert silent.status_code == 400 and "silent" in silent.get_json()["message"]
    unknown = post_take(client, "hmn", "counter_9", take(tmp_path, 0.4, 0.1, 0.1))
    assert unknown.status_code == 400 and "counter_9" in unknown.get_json()["message"]
    assert list(voice_packs.find_pack(app.extensions["motcua"].store, "hmn").clips) == ["call"]


def test_a_pack_exported_from_the_admin_page_imports_under_another_code_and_speaks_calls(
    app_factory, tmp_path, login
):
    app = voice_app(app_factory, tmp_path)
    hub = app.extensions["motcua"]
    client = app.test_client()
    login(client)
    create_pack(client, "hmn", "Hmông")
    with hub.store.read() as session:
        needs = recorded.centre_needs(session, hub.ctx.centre_id)
    for index, spec in enumerate(recorded.clip_list(needs)):
        if spec.group != "kiosk" and spec.required:  # complete for calls, not for the kiosk
            voice_packs.save_clip(hub.ctx, None, "hmn", spec.slug, spec.say, tone(hz=300 + index))

    exported = client.get("/admin/voices/hmn/export")
    assert exported.status_code == 200
    assert 'filename="motcua-voice-hmn.zip"' in exported.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(exported.data)) as bundle:
        assert "pack.toml" in bundle.namelist() and "digit_7.wav" in bundle.namelist()

    def upload(**fields):
        token = csrf_token(client, "/admin/voices")
        data = {"csrf_token": token, **fields, "file": (io.BytesIO(exported.data), "hmn.zip")}
        return client.post("/admin/voices/import", data=data, content_type="multipart/form-data")

    imported = upload(code="hmn-lc", name="Hmông Lào Cai")
    assert imported.status_code == 302, imported.get_data(as_text=True)
    assert imported.headers["Location"].endswith("/admin/voices/hmn-lc")
    taken = upload()  # the file's own code, hmn, is taken
    assert taken.status_code == 400
    assert "Đã có bộ giọng hmn." in taken.get_data(as_text=True)
    assert upload(replace="y", name="Hmông (mới)").status_code == 302

    packs = {p.code: p for p in voice_packs.list_packs(hub.store)}
    assert (packs["hmn-lc"].name, packs["hmn"].name) == ("Hmông Lào Cai", "Hmông (mới)")
    assert packs["hmn-lc"].clips == packs["hmn"].clips  # same texts, digests, lengths
    overview = client.get("/admin/voices").get_data(as_text=True)
    state = re.search(
        r'<tr data-code="hmn-lc">.*?<td class="pack-state">(.*?)</td>', overview, re.S
    )
    assert "Chưa đủ" in state.group(1) and "lời gọi" not in state.group(1)  # kiosk clips only

    token = csrf_token(client, "/admin/voices")
    ordered = client.post(
        "/admin/voices/order", data={"announce": "vi, hmn-lc", "csrf_token": token}
    )
    assert ordered.status_code == 302
    call = voice_announcer(hub.store, hub.ctx.centre_id)("A012", 3, ("vi", "hmn-lc"), False, {})
    assert list(call["audio"]) == ["vi", "hmn-lc"] and call["names"]["hmn-lc"] == "Hmông Lào Cai"
    assert [
        re.sub(r".*/rec/hmn-lc/(.+)\.wav\?v=.*", r"\1", u) for u in call["audio"]["hmn-lc"]
    ] == [
        "call",
        "ticket",
        "letter_a",
        "digit_0",
        "digit_1",
        "digit_2",
        "to_counter",
        "counter_3",
    ]

    # The kiosk reads aloud only in a pack complete for it: the field names and prompts.
    def kiosk_voices() -> list[str]:
        return [v["code"] for v in client.get("/display/voice/kiosk.json").get_json()["voices"]]

    assert "hmn-lc" not in kiosk_voices()
    kiosk_slugs = [s.slug for s in recorded.clip_list(needs) if s.group == "kiosk"]
    for slug in kiosk_slugs[:-1]:
        voice_packs.save_clip(hub.ctx, None, "hmn-lc", slug, slug, tone())
    assert "hmn-lc" not in kiosk_voices()  # prompt_taken still missing
    voice_packs.save_clip(hub.ctx, None, "hmn-lc", kiosk_slugs[-1], "", tone())
    voices = client.get("/display/voice/kiosk.json").get_json()["voices"]
    hmong = next(v for v in voices if v["code"] == "hmn-lc")
    assert hmong["name"] == "Hmông Lào Cai" and list(hmong["fields"]) == ["HT", "DD"]
    assert "/rec/hmn-lc/field_dd.wav?v=" in hmong["fields"]["DD"]
    assert client.get(hmong["prompts"]["prompt_choose"]).status_code == 200


def test_the_pictogram_the_admin_chose_is_on_the_kiosk_tile_and_on_the_paper(
    app_factory, tmp_path, login
):
    app = voice_app(app_factory, tmp_path)
    hub = app.extensions["motcua"]
    client = app.test_client()
    login(client)
    token = csrf_token(client, "/admin/voices")
    form = {"csrf_token": token, "pictogram-HT": "family", "pictogram-DD": "../../etc/passwd"}
    assert client.post("/admin/voices/pictograms", data=form).status_code == 302
    kiosk = client.get("/display/voice/kiosk.json").get_json()
    assert list(kiosk["pictograms"]) == ["HT"]  # a name not in the shipped set is not kept
    assert kiosk["pictograms"]["HT"].endswith("/pictograms/family.svg")
    assert client.get(kiosk["pictograms"]["HT"]).status_code == 200  # served by the hub

    citizen = app.test_client()
    numbers = {}
    for field in ("HT", "DD"):
        answer = citizen.post("/api/v1/tickets", json={"service": field, "kiosk": "kiosk-1"})
        assert answer.status_code == 201, answer.get_json()
        numbers[field] = answer.get_json()["id"]
    with hub.store.read() as session:
        jobs = {j.ticket_id: j.id for j in session.execute(select(PrintJobRow)).scalars()}

    def paper(field: str):
        content = print_jobs.job_content(hub.ctx, jobs[numbers[field]])
        return render_ticket(ticket_from_wire(json.loads(json.dumps(content))["ticket"]))

    picture = render_pictogram(pictograms.svg("family"), int(576 * 0.34))
    assert printed_at(paper("HT"), picture) is not None  # large, beside the number
    assert printed_at(paper("DD"), picture) is None
