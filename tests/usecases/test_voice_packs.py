"""Recorded voice packs: only a complete pack speaks a call; one file carries a pack from
one installation to another (`motcua voice export` / `import`)."""

from __future__ import annotations

import pytest

from display import recorded
from display.announcer import compose_call, voice_announcer
from kiosk import cli
from kiosk.usecases import voice_packs
from tests.support.voices import tone


def needs(ctx) -> recorded.CentreNeeds:
    with ctx.store.read() as session:
        return recorded.centre_needs(session, ctx.centre_id)


def record(ctx, code: str, slugs) -> None:
    for index, slug in enumerate(slugs):
        voice_packs.save_clip(ctx, None, code, slug, f"say {slug}", tone(hz=300 + index))


def test_an_incomplete_pack_is_refused_for_calls(ctx):
    voice_packs.create_pack(ctx, None, "hmn", "Hmông")
    call_clips = [
        s.slug for s in recorded.clip_list(needs(ctx)) if s.group != "kiosk" and s.required
    ]
    record(ctx, "hmn", [slug for slug in call_clips if slug != "counter_12"])
    speak = voice_announcer(ctx.store, ctx.centre_id)
    vi = compose_call("A012", 3, languages=("vi",)).to_dict()["audio"]["vi"]

    refused = speak("A012", 3, ("vi", "hmn", "en"), False, {}, "linh")
    assert list(refused["audio"]) == [
        "vi",
        "en",
    ]  # counter 12 not recorded: no Hmông, even to counter 3
    assert refused["audio"]["vi"] == vi

    record(ctx, "hmn", ["counter_12"])
    spoken = speak("A012", 3, ("vi", "hmn", "en"), True, {}, "linh")
    assert list(spoken["audio"]) == ["vi", "hmn", "en"]
    assert spoken["names"]["hmn"] == "Hmông" and spoken["recall"] is True
    slugs = [url.split("/rec/hmn/")[1].split(".wav")[0] for url in spoken["audio"]["hmn"]]
    assert slugs == [
        "recall",
        "ticket",
        "letter_a",
        "digit_0",
        "digit_1",
        "digit_2",
        "to_counter",
        "counter_3",
    ]
    # First in the order, the recorded pack starts the call with the (shipped) chime.
    first = speak("A012", 3, ("hmn", "vi"), False, {}, "linh")["audio"]
    assert first["hmn"][0] == recorded.SHIPPED_CHIME and "chime" not in " ".join(first["vi"])


def test_export_then_import_gives_the_same_pack_under_another_code(
    ctx, tmp_path, monkeypatch, capsys
):
    voice_packs.create_pack(ctx, None, "hmn", "Hmông")
    record(ctx, "hmn", ["call", "ticket", "digit_1"])
    monkeypatch.setenv("MOTCUA_DATABASE_URL", str(ctx.store.url))
    bundle = tmp_path / "hmn.zip"
    assert cli.main(["voice", "export", "hmn", str(bundle)]) == 0
    assert (
        cli.main(["voice", "import", str(bundle), "--as", "hmn-lc", "--name", "Hmông Lào Cai"]) == 0
    )
    assert cli.main(["voice", "import", str(bundle)]) == 2  # hmn is taken
    assert "hmn" in capsys.readouterr().err
    packs = {p.code: p for p in voice_packs.list_packs(ctx.store)}
    assert packs["hmn-lc"].name == "Hmông Lào Cai"
    assert (
        packs["hmn-lc"].clips == packs["hmn"].clips
    )  # same texts, digests (= same sound), lengths
    for slug in packs["hmn"].clips:
        assert voice_packs.clip_audio(ctx.store, "hmn-lc", slug) == voice_packs.clip_audio(
            ctx.store, "hmn", slug
        )


def test_a_file_that_is_not_a_pack_is_refused(ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATABASE_URL", str(ctx.store.url))
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert cli.main(["voice", "import", str(junk)]) == 2
    assert voice_packs.list_packs(ctx.store) == []


@pytest.mark.parametrize("code", ["", "Hmong", "h", "../vi", "hmnx"])
def test_a_pack_code_is_a_language_code(ctx, code):
    with pytest.raises(voice_packs.InvalidInput):
        voice_packs.create_pack(ctx, None, code, "x")


def test_the_centre_file_sets_the_order_of_announced_languages(ctx):
    from kiosk.store.seed import seed
    from kiosk.store.tables import CentreRow

    data = {
        "centre": {"code": "ta-phin", "name": "Xã Tả Phìn", "announce": ["vi", "hmn", "en"]},
        "services": [],
        "counters": [],
    }
    with ctx.store.write() as session:
        centre_id = seed(session, data).id
    with ctx.store.read() as session:
        assert session.get(CentreRow, centre_id).settings["languages"] == ["vi", "hmn", "en"]
    order = voice_packs.set_announce_order(ctx, None, [" tdd", "vi", "tdd", ""])
    assert order == ["tdd", "vi"]
