"""A second centre beside the test centre, for installations serving several
(CONTRACT.md, "Several centres in one installation")."""

from __future__ import annotations

from pathlib import Path

B_CODE = "xa-b"
B_HOST = "xa-b.example.gov.vn"
# The same user name as the test centre's admin, with another password: another person.
B_ADMIN = ("admin", "admin-of-b-pass")
B_CLERK = ("clerkb", "clerk-of-b-pass")

_B_FILE = """\
[centre]
code = "xa-b"
name = "Trung tâm Phục vụ hành chính công xã B"
hosts = ["xa-b.example.gov.vn"]
{extra}
[[services]]
code = "HT"
name = "Tư pháp - Hộ tịch"
name_en = "Justice - Civil status"
prefix = "A"

[[counters]]
number = 1
services = ["HT"]

[[counters]]
number = 2
services = ["HT"]

[[users]]
username = "admin"
password = "admin-of-b-pass"
role = "admin"

[[users]]
username = "clerkb"
password = "clerk-of-b-pass"
role = "clerk"
counter = 1
"""


def centre_b_file(folder: Path, *, locked: bool = False, code: str = B_CODE, host: str = B_HOST):
    """Centre B's file (`locked`: it requires paired devices)."""
    extra = "require_device_tokens = true\n" if locked else ""
    text = _B_FILE.format(extra=extra).replace(B_HOST, "{host}").replace(B_CODE, code)
    text = text.replace("{host}", host)
    path = folder / f"{code}{'-locked' if locked else ''}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def add_centre_b(database_url: str, folder: Path, **kwargs) -> None:
    """Store centre B in a database that serves the test centre, as `motcua centre add`."""
    from kiosk.store import Store
    from kiosk.store.seed import read_centre_file
    from kiosk.usecases import centres

    store = Store(database_url)
    try:
        centres.add_centre(store, read_centre_file(centre_b_file(folder, **kwargs)))
    finally:
        store.dispose()
