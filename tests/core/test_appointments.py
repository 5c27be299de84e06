"""Booking limits and the check-in window, with Hanoi's defaults."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.appointments import Booking, BookingRules, check_booking, check_in_window
from kiosk.core.errors import Conflict, InvalidInput

TODAY = date(2026, 11, 23)
RULES = BookingRules()
SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_two_a_day_one_per_field():
    first = Booking("001099012345", "HT", TODAY)
    check_booking(first, [], TODAY, RULES)
    with pytest.raises(Conflict) as same_field:
        check_booking(Booking("001099012345", "HT", TODAY), [first], TODAY, RULES)
    assert same_field.value.code == "booking_limit_field"
    second = Booking("001099012345", "DD", TODAY)
    check_booking(second, [first], TODAY, RULES)
    with pytest.raises(Conflict) as third:
        check_booking(Booking("001099012345", "KD", TODAY), [first, second], TODAY, RULES)
    assert third.value.code == "booking_limit_day"
    # another person, or another day, is not affected
    check_booking(Booking("001099099999", "HT", TODAY), [first, second], TODAY, RULES)
    check_booking(
        Booking("001099012345", "HT", TODAY + timedelta(days=1)), [first, second], TODAY, RULES
    )


@pytest.mark.parametrize(("offset", "ok"), [(-1, False), (0, True), (6, True), (7, False)])
def test_today_up_to_six_days_ahead(offset, ok):
    booking = Booking("x", "HT", TODAY + timedelta(days=offset))
    if ok:
        check_booking(booking, [], TODAY, RULES)
    else:
        with pytest.raises(InvalidInput):
            check_booking(booking, [], TODAY, RULES)


@pytest.mark.parametrize(
    ("minutes", "verdict"),
    [(-16, "too_early"), (-15, "ok"), (0, "ok"), (10, "ok"), (11, "too_late")],
)
def test_check_in_window(minutes, verdict):
    assert check_in_window(SLOT, SLOT + timedelta(minutes=minutes), RULES) == verdict


@given(
    st.lists(
        st.tuples(st.sampled_from(["p1", "p2", ""]), st.sampled_from(["HT", "DD", "KD"])),
        max_size=12,
    )
)
def test_accepted_bookings_never_break_the_limits(requests):
    accepted: list[Booking] = []
    for person, service in requests:
        booking = Booking(person, service, TODAY)
        try:
            check_booking(booking, accepted, TODAY, RULES)
        except (Conflict, InvalidInput):
            continue
        accepted.append(booking)
    for person in ("p1", "p2"):
        mine = [b for b in accepted if b.person == person]
        assert len(mine) <= 2
        assert all(sum(1 for b in mine if b.service == s) <= 1 for s in ("HT", "DD", "KD"))


def test_rules_from_centre_settings():
    rules = BookingRules.from_settings({"per_person_per_day": 3, "early_min": "30", "other": 1})
    assert (rules.per_person_per_day, rules.early_min, rules.late_min) == (3, 30, 10)


def test_the_same_phone_is_the_same_person_with_or_without_an_id_number():
    from kiosk.core.appointments import identities_of

    with_id = Booking(identities_of("001099012345", "0912 345 678"), "DD", TODAY)
    # the booking system left out the id number the second time: still one person
    phone_only = Booking(identities_of(None, "+84 912 345 678"), "DD", TODAY)
    with pytest.raises(Conflict) as refused:
        check_booking(phone_only, [with_id], TODAY, RULES)
    assert refused.value.code == "booking_limit_field"
    # and the id number alone, with another phone, is the same person too
    id_only = Booking(identities_of("001099012345", "0987000111"), "DD", TODAY)
    with pytest.raises(Conflict):
        check_booking(id_only, [with_id], TODAY, RULES)
    # a stranger with no phone and no id is not limited by someone else's bookings
    check_booking(Booking(identities_of(None, None), "DD", TODAY), [with_id], TODAY, RULES)
    check_booking(Booking(identities_of(None, "0911000222"), "DD", TODAY), [with_id], TODAY, RULES)
