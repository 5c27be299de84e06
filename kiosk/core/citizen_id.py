"""The QR code on a chip-based citizen ID card (thẻ Căn cước công dân gắn chip, and the
Căn cước cards issued since 1 July 2024).

It reads `ID|old ID|full name|DDMMYYYY birth|sex|address|DDMMYYYY issued`: a 12-digit
personal ID number, the old 9-digit ID (empty on newer cards), then the holder's data.
Newer cards may leave fields empty or add fields after these seven.

What the hub may keep of a card (docs/admin.md, "Citizen ID cards"): a keyed hash of the
ID number (`person_key`, for daily limits and to find the holder's booking) and its last
four digits (`masked`).  `parse` drops the name, sex and address as it reads them, and a
`CitizenCard`'s `repr` shows the masked number only, so a stray log line cannot carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date

from kiosk.core.errors import InvalidInput

SEPARATOR = "|"
FIELDS = 7  # ID, old ID, name, birth, sex, address, issued
ID_NUMBER = re.compile(r"^\d{12}$")
OLD_ID_NUMBER = re.compile(r"^(\d{9}|\d{12})?$")
DAY = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
# The 4th digit of the ID number is sex and century of birth (Circular 07/2016/TT-BCA,
# art. 7): 0/1 born 1900-1999, 2/3 2000-2099, 4/5 2100-…, 6/7 2200-…, 8/9 1800-1899;
# the 5th and 6th are the last two digits of the year of birth.
CENTURY_BY_DIGIT = {"0": 1900, "1": 1900, "2": 2000, "3": 2000, "4": 2100, "5": 2100}
CENTURY_BY_DIGIT |= {"6": 2200, "7": 2200, "8": 1800, "9": 1800}


def looks_like_card(code: str) -> bool:
    """A scanned code meant as a card QR.  No ticket, receipt, booking code or status URL
    contains "|", so one that does is a card, perhaps a damaged one."""
    return SEPARATOR in code


@dataclass(frozen=True)
class CitizenCard:
    number: str = field(repr=False)
    birth: date | None
    issued: date | None

    @property
    def masked(self) -> str:
        """The last four digits, as a clerk may see them: "…1234"."""
        return masked(self.number)

    def age_on(self, day: date) -> int | None:
        """Whole years on `day` (the centre's local date); None when the card has no birth
        date.  Someone born on 29 February comes of age on 1 March in other years."""
        if self.birth is None:
            return None
        return age_on(self.birth, day)

    def __repr__(self) -> str:
        return f"CitizenCard({self.masked})"


def masked(number: str) -> str:
    return "…" + number[-4:]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def parse(code: str, today: date) -> CitizenCard:
    """The card in `code`, checked; a damaged or misread string raises
    InvalidInput("citizen_id_unreadable") — with no part of the string in it."""
    parts = [part.strip() for part in code.strip().split(SEPARATOR)]
    if len(parts) < FIELDS:
        raise InvalidInput("citizen_id_unreadable")
    number, old_number, _name, birth_text, _sex, _address, issued_text = parts[:FIELDS]
    if not ID_NUMBER.match(number) or not OLD_ID_NUMBER.match(old_number):
        raise InvalidInput("citizen_id_unreadable")
    birth = _day(birth_text)
    issued = _day(issued_text)
    if birth is not None:
        if birth > today or CENTURY_BY_DIGIT[number[3]] + int(number[4:6]) != birth.year:
            raise InvalidInput("citizen_id_unreadable")
    if issued is not None and (issued > today or (birth is not None and issued < birth)):
        raise InvalidInput("citizen_id_unreadable")
    return CitizenCard(number=number, birth=birth, issued=issued)


def _day(text: str) -> date | None:
    if not text:
        return None  # newer cards may leave a field empty
    match = DAY.match(text)
    if match is None:
        raise InvalidInput("citizen_id_unreadable")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("citizen_id_unreadable") from None


def identity_key(secret_key: str) -> bytes:
    """The key `person_key` uses, derived from the hub's secret key (MOTCUA_SECRET_KEY or
    instance/secret_key) so that it is never the session-signing key itself."""
    return hmac.new(secret_key.encode(), b"motcua citizen id", hashlib.sha256).digest()


def person_key(secret: bytes, number: str) -> str:
    """The ID number as the hub keeps it: HMAC-SHA256 under the hub's secret key, 32 hex
    digits (128 bits).  Without the key nobody can test a guessed number against it; with
    it the same person gets the same key in bookings, limits and scans."""
    normalised = re.sub(r"\s+", "", number).upper()
    return hmac.new(secret, normalised.encode(), hashlib.sha256).hexdigest()[:32]
