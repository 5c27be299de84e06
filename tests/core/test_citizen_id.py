"""Reading a citizen ID card's QR: the fields, the checks that catch a misread, the
holder's age on the centre's date, and what of the card the hub may keep."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import citizen_id
from kiosk.core.errors import InvalidInput
from tests.support.citizen_id import card_qr

TODAY = date(2026, 11, 23)


def test_a_card_is_read_and_keeps_nothing_but_its_dates_and_number():
    card = citizen_id.parse(card_qr(), TODAY)
    assert card.number == "011066001234"
    assert card.birth == date(1966, 11, 23) and card.issued == date(2021, 7, 10)
    assert card.masked == "…1234"
    # nothing of the name or address is kept, and a stray log line shows 4 digits
    assert "Lò Văn Páo" not in str(card.__dict__) and "Bản Mường" not in str(card.__dict__)
    assert repr(card) == "CitizenCard(…1234)" and "011066" not in f"{card!r} {card}"


def test_newer_cards_leave_the_old_id_and_other_fields_empty():
    card = citizen_id.parse(card_qr(old="", issued=""), TODAY)
    assert card.number == "011066001234" and card.issued is None
    no_birth = citizen_id.parse(card_qr(old="", birth=""), TODAY)
    assert no_birth.age_on(TODAY) is None  # no age: no group is proposed
    # a newer card with fields after the seven
    assert citizen_id.parse(card_qr() + "|extra|", TODAY).masked == "…1234"


def test_sixty_on_the_day_born_exactly_sixty_years_before():
    sixty_today = citizen_id.parse(card_qr(birth="23111966"), TODAY)
    one_day_short = citizen_id.parse(card_qr(birth="24111966"), TODAY)
    assert sixty_today.age_on(TODAY) == 60
    assert one_day_short.age_on(TODAY) == 59
    # a 29 February birthday comes round on 1 March in other years
    leap = citizen_id.parse(card_qr(number="011064001234", birth="29021964"), TODAY)
    assert leap.age_on(date(2024, 2, 28)) == 59 and leap.age_on(date(2024, 3, 1)) == 60


@pytest.mark.parametrize(
    "damaged",
    [
        card_qr()[:30],  # cut short by the scanner
        card_qr(number="01106600123"),  # 11 digits
        card_qr(number="01106600123X"),
        card_qr(old="12345"),
        card_qr(birth="31021966"),  # no such day
        card_qr(birth="1966-11-23"),
        card_qr(birth="23111967"),  # the number says 1966
        card_qr(number="011366001234"),  # 4th digit 3: a woman born in the 2000s
        card_qr(birth="23112027"),  # born after today
        card_qr(issued="10071960"),  # issued before birth
        "|||||",
        "|",
    ],
)
def test_a_damaged_string_is_a_clear_error_that_quotes_nothing(damaged):
    with pytest.raises(InvalidInput) as refused:
        citizen_id.parse(damaged, TODAY)
    assert refused.value.code == "citizen_id_unreadable"
    assert refused.value.params == {}  # no part of the string travels on


def test_only_codes_with_the_separator_are_cards():
    assert citizen_id.looks_like_card(card_qr())
    for other in ("A012", "000.00.19.H34-241123-0001", "HN-0001", "http://hub/t/abcdefgh12"):
        assert not citizen_id.looks_like_card(other)


def test_the_kept_key_is_the_same_for_one_person_and_depends_on_the_hub_key():
    key = citizen_id.identity_key("hub-secret")
    first = citizen_id.person_key(key, "011066001234")
    assert first == citizen_id.person_key(key, " 011066 001234 ")
    assert len(first) == 32 and set(first) <= set("0123456789abcdef")
    assert first != citizen_id.person_key(key, "011066001235")
    assert first != citizen_id.person_key(citizen_id.identity_key("other-hub"), "011066001234")


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_age_grows_by_one_on_each_birthday(birth, day):
    if day < birth:
        return
    age = citizen_id.age_on(birth, day)
    assert 0 <= age <= day.year - birth.year
    try:
        birthday = birth.replace(year=day.year)
    except ValueError:  # 29 February in a common year
        birthday = date(day.year, 3, 1)
    assert age == day.year - birth.year - (day < birthday)
