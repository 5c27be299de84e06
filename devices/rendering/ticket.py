"""What goes on a queue ticket: the data (`TicketPrint`) and the words around it (`TicketLabels`).

Both are plain frozen dataclasses so a job can be handed to another thread,
kept in a queue and retried without anyone changing it underneath.  The labels
default to Vietnamese; the hub passes the labels of the language the citizen
chose, from its catalogue (kiosk.messages.ticket_labels), as `TicketLabels(**labels)`.
Nothing here translates: devices/ never imports the hub or Flask-Babel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TicketLabels:
    """The fixed wording printed on a ticket; `{n}`, `{minutes}` and `{when}` are filled in."""

    people_ahead: str = "Số người đang chờ trước Ông/Bà: {n}"
    estimated_wait: str = "Thời gian chờ dự kiến: khoảng {minutes} phút"
    no_wait: str = "Ông/Bà sẽ được mời ngay"
    issued_at: str = "Thời gian lấy số: {when}"
    qr_caption: str = "Quét mã để theo dõi lượt của Ông/Bà trên điện thoại"
    date_format: str = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class TicketPrint:
    """One ticket as it is printed. `issued_at` is aware and already in the centre's local time."""

    centre_name: str
    service_name: str
    number: str
    issued_at: datetime
    people_ahead: int
    status_url: str
    estimated_wait_s: int | None = None
    service_name_en: str | None = None
    priority_label: str | None = None
    footer: str = ""
    labels: TicketLabels = field(default_factory=TicketLabels)
    # The field's pictogram (an SVG of static/pictograms/, devices/rendering/pictogram.py),
    # printed large beside the number for a citizen who does not read; "" for none.
    pictogram_svg: str = ""

    def __post_init__(self) -> None:
        # A naive datetime would silently print server time; refuse it where the mistake is made.
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("TicketPrint.issued_at must be timezone-aware (local centre time)")
        if not self.number.strip():
            raise ValueError("TicketPrint.number must not be empty")


def info_lines(t: TicketPrint) -> list[str]:
    """The small lines under the number (people ahead, wait, time), shared by both text modes."""
    lab = t.labels
    lines = [lab.people_ahead.format(n=max(0, t.people_ahead))]
    if t.estimated_wait_s is not None:
        if t.estimated_wait_s <= 0:
            lines.append(lab.no_wait)
        else:
            # Rounded up: telling a citizen "~0 minutes" for 20 s of wait reads as a mistake.
            lines.append(lab.estimated_wait.format(minutes=math.ceil(t.estimated_wait_s / 60)))
    lines.append(lab.issued_at.format(when=t.issued_at.strftime(lab.date_format)))
    return lines
