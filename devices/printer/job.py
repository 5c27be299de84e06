"""Turning a ticket into the exact ESC/POS bytes for one printer (pure CPU, no I/O).

The bytes are produced by python-escpos itself, writing into its in-memory
`Dummy` printer; the transports then send them as they are.  Composing once
and sending the same bytes on every retry means a retried ticket is the same
ticket, and the CPU work (rendering, dithering) happens in `run_blocking`
away from the event loop.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from escpos.constants import CODEPAGE_CHANGE
from escpos.printer import Dummy
from PIL import Image

from devices.rendering import encode_cp1258, info_lines, render_qr, render_ticket, wrap_columns
from devices.rendering.raster import centred
from devices.rendering.ticket import TicketPrint

TEXT_MODES = ("raster", "cp1258")
# Font A is 12 dots wide on 203-dpi printers: 48 columns on 80 mm, 32 on 58 mm.
_FONT_A_DOTS = 12


@dataclass(frozen=True)
class PrintJob:
    """One ticket ready to send: the bytes, and the raster image when there is one (for previews)."""

    ticket: TicketPrint
    data: bytes
    image: Image.Image | None = None


def escpos_buffer(width: int) -> Dummy:
    """An escpos Dummy that knows the paper width, so escpos checks images against it."""
    esc = Dummy()
    # Profile data is shared by every printer of the same profile class: copy before changing.
    data = copy.deepcopy(esc.profile.profile_data)
    data["media"]["width"]["pixels"] = width
    esc.profile.profile_data = data
    return esc


def compose_job(
    ticket: TicketPrint, *, width: int, text_mode: str = "raster", codepage: int = 52
) -> PrintJob:
    """ESC/POS bytes for `ticket`: initialise, the ticket, feed and cut."""
    esc = escpos_buffer(width)
    esc.hw("INIT")  # ESC @: clears any style a previous job or another program left behind
    image = None
    if text_mode == "raster":
        image = render_ticket(ticket, width)
        # GS v 0 is the one image command every ESC/POS clone understands.
        esc.image(image, impl="bitImageRaster")
    elif text_mode == "cp1258":
        _text_ticket(esc, ticket, width, codepage)
    else:
        raise ValueError(f"text_mode must be one of {TEXT_MODES}, not {text_mode!r}")
    esc.cut()
    return PrintJob(ticket=ticket, data=esc.output, image=image)


def _lines(esc: Dummy, text: str, columns: int) -> None:
    for line in wrap_columns(text, columns):
        esc._raw(encode_cp1258(line) + b"\n")


def _text_ticket(esc: Dummy, t: TicketPrint, width: int, codepage: int) -> None:
    """The ticket in the printer's own font, Vietnamese through its CP1258 code page."""
    columns = width // _FONT_A_DOTS
    esc._raw(CODEPAGE_CHANGE + bytes([codepage]))  # ESC t n; n differs by model
    esc.set(align="center", bold=True)
    _lines(esc, t.centre_name, columns)
    esc._raw(b"\n")
    esc.set(double_height=True, bold=True)
    _lines(esc, t.service_name, columns)
    esc.set(normal_textsize=True, bold=False)
    if t.service_name_en:
        _lines(esc, t.service_name_en, columns)
    # Ticket numbers are ASCII, so the printer's font scaled up (at most 8x) works on every model.
    scale = max(1, min(8, width // (_FONT_A_DOTS * max(1, len(t.number)))))
    esc.set(custom_size=True, width=scale, height=scale, bold=True)
    esc._raw(t.number.encode("ascii", errors="replace") + b"\n")
    esc.set(normal_textsize=True, bold=False)
    if t.priority_label:
        esc.set(invert=True, bold=True)
        _lines(esc, f" {t.priority_label} ", columns)
        esc.set(invert=False, bold=False)
    for line in info_lines(t):
        _lines(esc, line, columns)
    esc._raw(b"\n")
    esc.image(centred(render_qr(t.status_url, int(width * 0.45)), width), impl="bitImageRaster")
    _lines(esc, t.labels.qr_caption, columns)
    if t.footer:
        _lines(esc, t.footer, columns)
