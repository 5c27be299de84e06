"""Ticket rendering: the ticket data, the raster image, and CP1258 text. No I/O, no printer."""

from devices.rendering.codepage import encode_cp1258, wrap_columns
from devices.rendering.fonts import FONT_DIR, VIETNAMESE_LETTERS, load_font, missing_glyphs
from devices.rendering.raster import PAPER_DOTS, dots_for_paper, render_qr, render_ticket
from devices.rendering.ticket import TicketLabels, TicketPrint, info_lines

__all__ = [
    "FONT_DIR",
    "PAPER_DOTS",
    "VIETNAMESE_LETTERS",
    "TicketLabels",
    "TicketPrint",
    "dots_for_paper",
    "encode_cp1258",
    "info_lines",
    "load_font",
    "missing_glyphs",
    "render_qr",
    "render_ticket",
    "wrap_columns",
]
