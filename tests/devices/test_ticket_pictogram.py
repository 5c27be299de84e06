"""The printed ticket carries the field's pictogram large beside the number."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from devices.rendering.pictogram import render_pictogram
from devices.rendering.raster import render_ticket
from devices.rendering.ticket import TicketPrint
from devices.rendering.wire import ticket_from_wire, ticket_to_wire
from kiosk import pictograms
from tests.support.devices import printed_at


def ticket(**extra) -> TicketPrint:
    at = datetime(2026, 12, 7, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    return TicketPrint("Trung tâm", "Hộ tịch", "A012", at, 2, "http://hub/t/x", **extra)


@pytest.mark.parametrize("name", list(pictograms.catalogue()))
def test_every_shipped_pictogram_prints_large_beside_the_number(name: str) -> None:
    svg = pictograms.svg(name)
    printed = render_ticket(ticket_from_wire(ticket_to_wire(ticket(pictogram_svg=svg))))
    picture = render_pictogram(svg, int(576 * 0.34))  # a third of an 80 mm ticket
    assert picture.histogram()[0] > 2000, f"{name} draws almost nothing"
    row = printed_at(printed, picture)
    assert row is not None, name
    # Beside the number, not under it: the number's band has ink right of the picture.
    band = printed.crop((picture.width + 40, row, printed.width, row + picture.height))
    assert band.histogram()[0] > 3000
    assert printed_at(render_ticket(ticket()), picture) is None


def test_a_broken_drawing_still_prints_the_ticket() -> None:
    assert render_ticket(ticket(pictogram_svg="<svg")).size[0] == 576
