"""A field's pictogram on the printed ticket: the hub's small SVG set (static/pictograms/)
drawn in black and white at any size, without an SVG library.

The shipped pictograms use only what this draws: `<rect>`, `<circle>`, `<polygon>`
and `<line>`, filled black (or white, drawn over black), or outlined with a
`stroke-width`, on a 64 × 64 viewBox.  Anything else in a file is ignored, so a
centre's own drawing in that subset prints too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PIL import Image, ImageDraw

BLACK, WHITE = 0, 1
_NS = "{http://www.w3.org/2000/svg}"


def _number(element: ET.Element, name: str, default: float = 0.0) -> float:
    try:
        return float(element.get(name, default))
    except ValueError:
        return default


def _colour(value: str | None, fallback: int | None) -> int | None:
    if value is None:
        return fallback
    if value == "none":
        return None
    return WHITE if value.lower() in ("white", "#fff", "#ffffff") else BLACK


def render_pictogram(svg: str, size: int) -> Image.Image:
    """A mode-"1" image `size` dots square of the pictogram (white where nothing is drawn)."""
    root = ET.fromstring(svg)
    box = [float(v) for v in (root.get("viewBox") or "0 0 64 64").split()]
    scale = size / max(box[2], box[3])
    default_fill = _colour(root.get("fill"), BLACK)
    img = Image.new("1", (size, size), WHITE)
    draw = ImageDraw.Draw(img)

    def xy(x: float, y: float) -> tuple[float, float]:
        return ((x - box[0]) * scale, (y - box[1]) * scale)

    for element in root.iter():
        tag = element.tag.removeprefix(_NS)
        fill = _colour(element.get("fill"), default_fill)
        stroke = _colour(element.get("stroke"), None)
        width = max(1, round(_number(element, "stroke-width", 1) * scale))
        if tag == "rect":
            x, y = _number(element, "x"), _number(element, "y")
            w, h = _number(element, "width"), _number(element, "height")
            draw.rectangle((*xy(x, y), *xy(x + w, y + h)), fill=fill, outline=stroke, width=width)
        elif tag == "circle":
            cx, cy, r = _number(element, "cx"), _number(element, "cy"), _number(element, "r")
            draw.ellipse(
                (*xy(cx - r, cy - r), *xy(cx + r, cy + r)), fill=fill, outline=stroke, width=width
            )
        elif tag == "polygon":
            values = [float(v) for v in element.get("points", "").replace(",", " ").split()]
            points = [xy(values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
            if len(points) >= 3:
                draw.polygon(points, fill=fill, outline=stroke, width=width)
        elif tag == "line":
            start = xy(_number(element, "x1"), _number(element, "y1"))
            end = xy(_number(element, "x2"), _number(element, "y2"))
            draw.line((start, end), fill=stroke if stroke is not None else fill, width=width)
    return img
