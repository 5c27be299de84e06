"""Reading ESC/POS bytes back: images, cuts, code page, status queries and text.

Enough of the command set to check what motcua (through python-escpos) sends:
raster images (GS v 0, and GS ( L graphics; escpos's `image()` defaults to
GS v 0 and we force it), column images (ESC *), paper cuts (GS V), code-page
selection (ESC t), DLE EOT queries, style commands (skipped) and text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10
# ESC x and GS x commands with one argument byte; ESC @ and ESC 2 have none.
_ESC_ONE_ARG = set(b"!-2EGJMRSTUVacdelpqrtuv{ 3")
_GS_ONE_ARG = set(b"!BHIbfhwaEr")


@dataclass
class Command:
    kind: str  # "raster", "cut", "codepage", "status", "init", "text", "style", "feed"
    arg: int | None = None
    image: Image.Image | None = None
    data: bytes = b""
    raw: bytes = field(default=b"", repr=False)


def _raster(width_bytes: int, height: int, data: bytes) -> Image.Image:
    # ESC/POS bit 1 = black dot; PIL's "1;I" raw mode reads exactly that (1 = black).
    return Image.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")


def decode(stream: bytes) -> list[Command]:
    out: list[Command] = []
    text = bytearray()
    i, n = 0, len(stream)

    def flush_text() -> None:
        if text:
            out.append(Command("text", data=bytes(text)))
            text.clear()

    while i < n:
        b = stream[i]
        if b == GS and stream[i + 1 : i + 3] == b"v0":
            m, xl, xh, yl, yh = stream[i + 3 : i + 8]
            wb, h = xl + 256 * xh, yl + 256 * yh
            end = i + 8 + wb * h
            flush_text()
            if end > n:  # still arriving: say so instead of inventing pixels
                out.append(Command("truncated", data=stream[i:]))
                break
            out.append(Command("raster", arg=m, image=_raster(wb, h, stream[i + 8 : end])))
            i = end
        elif b == GS and stream[i + 1 : i + 2] == b"(":
            size = stream[i + 3] + 256 * stream[i + 4]
            payload = stream[i + 5 : i + 5 + size]
            flush_text()
            if (
                stream[i + 2 : i + 3] == b"L" and payload[1:2] == b"p"
            ):  # GS ( L fn 112: store graphics
                w = payload[6] + 256 * payload[7]
                h = payload[8] + 256 * payload[9]
                out.append(Command("raster", image=_raster((w + 7) // 8, h, payload[10:])))
            else:
                out.append(Command("style", raw=stream[i : i + 5 + size]))
            i += 5 + size
        elif b == GS and stream[i + 1 : i + 2] == b"V":
            m = stream[i + 2]
            length = 4 if m in (65, 66) else 3
            flush_text()
            out.append(Command("cut", arg=m))
            i += length
        elif b == ESC and stream[i + 1 : i + 2] == b"*":
            m, nl, nh = stream[i + 2 : i + 5]
            cols = nl + 256 * nh
            length = cols * (3 if m in (32, 33) else 1)
            flush_text()
            out.append(Command("column_image", arg=m, data=stream[i + 5 : i + 5 + length]))
            i += 5 + length
        elif b == ESC:
            c = stream[i + 1]
            if c == ord("@"):
                flush_text()
                out.append(Command("init"))
                i += 2
                continue
            if c == ord("2"):
                i += 2
                continue
            arg = stream[i + 2] if c in _ESC_ONE_ARG else None
            if c == ord("t"):
                out.append(Command("codepage", arg=arg))
            elif c == ord("d"):
                out.append(Command("feed", arg=arg))
            else:
                out.append(Command("style", arg=arg, raw=stream[i : i + 3]))
            i += 3
        elif b == GS and stream[i + 1] in _GS_ONE_ARG:
            out.append(Command("style", arg=stream[i + 2], raw=stream[i : i + 3]))
            i += 3
        elif b == DLE and stream[i + 1 : i + 2] == b"\x04":
            flush_text()
            out.append(Command("status", arg=stream[i + 2]))
            i += 3
        else:
            text.append(b)
            i += 1
    flush_text()
    return out


def rasters(stream: bytes) -> list[Image.Image]:
    return [c.image for c in decode(stream) if c.kind == "raster"]


def ticket_image(stream: bytes) -> Image.Image:
    """All raster fragments of a stream stacked (escpos splits tall images every 960 rows)."""
    parts = rasters(stream)
    if not parts:
        raise AssertionError("no raster image in the stream")
    width = parts[0].width
    assert all(p.width == width for p in parts), [p.width for p in parts]
    out = Image.new("1", (width, sum(p.height for p in parts)), 1)
    y = 0
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    return out


def cuts(stream: bytes) -> list[int]:
    return [c.arg for c in decode(stream) if c.kind == "cut"]


def text(stream: bytes, encoding: str = "cp1258") -> str:
    return "".join(
        c.data.decode(encoding, errors="replace") for c in decode(stream) if c.kind == "text"
    )
