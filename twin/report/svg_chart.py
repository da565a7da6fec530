"""Charts written as SVG straight from numbers: no matplotlib, text as text.

A :class:`Chart` is a grid of :class:`Panel` s. A panel collects marks in data coordinates
(lines, steps, bands, bars, segments, markers, error bars, heat cells, circles, text); the
chart lays the panels out once every tick label is known (label widths are estimated from
DejaVu Sans' average advance widths, so margins fit the labels without a font engine) and
writes one compact ``<svg>``. Panels also keep what they drew (:meth:`Panel.count`, titles,
tick labels, legend labels) so tests can read a chart as they would a matplotlib Axes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from twin.report.svg_legend import (
    AXIS,
    LegendEntry,
    colourbar,
    figure_legend,
    legend_layout,
    legend_row_h,
    legend_width,
    panel_legend,
    svg_text,
)
from twin.report.svg_marks import FONT_PX, SMALL_PX, TITLE_PX, Mark, draw_mark, num, text_width

GRID = "#dddddd"
TICKS_WANTED = 6


def nice_ticks(lo: float, hi: float, wanted: int = TICKS_WANTED) -> np.ndarray:
    """Round tick values (1, 2, 2.5 or 5 x 10^k apart) covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo if math.isfinite(lo) else 0.0])
    raw = (hi - lo) / max(1, wanted - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return np.round(ticks, 12)


def tick_label(value: float, ticks: np.ndarray) -> str:
    """``value`` with as many decimals as the tick spacing needs, thousands separated."""
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else abs(value) or 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text.replace("-", "−")


@dataclass
class Panel:
    """One set of axes: marks in data coordinates plus title, labels, ticks and legend."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    xticks: list[tuple[float, str]] | None = None
    yticks: list[tuple[float, str]] | None = None
    grid_x: bool = True
    grid_y: bool = True
    equal_aspect: bool = False
    clip: bool = False
    legend: list[LegendEntry] = field(default_factory=list)
    legend_title: str = ""
    legend_right: bool = True
    y2label: str = ""
    y2colour: str = AXIS
    marks: list[Mark] = field(default_factory=list)
    marks2: list[Mark] = field(default_factory=list)
    ylim2: tuple[float, float] | None = None
    title_size: float = TITLE_PX
    tick_size: float = FONT_PX
    xtick_size: float = FONT_PX

    def add(self, kind: str, secondary: bool = False, **data: Any) -> None:
        (self.marks2 if secondary else self.marks).append(Mark(kind, data))

    def count(self, kind: str) -> int:
        return sum(1 for m in (*self.marks, *self.marks2) if m.kind == kind)

    def limits(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """(x, y, secondary y) limits: the set ones, else the marks' extent."""
        return (
            self.xlim or _extent(self.marks, "x"),
            self.ylim or _extent(self.marks, "y"),
            self.ylim2 or _extent(self.marks2, "y"),
        )

    def x_ticks(self, width_px: float = 600.0) -> list[tuple[float, str]]:
        wanted = max(3, int(width_px / 75))
        return self.xticks if self.xticks is not None else _auto_ticks(self.limits()[0], wanted)

    def y_ticks(self, height_px: float = 240.0) -> list[tuple[float, str]]:
        wanted = max(4, int(height_px / 32))
        return self.yticks if self.yticks is not None else _auto_ticks(self.limits()[1], wanted)

    def y2_ticks(self, height_px: float = 240.0) -> list[tuple[float, str]]:
        wanted = max(4, int(height_px / 32))
        return _auto_ticks(self.limits()[2], wanted) if self.marks2 else []

    def legend_labels(self) -> list[str]:
        return [e.label for e in self.legend]


def wrap_text(text: str, width_px: float, size: float) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width_px`` (estimated) at ``size``."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit_text(text: str, width_px: float, size: float) -> str:
    """``text``, cut with an ellipsis to at most ``width_px`` (estimated) at ``size``."""
    if text_width(text, size) <= width_px:
        return text
    while text and text_width(text + "…", size) > width_px:
        text = text[:-1]
    return text.rstrip() + "…"


def _extent(marks: list[Mark], axis: str) -> tuple[float, float]:
    values = [v for m in marks for v in m.extent(axis)]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return (0.0, 1.0)
    lo, hi = min(finite), max(finite)
    if hi == lo:  # one value (a difference of zero, a flat line): centre it
        pad = abs(lo) * 0.1 or 1.0
        return (lo - pad, hi + pad)
    pad = 0.04 * (hi - lo)
    return (lo - pad, hi + pad)


def _auto_ticks(limits: tuple[float, float], wanted: int) -> list[tuple[float, str]]:
    ticks = nice_ticks(*limits, wanted=wanted)
    ticks = ticks[(ticks >= limits[0] - 1e-9) & (ticks <= limits[1] + 1e-9)]
    return [(float(t), tick_label(float(t), ticks)) for t in ticks]


@dataclass
class Chart:
    """A figure ``width_px`` wide: panels in ``ncols`` columns, a title, an optional legend
    along the bottom and an optional colour bar on the right."""

    width_px: float
    panel_height_px: float
    ncols: int = 1
    title: str = ""
    panels: list[Panel] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    legend_top: bool = False
    legend_ncols: int = 3
    colourbar: tuple[str, list[str]] | None = None  # label, colours low -> high

    def panel(self, **kwargs: Any) -> Panel:
        self.panels.append(Panel(**kwargs))
        return self.panels[-1]

    def to_svg(self, fig_id: str, alt: str) -> Markup:
        """The chart as an inline ``<svg>`` (ids prefixed with ``fig_id``; ``alt`` names it)."""
        out: list[str] = []
        top = 0.0
        for i, line in enumerate(wrap_text(self.title, self.width_px - 12, TITLE_PX * 1.2)):
            out.append(svg_text(6, 17 + 18 * i, line, TITLE_PX, weight="bold"))
            top = 26.0 + 18 * i
        row_h = legend_row_h(self.legend)
        n_rows = len(legend_layout(self.legend, self.legend_ncols, self.width_px))
        legend_h = n_rows * row_h + (6 if self.legend else 0)
        if self.legend and self.legend_top:
            out.append(figure_legend(self.legend, self.legend_ncols, top, self.width_px))
            top += legend_h
        nrows = max(1, math.ceil(len(self.panels) / self.ncols))
        bar_w = 80.0 if self.colourbar else 0.0
        cell_w = (self.width_px - bar_w) / self.ncols
        for i, panel in enumerate(self.panels):
            row, col = divmod(i, self.ncols)
            box = (col * cell_w, top + row * self.panel_height_px, cell_w, self.panel_height_px)
            out.append(_draw_panel(panel, box, f"{fig_id}-c{i}"))
        bottom = top + nrows * self.panel_height_px
        if self.colourbar:
            out.append(colourbar(*self.colourbar, self.width_px - bar_w, top, bottom))
        if self.legend and not self.legend_top:
            out.append(figure_legend(self.legend, self.legend_ncols, bottom + 4, self.width_px))
            bottom += legend_h + 4
        height = bottom + 4
        label = str(escape(alt))
        head = (
            f'<svg role="img" aria-label="{label}" class="chart" xmlns="http://www.w3.org/2000/svg"'
            f' width="{num(self.width_px)}" height="{num(height)}"'
            f' viewBox="0 0 {num(self.width_px)} {num(height)}"'
            f' font-family="DejaVu Sans, Verdana, sans-serif" font-size="{num(FONT_PX)}">'
            f"<title>{label}</title>"
        )
        return Markup(head + "".join(out) + "</svg>")


def _draw_panel(panel: Panel, box: tuple[float, float, float, float], clip_id: str) -> str:
    """Axes, grid, ticks, labels, marks and legend of ``panel`` inside ``box`` (x, y, w, h)."""
    bx, by, bw, bh = box
    (x0, x1), (y0, y1), (z0, z1) = panel.limits()
    plot_h = bh - (24.0 if panel.title else 8.0) - (46.0 if panel.xlabel else 26.0)
    yt, zt = panel.y_ticks(plot_h), panel.y2_ticks(plot_h)
    left = 8 + max([text_width(t, panel.tick_size) for _, t in yt] + [0]) + 6
    left += 20 if panel.ylabel else 0
    right = 10.0
    if zt:
        right += (
            8 + max(text_width(t, panel.tick_size) for _, t in zt) + (20 if panel.y2label else 0)
        )
    if panel.legend and panel.legend_right:
        right += 10 + legend_width(panel.legend, panel.legend_title)
    top = 24.0 if panel.title else 8.0
    bottom = 26.0 + (20.0 if panel.xlabel else 0.0)
    px0, px1 = bx + left, bx + bw - right
    xt = panel.x_ticks(px1 - px0)
    py0, py1 = by + top, by + bh - bottom
    if panel.equal_aspect and x1 > x0 and y1 > y0:
        scale = min((px1 - px0) / (x1 - x0), (py1 - py0) / (y1 - y0))
        cx, cy = (px0 + px1) / 2, (py0 + py1) / 2
        half_w, half_h = scale * (x1 - x0) / 2, scale * (y1 - y0) / 2
        px0, px1, py0, py1 = cx - half_w, cx + half_w, cy - half_h, cy + half_h

    def sx(v: Any) -> Any:
        return px0 + (np.asarray(v, dtype=float) - x0) * ((px1 - px0) / ((x1 - x0) or 1.0))

    def sy(v: Any) -> Any:
        return py1 - (np.asarray(v, dtype=float) - y0) * ((py1 - py0) / ((y1 - y0) or 1.0))

    def sz(v: Any) -> Any:
        return py1 - (np.asarray(v, dtype=float) - z0) * ((py1 - py0) / ((z1 - z0) or 1.0))

    out = []
    inside_x = [(float(sx(v)), t) for v, t in xt if x0 - 1e-9 <= v <= x1 + 1e-9]
    inside_y = [(float(sy(v)), t) for v, t in yt if y0 - 1e-9 <= v <= y1 + 1e-9]
    grid = "".join(f"M{num(x)} {num(py0)}V{num(py1)}" for x, _ in inside_x if panel.grid_x)
    grid += "".join(f"M{num(px0)} {num(y)}H{num(px1)}" for y, _ in inside_y if panel.grid_y)
    if grid:
        out.append(f'<path d="{grid}" stroke="{GRID}" stroke-width="0.6" fill="none"/>')
    clip = ""
    if panel.clip:
        out.append(
            f'<clipPath id="{clip_id}"><rect x="{num(px0)}" y="{num(py0)}"'
            f' width="{num(px1 - px0)}" height="{num(py1 - py0)}"/></clipPath>'
        )
        clip = f' clip-path="url(#{clip_id})"'
    out.append(f"<g{clip}>")
    out.extend(draw_mark(m, sx, sy) for m in panel.marks)
    out.extend(draw_mark(m, sx, sz) for m in panel.marks2)
    out.append("</g>")
    axes = f"M{num(px0)} {num(py0)}V{num(py1)}H{num(px1)}"
    if zt:
        axes += f"M{num(px1)} {num(py0)}V{num(py1)}"
    out.append(f'<path d="{axes}" stroke="{AXIS}" stroke-width="0.8" fill="none"/>')
    for x, t in inside_x:
        out.append(f'<path d="M{num(x)} {num(py1)}v4" stroke="{AXIS}"/>')
        out.append(svg_text(x, py1 + 17, t, panel.xtick_size, anchor="middle"))
    for y, t in inside_y:
        out.append(f'<path d="M{num(px0)} {num(y)}h-4" stroke="{AXIS}"/>')
        out.append(svg_text(px0 - 7, y + 4, t, panel.tick_size, anchor="end"))
    for v, t in zt:
        if z0 - 1e-9 <= v <= z1 + 1e-9:
            y = float(sz(v))
            out.append(f'<path d="M{num(px1)} {num(y)}h4" stroke="{panel.y2colour}"/>')
            out.append(svg_text(px1 + 7, y + 4, t, panel.tick_size, colour=panel.y2colour))
    if panel.xlabel:
        out.append(svg_text((px0 + px1) / 2, py1 + 38, panel.xlabel, anchor="middle"))
    if panel.ylabel:
        out.append(svg_text(bx + 14, (py0 + py1) / 2, panel.ylabel, anchor="middle", rotate=True))
    if panel.y2label:
        z_w = max(text_width(t, panel.tick_size) for _, t in zt)
        out.append(
            svg_text(
                px1 + 22 + z_w,
                (py0 + py1) / 2,
                panel.y2label,
                SMALL_PX,
                anchor="middle",
                colour=panel.y2colour,
                rotate=True,
            )
        )
    if panel.title:
        title = fit_text(panel.title, bx + bw - px0 - 4, panel.title_size * 1.2)
        out.append(svg_text(px0, by + 16, title, panel.title_size, weight="bold"))
    if panel.legend:
        width = legend_width(panel.legend, panel.legend_title)
        lx = bx + bw - width - 4 if panel.legend_right else px0 + 8
        out.append(panel_legend(panel.legend, panel.legend_title, lx, py0 + 6))
    return "".join(out)
