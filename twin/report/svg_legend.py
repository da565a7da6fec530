"""Legends, colour bars and text of :mod:`twin.report.svg_chart`, as SVG strings.

A legend entry is drawn as a 20 px sample (a line, a patch or a marker) and its label; a
figure legend flows its entries into centred rows that fit the chart's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import escape

from twin.report.svg_marks import FONT_PX, SMALL_PX, Mark, draw_mark, num, text_width

AXIS = "#333333"


@dataclass
class LegendEntry:
    label: str
    colour: str
    kind: str = "line"  # line | patch | marker
    marker: str = ""
    dash: str = ""
    size: float = 7.0  # marker size in px
    edge: str = ""
    width: float = 1.6  # line width in px
    alpha: float = 1.0  # patch opacity


def svg_text(
    x: float,
    y: float,
    s: str,
    size: float = FONT_PX,
    anchor: str = "start",
    weight: str = "",
    colour: str = "",
    rotate: bool = False,
) -> str:
    attrs = f'x="{num(x)}" y="{num(y)}"'
    if size != FONT_PX:
        attrs += f' font-size="{num(size)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if colour:
        attrs += f' fill="{colour}"'
    if rotate:
        attrs += f' transform="rotate(-90 {num(x)} {num(y)})"'
    return f"<text {attrs}>{escape(s)}</text>"


def legend_row_h(entries: Sequence[LegendEntry]) -> float:
    return max([18.0] + [e.size + 4 for e in entries if e.kind == "marker"])


def legend_key(entry: LegendEntry, x: float, y: float) -> str:
    """The little sample of a legend entry, 22 px wide, centred on ``y``."""
    if entry.kind == "patch":
        opacity = f' fill-opacity="{entry.alpha}"' if entry.alpha < 1 else ""
        return f'<path d="M{num(x)} {num(y - 5)}h20v10h-20Z" fill="{entry.colour}"{opacity}/>'
    if entry.kind == "marker":
        return draw_mark(
            Mark(
                "markers",
                {
                    "x": np.zeros(1),
                    "y": np.zeros(1),
                    "shape": entry.marker,
                    "size": entry.size,
                    "colour": entry.colour,
                    "edge": entry.edge,
                },
            ),
            lambda v: x + 10 + 0 * v,
            lambda v: y + 0 * v,
        )
    dash = f' stroke-dasharray="{entry.dash}"' if entry.dash else ""
    return (
        f'<path d="M{num(x)} {num(y)}h20" stroke="{entry.colour}"'
        f' stroke-width="{num(entry.width)}"{dash} fill="none"/>'
    )


def legend_width(entries: Sequence[LegendEntry], title: str = "") -> float:
    widest = max([text_width(e.label, SMALL_PX) for e in entries] + [text_width(title, SMALL_PX)])
    return 34 + widest


def panel_legend(entries: Sequence[LegendEntry], title: str, x: float, y: float) -> str:
    out = []
    if title:
        out.append(svg_text(x, y + 4, title, SMALL_PX))
        y += 16
    for entry in entries:
        out.append(legend_key(entry, x, y))
        out.append(svg_text(x + 26, y + 4, entry.label, SMALL_PX))
        y += 16
    return "".join(out)


def legend_layout(
    entries: Sequence[LegendEntry], ncols: int, width: float
) -> list[list[tuple[LegendEntry, float]]]:
    """Rows of (entry, width): at most ``ncols`` a row, each as wide as its label, as many as
    fit in ``width``."""
    rows: list[list[tuple[LegendEntry, float]]] = [[]]
    used = 0.0
    for entry in entries:
        w = legend_width([entry]) + 16
        if rows[-1] and (len(rows[-1]) >= ncols or used + w > width - 12):
            rows.append([])
            used = 0.0
        rows[-1].append((entry, w))
        used += w
    return rows if rows[0] else []


def figure_legend(entries: Sequence[LegendEntry], ncols: int, top: float, width: float) -> str:
    row_h = legend_row_h(entries)
    out = []
    for r, row in enumerate(legend_layout(entries, ncols, width)):
        x = max(6.0, (width - sum(w for _, w in row)) / 2)
        y = top + row_h / 2 + r * row_h
        for entry, w in row:
            out.append(legend_key(entry, x, y))
            out.append(svg_text(x + 26, y + 4, entry.label, SMALL_PX))
            x += w
    return "".join(out)


def colourbar(label: str, colours: list[str], x: float, top: float, bottom: float) -> str:
    y0, y1 = top + 30, bottom - 46
    step = (y1 - y0) / len(colours)
    out = [
        f'<rect x="{num(x + 10)}" y="{num(y1 - (i + 1) * step)}" width="14"'
        f' height="{num(step + 0.5)}" fill="{c}"/>'
        for i, c in enumerate(colours)
    ]
    for value in (0.0, 0.5, 1.0):
        y = y1 - value * (y1 - y0)
        out.append(f'<path d="M{num(x + 24)} {num(y)}h3" stroke="{AXIS}"/>')
        out.append(svg_text(x + 31, y + 4, f"{value:.1f}", SMALL_PX))
    out.append(svg_text(x + 66, (y0 + y1) / 2, label, SMALL_PX, anchor="middle", rotate=True))
    return "".join(out)
