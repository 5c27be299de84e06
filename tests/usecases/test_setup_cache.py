"""Each hub process keeps a centre's set-up (fields, priority groups, counters' fields,
settings) in memory while its version holds (kiosk/store/setup_cache.py).  A change made
anywhere, by any means, holds from the next transaction of every process: here two
stores on one database stand for two hub processes, each with its own copy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete, event, update

from display.announcer import voice_announcer
from kiosk.core.errors import DomainError, NotFound
from kiosk.store import Store, setup_cache
from kiosk.store import repository as repo
from kiosk.store.seed import read_centre_file, seed
from kiosk.store.tables import CounterRow, LobbyVoiceRow, ServiceRow, VoiceClipRow
from kiosk.usecases import admin_priority, admin_setup, counters, voice_packs
from tests.support.hubs import TEST_CENTRE
from tests.support.usecases import take
from tests.support.voices import record_for_calls

HT = admin_setup.ServiceValues(name="Tư pháp - Hộ tịch", name_en="Civil status", prefix="A")


@pytest.fixture
def other(day):
    """A second hub process on the same database: its own store, so its own kept set-up."""
    ctx, _, _ = day
    store = Store(ctx.store.engine.url.render_as_string(hide_password=False))
    yield replace(ctx, store=store)
    store.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_database(request, day):
    """`day`'s centre on SQLite, or the same centre seeded into a fresh PostgreSQL database."""
    ctx, clock, _ = day
    if request.param == "sqlite":
        return ctx
    url = request.getfixturevalue("postgres_url")
    store = Store(url)
    with store.write() as session:
        centre = seed(session, read_centre_file(TEST_CENTRE))
    request.addfinalizer(store.dispose)
    return replace(ctx, store=store, centre_id=centre.id)


@pytest.fixture
def two_processes(any_database):
    ctx = any_database
    store = Store(ctx.store.engine.url.render_as_string(hide_password=False))
    yield ctx, replace(ctx, store=store)
    store.dispose()


def test_a_field_renamed_by_another_process_is_on_the_next_ticket(two_processes):
    ctx, other = two_processes
    assert take(ctx)["service_name"] == "Tư pháp - Hộ tịch"  # this process keeps the set-up
    admin_setup.update_service(other, None, "HT", replace(HT, name="Hộ tịch (mới)"))
    assert take(ctx)["service_name"] == "Hộ tịch (mới)"
    admin_setup.update_service(other, None, "HT", replace(HT, active=False))
    with pytest.raises(NotFound):
        take(ctx)


def test_a_statement_that_switches_a_field_off_holds_at_once(any_database):
    ctx = any_database
    take(ctx)
    with ctx.store.write() as session:  # no admin page: a plain UPDATE through a session
        session.execute(
            update(ServiceRow)
            .where(ServiceRow.centre_id == ctx.centre_id, ServiceRow.code == "HT")
            .values(active=False)
        )
    with pytest.raises(NotFound):
        take(ctx)


def test_a_counter_given_other_fields_elsewhere_calls_from_them(day, other):
    ctx, _, _ = day
    land = take(ctx, "DD")
    take(ctx, "HT")
    with ctx.store.read() as session:
        assert repo.counter_services_map(session, ctx.centre_id)[1] == ("HT", "DD")
    admin_setup.update_counter(other, None, 1, "Quầy 1", ["DD"])  # HT was its first choice
    assert counters.call_next(ctx, 1)["number"] == land["number"]


def test_a_priority_group_removed_elsewhere_is_refused(day, other):
    ctx, _, _ = day
    assert take(ctx, priority="elderly")["priority"] == "elderly"
    admin_priority.remove_group(other, None, "elderly")
    with pytest.raises(DomainError):
        take(ctx, priority="elderly")


def test_a_change_rolled_back_is_never_kept(day, other):
    ctx, _, _ = day
    take(ctx)
    with pytest.raises(RuntimeError), ctx.store.write() as session:
        row = session.get(ServiceRow, repo.service_by_code(session, ctx.centre_id, "HT").id)
        row.name = "never saved"
        session.flush()  # the version goes up in this transaction…
        assert repo.service_by_code(session, ctx.centre_id, "HT").name == "never saved"
        raise RuntimeError  # …and goes back down with it
    # Another process then makes the change that takes the same version number.
    admin_setup.update_service(other, None, "HT", replace(HT, name="Hộ tịch (mới)"))
    assert take(ctx)["service_name"] == "Hộ tịch (mới)"


def test_queue_actions_keep_the_set_up_and_read_it_once(day):
    ctx, clock, _ = day
    with ctx.store.read() as session:
        before = setup_cache.version(session, ctx.centre_id)
    take(ctx)
    take(ctx, "HT", priority="elderly")
    counters.call_next(ctx, 1)
    counters.finish(ctx, 1)
    counters.pause(ctx, 2, "Nghỉ trưa")
    with ctx.store.write() as session:  # the interleave memory and a counter's state
        repo.save_policy_state(session, ctx.centre_id, 2)
        session.execute(update(CounterRow).where(CounterRow.number == 2).values(state="open"))
    with ctx.store.read() as session:
        assert setup_cache.version(session, ctx.centre_id) == before
    read = []
    event.listen(ctx.store.engine, "before_cursor_execute", lambda *a: read.append(a[2]))
    take(ctx)
    assert not [s for s in read if "FROM services" in s or "FROM priority_groups" in s]


def test_a_pack_recorded_or_cut_short_elsewhere_is_on_the_next_call(two_processes):
    """The packs complete for calls are kept with the set-up: recording the last clip,
    deleting one (a plain DELETE through a session) or the pack, in another process,
    holds from this process's next call."""
    ctx, other = two_processes
    speak = voice_announcer(ctx.store, ctx.centre_id)
    assert list(speak("A012", 3, ("vi", "hmn"), False, {})["audio"]) == ["vi"]
    record_for_calls(other, "hmn", "Hmông")
    assert list(speak("A012", 3, ("vi", "hmn"), False, {})["audio"]) == ["vi", "hmn"]
    with other.store.write() as session:
        session.execute(delete(VoiceClipRow).where(VoiceClipRow.slug == "counter_3"))
    assert list(speak("A012", 3, ("vi", "hmn"), False, {})["audio"]) == ["vi"]
    record_for_calls(other, "hmn", "Hmông")
    assert list(speak("A013", 3, ("vi", "hmn"), False, {})["audio"]) == ["vi", "hmn"]
    voice_packs.delete_pack(other, None, "hmn")
    assert list(speak("A014", 3, ("vi", "hmn"), False, {})["audio"]) == ["vi"]


def test_a_lobby_tv_given_languages_elsewhere_gets_their_clips_on_the_next_call(
    two_processes,
):
    """The lobby TVs' languages are kept with the set-up: a TV's row added, changed by a
    plain UPDATE, or removed, in another process, holds from this process's next call."""
    ctx, other = two_processes
    speak = voice_announcer(ctx.store, ctx.centre_id)
    assert "also" not in speak("A012", 3, ("vi",), False, {})
    with other.store.write() as session:
        session.add(
            LobbyVoiceRow(
                centre_id=ctx.centre_id,
                name="sanh-1",
                languages=["vi", "en"],
                night_languages=[],
                updated_at=ctx.now(),
            )
        )
    assert list(speak("A012", 3, ("vi",), False, {})["also"]) == ["en"]
    with ctx.store.read() as session:  # a call in the caller's transaction: the same
        assert list(speak("A012", 3, ("vi",), False, {}, session=session)["also"]) == ["en"]
    with other.store.write() as session:
        session.execute(update(LobbyVoiceRow).values(languages=["vi"]))
    assert "also" not in speak("A012", 3, ("vi",), False, {})
    with other.store.write() as session:
        session.execute(update(LobbyVoiceRow).values(night_languages=["en"]))
    assert list(speak("A012", 3, ("vi",), False, {})["also"]) == ["en"]
    with other.store.write() as session:
        session.execute(delete(LobbyVoiceRow))
    assert "also" not in speak("A012", 3, ("vi",), False, {})
