"""What of a scanned code a log line may quote.

A citizen ID card's QR (`ID|old ID|name|birth|sex|address|issued`, kiosk/core/citizen_id.py)
carries the holder's ID number, name and address.  No other code a scanner reads here
(tickets' status URLs, ticket numbers, dossier receipts, booking codes) contains "|", so a
code that does is shown as the card's last four digits only, even when it is damaged."""

from __future__ import annotations

CARD_SEPARATOR = "|"


def is_card(code: str | bytes) -> bool:
    return (CARD_SEPARATOR.encode() if isinstance(code, bytes) else CARD_SEPARATOR) in code


def loggable(code: str | bytes) -> str:
    """`repr(code)`, or "<citizen ID card …1234>" for a card."""
    if not is_card(code):
        return repr(code)
    text = code.decode("utf-8", "replace") if isinstance(code, bytes) else code
    digits = "".join(ch for ch in text.split(CARD_SEPARATOR, 1)[0] if ch.isdigit())
    return f"<citizen ID card …{digits[-4:]}>"
