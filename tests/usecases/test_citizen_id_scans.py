"""A citizen ID card scanned at a kiosk or a counter, through the use cases with a
scripted clock: the group proposed at 60 on the centre's own date, today's booking found
and checked in, the daily limits counting the person, the clear refusals, and nothing of
the card's name, address or full number left in the database, the events or the logs."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import String, Text, inspect, select

from kiosk.store.tables import AppointmentRow
from kiosk.usecases import appointments, scans
from tests.support.citizen_id import card_qr

pytestmark = pytest.mark.usefixtures("app")  # Flask-Babel: the texts in both languages

NAME = "Lò Văn Páo"
ADDRESS = "Bản Mường, Xã Than Uyên, Tỉnh Lai Châu"
NUMBER = "011066001234"


@pytest.fixture
def morning(day, app):
    """06:30 on Monday 23 November 2026 at the centre: still 22 November in UTC."""
    ctx, clock, publisher = day
    clock.now = datetime.fromisoformat("2026-11-23T06:30:00+07:00")
    with app.app_context():
        yield ctx, clock, publisher


def test_born_sixty_years_ago_today_on_the_centres_date_is_proposed_elderly(morning):
    ctx, _, _ = morning
    sixty = scans.at_kiosk(ctx, "kiosk-1", card_qr(birth="23111966"))
    assert sixty.kind == "citizen_id" and sixty.ticket is None
    assert sixty.payload["suggested_priority"] == "elderly"
    assert sixty.payload["masked_id"] == "…1234"
    assert sixty.payload["suggestion"]["vi"] == "Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?"
    assert sixty.payload["suggestion"]["en"] == "You are 60 or over: choose “Elderly people”?"
    assert sixty.payload["note"]["vi"].startswith("Đã đọc thẻ căn cước")
    # one day short of 60 (in UTC it is still the 22nd: the centre's date decides)
    short = scans.at_kiosk(ctx, "kiosk-1", card_qr(old="", birth="24111966"))
    assert short.kind == "citizen_id" and short.payload["suggested_priority"] is None
    assert "suggestion" not in short.payload
    # the kiosks are told the proposal, without any digit of the card
    public = [e.payload for e in ctx.publisher.sent if e.name == "scan"]
    assert public[0]["suggested_priority"] == "elderly" and "masked_id" not in public[0]
    assert "1234" not in str(public)


def test_the_proposed_age_is_the_centres_setting(morning):
    ctx, _, _ = morning
    from kiosk.usecases import admin_priority

    values = admin_priority.GroupValues(name="Người cao tuổi", name_en="Elderly", min_age=70)
    admin_priority.update_group(ctx, None, "elderly", values)
    assert scans.at_kiosk(ctx, "kiosk-1", card_qr()).payload["suggested_priority"] is None
    older = scans.at_kiosk(ctx, "kiosk-1", card_qr(number="011056001234", birth="01011956"))
    assert older.payload["suggested_priority"] == "elderly"
    assert older.payload["suggestion"]["vi"] == "Ông/Bà đủ 70 tuổi: chọn “Người cao tuổi”?"


def test_todays_booking_of_the_card_holder_is_checked_in(morning):
    ctx, clock, _ = morning
    day = clock.now.date().isoformat()
    created, rejected = appointments.book_many(
        ctx,
        [
            {"code": "HN-1", "service": "HT", "day": day, "time": "06:40", "person_id": NUMBER},
            {"code": "HN-2", "service": "DD", "day": day, "time": "09:00", "person_id": NUMBER},
            # the daily limits count the person by the same key: a third is refused
            {"code": "HN-3", "service": "TKQ", "day": day, "time": "10:00", "person_id": NUMBER},
        ],
    )
    assert [c["code"] for c in created] == ["HN-1", "HN-2"]
    assert [r.error.code for r in rejected] == ["booking_limit_day"]
    checked = scans.at_kiosk(ctx, "kiosk-1", card_qr(old=""))
    assert checked.kind == "citizen_id" and checked.ticket["service"] == "HT"
    assert checked.ticket["appointment_at"] is not None
    assert checked.payload["note"]["vi"] == checked.payload["note"]["vi"].replace(NUMBER, "")
    # the 09:00 booking is too early at 06:30: the card says so and offers a normal number
    later = scans.at_kiosk(ctx, "kiosk-1", card_qr(old=""))
    assert later.kind == "citizen_id" and later.error.code == "appointment_too_early"
    assert later.payload["offer"] == {"service": "DD"}
    assert later.payload["suggested_priority"] == "elderly"


def test_a_damaged_card_is_a_clear_error(morning):
    ctx, _, _ = morning
    damaged = card_qr()[:40]
    result = scans.at_kiosk(ctx, "kiosk-1", damaged)
    assert result.kind == "error" and result.error.code == "citizen_id_unreadable"
    assert result.payload["message"] == {
        "vi": "Không đọc được thẻ căn cước. Xin mời Ông/Bà quét lại, "
        "hoặc chọn lĩnh vực trên màn hình.",
        "en": "The citizen ID card could not be read. Please scan it again, "
        "or choose your field on the screen.",
    }
    assert result.error.status == 400


def test_a_card_scanned_at_a_counter_is_not_a_ticket(morning):
    ctx, _, _ = morning
    result = scans.at_counter(ctx, 1, card_qr())
    assert result.kind == "error" and result.error.code == "citizen_id_at_counter"
    assert result.payload["message"]["vi"].startswith("Đây là thẻ căn cước, không phải phiếu")
    assert result.payload["message"]["en"].startswith("This is a citizen ID card, not a ticket")
    assert NUMBER not in str(result.payload)


def text_columns(ctx) -> str:
    """Every text column of every table, as one string."""
    found = []
    with ctx.store.read() as session:
        connection = session.connection()
        for table in inspect(connection).get_table_names():
            columns = inspect(connection).get_columns(table)
            names = [c["name"] for c in columns if isinstance(c["type"], String | Text)]
            if names:
                quoted = ", ".join(f'"{name}"' for name in names)
                rows = connection.exec_driver_sql(f'SELECT {quoted} FROM "{table}"')
                found.extend(str(v) for row in rows for v in row)
            json_like = [c["name"] for c in columns if "JSON" in str(c["type"]).upper()]
            for name in json_like:
                rows = connection.exec_driver_sql(f'SELECT "{name}" FROM "{table}"')
                found.extend(str(v) for row in rows for v in row)
    return "\n".join(found)


def test_nothing_of_the_card_is_kept_in_the_database_events_or_logs(morning, caplog):
    ctx, clock, publisher = morning
    caplog.set_level(logging.DEBUG)
    day = clock.now.date().isoformat()
    appointments.book_many(
        ctx, [{"code": "HN-9", "service": "HT", "day": day, "time": "06:30", "person_id": NUMBER}]
    )
    qr = card_qr(name=NAME, address=ADDRESS)
    assert scans.at_kiosk(ctx, "kiosk-1", qr).ticket is not None  # checked in
    scans.at_kiosk(ctx, "kiosk-1", qr)  # again: no booking left, a proposal
    scans.at_kiosk(ctx, "kiosk-2", qr[:50])  # damaged
    scans.at_counter(ctx, 1, qr)
    stored = text_columns(ctx)
    assert "HN-9" in stored and "Trả kết quả" in stored  # the dump does read the tables
    with ctx.store.read() as session:
        kept = session.execute(select(AppointmentRow.person_id)).scalar_one()
    assert len(kept) == 32 and kept != NUMBER
    sent = str([(e.name, e.payload) for e in publisher.sent])
    for secret in (NAME, ADDRESS, NUMBER, "Bản Mường", "Páo", NUMBER[:8]):
        assert secret not in stored, secret
        assert secret not in sent, secret
        assert secret not in caplog.text, secret


def test_bookings_stored_with_the_number_as_typed_are_keyed_at_start(morning):
    """A database from before ID numbers were keyed: the next start leaves no full number."""
    ctx, _, _ = morning
    booked, refused = appointments.book_many(
        ctx, [{"code": "OLD1", "service": "HT", "day": "2026-11-23", "time": "09:00"}]
    )
    assert booked and not refused
    with ctx.store.write() as session:
        row = session.execute(select(AppointmentRow)).scalars().one()
        row.person_id = NUMBER  # as the earlier code stored it
    assert appointments.rekey_stored_ids(ctx) == 1
    with ctx.store.read() as session:
        stored = session.execute(select(AppointmentRow.person_id)).scalar_one()
    assert NUMBER not in stored and stored == appointments.keyed_person(ctx, NUMBER)
    assert appointments.rekey_stored_ids(ctx) == 0  # already keyed: nothing changes
