"""Daily ticket numbering in the centre's time zone.

A ticket's number is its service prefix plus a per-service sequence that
restarts every business day (local midnight).  The sequence itself comes from
an atomic counter in storage; this module only decides which day a moment
belongs to and how the number is written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.core.errors import Conflict, InvalidInput

NUMBER_WIDTH = 3
MAX_SEQ = 99_999  # the most digits parse_number (and NUMBER_PATTERN) accept
PREFIX_PATTERN = re.compile(r"^[A-Z]{1,2}$")
NUMBER_PATTERN = re.compile(r"^([A-Z]{1,2})(\d{3,5})$")


def business_day(now: datetime, timezone: str | ZoneInfo) -> date:
    """The local calendar day `now` falls on; `now` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return now.astimezone(tz).date()


def format_number(prefix: str, seq: int) -> str:
    """A001 … A999, then A1000: the width grows rather than wrapping, so a number is never reused."""
    if seq < 1:
        raise ValueError("sequence starts at 1")
    if seq > MAX_SEQ:
        # A longer number could be printed but never typed back or scanned.
        raise Conflict("sequence_exhausted", prefix=prefix, max=MAX_SEQ)
    return f"{prefix}{seq:0{NUMBER_WIDTH}d}"


def validate_prefix(prefix: str) -> str:
    prefix = (prefix or "").strip().upper()
    if not PREFIX_PATTERN.match(prefix):
        raise InvalidInput("invalid_prefix", prefix=prefix)
    return prefix


def parse_number(text: str) -> str:
    """Normalise a typed or scanned ticket number ("a12" → "A012"); raises InvalidInput."""
    cleaned = re.sub(r"[\s\-]", "", (text or "")).upper()
    match = re.match(r"^([A-Z]{1,2})(\d{1,5})$", cleaned)
    if not match:
        raise InvalidInput("invalid_ticket_number", number=text)
    return f"{match.group(1)}{int(match.group(2)):0{NUMBER_WIDTH}d}"
