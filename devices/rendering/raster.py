"""Drawing a ticket as a 1-bit image exactly as wide as the printer's print head.

Pure functions (no I/O): the caller runs `render_ticket` through
`devices.blocking.run_blocking` because it costs tens of milliseconds of CPU.
The image is built from blocks stacked top to bottom, each as wide as the
paper, so a block can be tested or reused (the QR code is also used by the
code-page text mode).
"""

from __future__ import annotations

import unicodedata

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.rendering.fonts import load_font
from devices.rendering.pictogram import render_pictogram
from devices.rendering.ticket import TicketPrint, info_lines

#: Printable dots across the head at 203 dpi; other widths can be passed to render_ticket.
PAPER_DOTS = {58: 384, 80: 576}

WHITE, BLACK = 1, 0


def dots_for_paper(paper_mm: int) -> int:
    """Print-head width in dots for a paper width in mm (58 or 80)."""
    try:
        return PAPER_DOTS[paper_mm]
    except KeyError:
        raise ValueError(f"paper_mm must be one of {sorted(PAPER_DOTS)}, not {paper_mm}") from None


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by rendered width; a word wider than the line is broken by characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:
                if line and font.getlength(line + ch) > max_width:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return [ln for ln in lines if ln]


def text_block(
    text: str, width: int, size: int, *, bold: bool = False, invert: bool = False, margin: int = 0
) -> Image.Image:
    """Centred, wrapped lines; each line is given room for stacked marks like Ấ or Ộ."""
    font = load_font(size, bold=bold)
    text = unicodedata.normalize("NFC", text)  # the font has every letter precomposed
    lines = wrap_text(text, font, width - 2 * margin - (size if invert else 0))
    ascent, descent = font.getmetrics()
    gap = max(2, size // 6)
    pad = gap if invert else 0  # an inverted label needs black above and below its text
    placed: list[tuple[str, int]] = []
    y = pad
    for line in lines:
        _, top, _, bottom = font.getbbox(line, anchor="ls")
        baseline = y - min(top, -ascent)
        placed.append((line, baseline))
        y = baseline + max(bottom, descent) + gap
    height = y - gap + pad
    img = Image.new("1", (width, max(height, 1)), BLACK if invert else WHITE)
    draw = ImageDraw.Draw(img)
    for line, baseline in placed:
        draw.text(
            (width // 2, baseline), line, font=font, fill=WHITE if invert else BLACK, anchor="ms"
        )
    return img


def number_block(number: str, width: int, margin: int) -> Image.Image:
    """The ticket number in bold, as wide as the paper allows, cropped to its ink."""
    target = width - 2 * margin
    probe = 100
    size = int(probe * target / max(1.0, load_font(probe, bold=True).getlength(number)))
    size = max(12, min(size, int(width * 0.42)))  # "A1" must not become a square metre of ink
    font = load_font(size, bold=True)
    while size > 12 and font.getlength(number) > target:
        size -= 2
        font = load_font(size, bold=True)
    left, top, right, bottom = font.getbbox(number, anchor="ls")
    img = Image.new("1", (width, bottom - top), WHITE)
    ImageDraw.Draw(img).text(
        ((width - (right - left)) // 2 - left, -top), number, font=font, fill=BLACK, anchor="ls"
    )
    # Long numbers ("HT1024") come out short; stretched up to 1.6x tall they still read at a glance.
    tall = min(int(width * 0.3), int(img.height * 1.6))
    if img.height < tall:
        img = img.resize((width, tall), Image.Resampling.NEAREST)
    return img


def render_qr(data: str, target_px: int) -> Image.Image:
    """A QR code with whole-pixel modules (blurred modules do not scan), at most target_px wide."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    img = Image.new("1", (n, n), WHITE)
    img.putdata([BLACK if cell else WHITE for row in matrix for cell in row])
    scale = max(1, target_px // n)
    return img.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def centred(block: Image.Image, width: int) -> Image.Image:
    """`block` pasted in the middle of a white strip `width` dots wide."""
    out = Image.new("1", (width, block.height), WHITE)
    out.paste(block, ((width - block.width) // 2, 0))
    return out


def rule(width: int, margin: int, thickness: int = 2) -> Image.Image:
    """A horizontal line between sections."""
    img = Image.new("1", (width, thickness), WHITE)
    ImageDraw.Draw(img).rectangle((margin, 0, width - margin - 1, thickness - 1), fill=BLACK)
    return img


def stack(blocks: list[Image.Image | int], width: int) -> Image.Image:
    """Blocks top to bottom; an int in the list is that many dots of blank paper."""
    height = sum(b if isinstance(b, int) else b.height for b in blocks)
    out = Image.new("1", (width, height), WHITE)
    y = 0
    for b in blocks:
        if isinstance(b, int):
            y += b
        else:
            out.paste(b, (0, y))
            y += b.height
    return out


def _number_with_pictogram(t: TicketPrint, width: int, margin: int, gap: int) -> Image.Image:
    """The number, and the field's pictogram beside it (a third of the width) if it has one."""
    if not t.pictogram_svg:
        return number_block(t.number, width, margin)
    try:
        picture = render_pictogram(t.pictogram_svg, int(width * 0.34))
    except (ValueError, SyntaxError):  # a broken drawing must never stop a ticket
        return number_block(t.number, width, margin)
    left = margin + picture.width + gap  # the number's strip starts right of the picture
    number = number_block(t.number, width - left, margin)
    height = max(number.height, picture.height)
    out = Image.new("1", (width, height), WHITE)
    out.paste(picture, (margin, (height - picture.height) // 2))
    out.paste(number, (left, (height - number.height) // 2))
    return out


def render_ticket(t: TicketPrint, width: int = 576) -> Image.Image:
    """The whole ticket as a mode-"1" image `width` dots wide (576 for 80 mm, 384 for 58 mm)."""
    # Sizes are fractions of the width so a 58 mm ticket is the 80 mm one scaled down.
    m = max(8, width // 24)
    small, body = max(14, round(width * 0.04)), max(16, round(width * 0.045))
    gap = max(6, width // 48)
    blocks: list[Image.Image | int] = [gap]
    blocks += [text_block(t.centre_name, width, round(width * 0.05), bold=True, margin=m), gap]
    blocks += [rule(width, m), gap]
    blocks.append(text_block(t.service_name, width, round(width * 0.065), bold=True, margin=m))
    if t.service_name_en:
        blocks.append(text_block(t.service_name_en, width, small, margin=m))
    blocks += [2 * gap, _number_with_pictogram(t, width, m, gap), 2 * gap]
    if t.priority_label:
        # White on black so the clerk and the citizen see a priority ticket at a glance.
        label = text_block(
            t.priority_label, width - 2 * m, round(width * 0.055), bold=True, invert=True
        )
        blocks += [centred(label, width), gap]
    for line in info_lines(t):
        blocks.append(text_block(line, width, body, margin=m))
    blocks += [gap, rule(width, m), gap]
    blocks += [centred(render_qr(t.status_url, int(width * 0.45)), width)]
    blocks += [text_block(t.labels.qr_caption, width, small, margin=m), gap]
    if t.footer:
        blocks += [text_block(t.footer, width, small, margin=m), gap]
    return stack(blocks, width)
