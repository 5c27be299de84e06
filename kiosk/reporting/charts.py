"""Charts for the report page, drawn on the server as inline SVG: no chart
library, nothing loaded from the internet, readable without JavaScript.
Every text is escaped; the page styles the bars through their classes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 44


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    css: str  # bar class: the page's CSS gives the colour


def _axis_step(peak: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) so that four steps reach `peak`."""
    if peak <= 0:
        return 1
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value:,.0f}".replace(",", ".")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    integers: bool = False,
) -> Markup:
    """Grouped vertical bars, one group per category, with a legend."""
    peak = max([v or 0 for s in series for v in s.values] + [0])
    step = _axis_step(peak)
    if integers:
        step = max(1, math.ceil(step))
    top = 4 * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = step * tick
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/><text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{escape(_number(value))}</text>'
        )
    for i, category in enumerate(categories):
        x0 = LEFT + i * slot + slot * 0.1
        for j, line in enumerate(series):
            value = line.values[i]
            if value is None:
                continue
            x = x0 + j * bar_w
            parts.append(
                f'<rect class="bar {escape(line.css)}" x="{x:.1f}" y="{y(value):.1f}" '
                f'width="{bar_w - 1:.1f}" height="{TOP + plot_h - y(value):.1f}">'
                f"<title>{escape(category)} · {escape(line.label)}: "
                f"{escape(_number(value))}{escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text class="axis" x="{LEFT + (i + 0.5) * slot:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    legend_x = LEFT
    for line in series:
        parts.append(
            f'<rect class="bar {escape(line.css)}" x="{legend_x}" y="{HEIGHT - 18}" width="12" '
            f'height="12"/><text class="legend" x="{legend_x + 16}" y="{HEIGHT - 8}">'
            f"{escape(line.label)}</text>"
        )
        legend_x += 24 + 8 * len(line.label)
    parts.append("</svg>")
    return Markup("".join(parts))


def share_bar(title: str, parts_: Sequence[tuple[str, int, str]]) -> Markup:
    """One horizontal bar split by share, e.g. ratings from "very satisfied" to "very dissatisfied"."""
    total = sum(n for _, n, _ in parts_)
    height = 56
    out = [
        f'<svg class="chart share" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = 0.0
    for label, count, css in parts_:
        if not total or not count:
            continue
        width = WIDTH * count / total
        share = f"{100 * count / total:.0f}%"
        out.append(
            f'<rect class="bar {escape(css)}" x="{x:.1f}" y="4" width="{width:.1f}" height="28">'
            f"<title>{escape(label)}: {count} ({share})</title></rect>"
        )
        if width > 40:
            out.append(
                f'<text class="inbar" x="{x + width / 2:.1f}" y="23" text-anchor="middle">'
                f"{share}</text>"
            )
        x += width
    out.append("</svg>")
    return Markup("".join(out))
