"""A chip-based citizen ID card's QR text, made up for tests (no real person)."""

from __future__ import annotations


def card_qr(
    number: str = "011066001234",
    old: str = "012345678",
    name: str = "Lò Văn Páo",
    birth: str = "23111966",
    sex: str = "Nam",
    address: str = "Bản Mường, Xã Than Uyên, Tỉnh Lai Châu",
    issued: str = "10072021",
) -> str:
    """`ID|old ID|full name|DDMMYYYY birth|sex|address|DDMMYYYY issued`."""
    return "|".join((number, old, name, birth, sex, address, issued))
