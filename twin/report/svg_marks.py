"""The marks a :mod:`twin.report.svg_chart` panel draws, each as one compact SVG element.

A :class:`Mark` holds its data in data coordinates; :func:`draw_mark` turns it into SVG
given the panel's x and y scales (numpy in, numpy out). Coordinates are written to 1/10 px.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from markupsafe import escape

# matplotlib's house sizes (9.5 / 10.5 / 8.5 pt) at 96 dpi, in px
FONT_PX = 12.7
TITLE_PX = 14.0
SMALL_PX = 11.3

Scale = Callable[[Any], Any]

# DejaVu Sans advance widths in em, by character class (an estimate good to a few %)
_NARROW = {c: 0.30 for c in " .,:;'|!il()[]{}/\\-"}
_NARROW.update({"f": 0.35, "t": 0.39, "r": 0.41, "j": 0.28, "I": 0.30, "J": 0.30})
_WIDE = {c: 0.82 for c in "MWmw%@"}


def text_width(text: str, size: float) -> float:
    """Estimated width in px of ``text`` in DejaVu Sans at ``size`` px."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += _NARROW[ch]
        elif ch in _WIDE:
            em += _WIDE[ch]
        elif ch.isdigit():
            em += 0.64
        elif ch.isupper():
            em += 0.70
        else:
            em += 0.60
    return em * size * 1.04  # a little spare: a clipped label is worse than a wide margin


def num(value: float) -> str:
    """``value`` to 1/10 px, without a trailing ``.0``."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _nums(values: np.ndarray) -> list[str]:
    return [num(v) for v in values.tolist()]


@dataclass
class Mark:
    kind: str
    data: dict[str, Any]

    def extent(self, axis: str) -> list[float]:
        """The data values the mark spans along ``axis`` ("x" or "y"), for autoscaling."""
        d = self.data
        if self.kind == "band":
            keys = ("x",) if axis == "x" else ("lo", "hi")
        elif self.kind == "hbar":
            if axis == "y":
                y = np.asarray(d["y"], float)
                return [float(y.min() - d["height"] / 2), float(y.max() + d["height"] / 2)]
            left = np.asarray(d["left"], float)
            return [float(np.nanmin(left)), float(np.nanmax(left + np.asarray(d["width"])))]
        elif self.kind == "hseg":
            keys = ("x0", "x1") if axis == "x" else ("y",)
        elif self.kind == "xerr":
            keys = ("lo", "hi") if axis == "x" else ("y",)
        elif self.kind == "yerr":
            keys = ("x",) if axis == "x" else ("lo", "hi")
        elif self.kind == "cells":
            rows, cols = np.asarray(d["colours"]).shape
            return [-0.5, (cols if axis == "x" else rows) - 0.5]
        else:
            keys = (axis,)
        values = np.concatenate([np.asarray(d[k], float).ravel() for k in keys])
        values = values[np.isfinite(values)]
        return [float(values.min()), float(values.max())] if values.size else []


def draw_mark(mark: Mark, sx: Scale, sy: Scale) -> str:
    return _DRAW[mark.kind](mark.data, sx, sy)


def _stroke(d: dict[str, Any], width: float = 1.6) -> str:
    attrs = f' stroke="{d["colour"]}" stroke-width="{num(d.get("width", width))}" fill="none"'
    if d.get("dash"):
        attrs += f' stroke-dasharray="{d["dash"]}"'
    if d.get("opacity", 1.0) < 1.0:
        attrs += f' stroke-opacity="{d["opacity"]}"'
    return attrs


def _line(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """A polyline through (x, y), or steps (each value held to the next x) with ``step``;
    NaN breaks the line."""
    x, y = sx(d["x"]), sy(d["y"])
    parts: list[str] = []
    pen_up = True
    xs, ys = _nums(x), _nums(y)
    finite = np.isfinite(x) & np.isfinite(y)
    for i in range(len(xs)):
        if not finite[i]:
            pen_up = True
            continue
        if pen_up:
            parts.append(f"M{xs[i]} {ys[i]}")
            pen_up = False
        elif d.get("step"):
            parts.append(f"H{xs[i]}V{ys[i]}")
        else:
            parts.append(f"L{xs[i]} {ys[i]}")
    if not parts:
        return ""
    return f'<path class="line" d="{"".join(parts)}"{_stroke(d)}/>'


def _band(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """The area between ``lo`` and ``hi`` (steps with ``step``)."""
    x, lo, hi = np.asarray(d["x"], float), np.asarray(d["lo"], float), np.asarray(d["hi"], float)
    keep = np.isfinite(lo) & np.isfinite(hi)
    x, lo, hi = x[keep], lo[keep], hi[keep]
    if x.size == 0:
        return ""
    if d.get("step"):
        x = np.repeat(x, 2)[1:]
        lo, hi = np.repeat(lo, 2)[:-1], np.repeat(hi, 2)[:-1]
    xs, top, bottom = _nums(sx(x)), _nums(sy(hi)), _nums(sy(lo))
    path = "M" + "L".join(f"{a} {b}" for a, b in zip(xs, top, strict=True))
    path += "L" + "L".join(f"{a} {b}" for a, b in zip(xs[::-1], bottom[::-1], strict=True)) + "Z"
    return (
        f'<path class="band" d="{path}" fill="{d["colour"]}" fill-opacity="{d.get("alpha", 0.2)}"/>'
    )


def _hbar(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    y = np.asarray(d["y"], float)
    left = np.asarray(d["left"], float)
    right = left + np.asarray(d["width"], float)
    top, bottom = sy(y + d["height"] / 2), sy(y - d["height"] / 2)
    x0, x1 = sx(left), sx(right)
    path = "".join(
        f"M{num(a)} {num(t)}H{num(b)}V{num(bt)}H{num(a)}Z"
        for a, b, t, bt in zip(x0.tolist(), x1.tolist(), top.tolist(), bottom.tolist(), strict=True)
        if math.isfinite(a) and math.isfinite(b) and b > a
    )
    edge = f' stroke="{d["edge"]}" stroke-width="0.5"' if d.get("edge") else ""
    return f'<path class="bar" d="{path}" fill="{d["colour"]}"{edge}/>' if path else ""


def _hseg(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Horizontal segments from ``x0`` to ``x1`` at each ``y`` (NaN ends are skipped)."""
    y, x0, x1 = sy(d["y"]), sx(d["x0"]), sx(d["x1"])
    path = "".join(
        f"M{num(a)} {num(c)}H{num(b)}"
        for a, b, c in zip(x0.tolist(), x1.tolist(), y.tolist(), strict=True)
        if math.isfinite(a) and math.isfinite(b)
    )
    return f'<path class="seg" d="{path}"{_stroke(d)}/>' if path else ""


def _marker_path(shape: str, x: float, y: float, r: float) -> str:
    h = r * 0.9
    if shape == "s":
        return f"M{num(x - h)} {num(y - h)}h{num(2 * h)}v{num(2 * h)}h{num(-2 * h)}Z"
    if shape == "D":
        return f"M{num(x)} {num(y - r)}l{num(r)} {num(r)}l{num(-r)} {num(r)}l{num(-r)} {num(-r)}Z"
    if shape in ("^", "v"):
        s = -1 if shape == "^" else 1
        return f"M{num(x)} {num(y + s * r)}L{num(x + r)} {num(y - s * r * 0.8)}H{num(x - r)}Z"
    if shape in ("x", "X"):
        d, e = num(2 * h), num(-2 * h)
        return f"M{num(x - h)} {num(y - h)}l{d} {d}m0 {e}l{e} {d}"
    if shape in ("P", "+"):
        return f"M{num(x - r)} {num(y)}h{num(2 * r)}M{num(x)} {num(y - r)}v{num(2 * r)}"
    if shape == "|":
        return f"M{num(x)} {num(y - r)}v{num(2 * r)}"
    if shape == "*":
        points = [
            (x + (r if k % 2 == 0 else r * 0.45) * math.sin(k * math.pi / 5),
             y - (r if k % 2 == 0 else r * 0.45) * math.cos(k * math.pi / 5))
            for k in range(10)
        ]  # fmt: skip
        return "M" + "L".join(f"{num(a)} {num(b)}" for a, b in points) + "Z"
    a = f"{num(r)} {num(r)} 0 1 0"
    return f"M{num(x - r)} {num(y)}a{a} {num(2 * r)} 0a{a} {num(-2 * r)} 0Z"


def _markers(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Markers ``size`` px across (``sizes``: one per point), filled unless line-only."""
    x, y = sx(d["x"]), sy(d["y"])
    sizes = np.broadcast_to(np.asarray(d.get("sizes", d.get("size", 7.0)), float), x.shape)
    shape = d.get("shape", "o")
    path = "".join(
        _marker_path(shape, a, b, s / 2)
        for a, b, s in zip(x.tolist(), y.tolist(), sizes.tolist(), strict=True)
        if math.isfinite(a) and math.isfinite(b)
    )
    if not path:
        return ""
    if shape in ("x", "|", "+"):
        stroke = f'stroke="{d["colour"]}" stroke-width="1.4" fill="none"'
        return f'<path class="marker" d="{path}" {stroke}/>'
    edge = d.get("edge") or ""
    attrs = f' fill="{d["colour"]}"'
    if d.get("alpha", 1.0) < 1.0:
        attrs += f' fill-opacity="{d["alpha"]}"'
    if edge:
        attrs += f' stroke="{edge}" stroke-width="{d.get("edgewidth", 0.6)}"'
    return f'<path class="marker" d="{path}"{attrs}/>'


def _xerr(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Horizontal error bars from ``lo`` to ``hi`` (already clipped to the KPI's bounds),
    with caps ``cap`` px high."""
    lo, hi, y = sx(d["lo"]), sx(d["hi"]), sy(d["y"])
    cap = d.get("cap", 4.0)
    path = "".join(
        f"M{num(a)} {num(c)}H{num(b)}M{num(a)} {num(c - cap)}v{num(2 * cap)}"
        f"M{num(b)} {num(c - cap)}v{num(2 * cap)}"
        for a, b, c in zip(lo.tolist(), hi.tolist(), y.tolist(), strict=True)
        if math.isfinite(a) and math.isfinite(b) and b > a
    )
    return f'<path class="err" d="{path}"{_stroke(d, 1.0)}/>' if path else ""


def _yerr(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Vertical error bars from ``lo`` to ``hi`` (already clipped) at each x, capped."""
    x, lo, hi = sx(d["x"]), sy(d["lo"]), sy(d["hi"])
    cap = d.get("cap", 3.3)
    path = "".join(
        f"M{num(a)} {num(b)}V{num(c)}M{num(a - cap)} {num(b)}h{num(2 * cap)}"
        f"M{num(a - cap)} {num(c)}h{num(2 * cap)}"
        for a, b, c in zip(x.tolist(), lo.tolist(), hi.tolist(), strict=True)
        if math.isfinite(a) and math.isfinite(b) and math.isfinite(c) and b != c
    )
    return f'<path class="err" d="{path}"{_stroke(d, 1.2)}/>' if path else ""


def _cells(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """A heat map: ``colours[i][j]`` fills the unit cell centred on (x=j, y=i)."""
    colours = np.asarray(d["colours"])
    rows, cols = colours.shape
    xs, ys = sx(np.arange(cols + 1) - 0.5), sy(np.arange(rows + 1) - 0.5)
    by_colour: dict[str, list[str]] = {}
    for i in range(rows):
        top, bottom = min(ys[i], ys[i + 1]), max(ys[i], ys[i + 1])
        for j in range(cols):
            by_colour.setdefault(str(colours[i, j]), []).append(
                f"M{num(xs[j])} {num(top)}H{num(xs[j + 1])}V{num(bottom)}H{num(xs[j])}Z"
            )
    return "".join(
        f'<path class="cell" d="{"".join(parts)}" fill="{colour}"/>'
        for colour, parts in sorted(by_colour.items())
    )


def _circle(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Circles of radius ``r`` in x data units around (x, y) (equal-aspect panels)."""
    x, y = sx(d["x"]), sy(d["y"])
    r = float(abs(sx(d["r"]) - sx(0.0)))
    path = "".join(
        f"M{num(a - r)} {num(b)}a{num(r)} {num(r)} 0 1 0 {num(2 * r)} 0"
        f"a{num(r)} {num(r)} 0 1 0 {num(-2 * r)} 0"
        for a, b in zip(x.tolist(), y.tolist(), strict=True)
    )
    return f'<path class="circle" d="{path}"{_stroke(d, 0.5)}/>' if path else ""


def _texts(d: dict[str, Any], sx: Scale, sy: Scale) -> str:
    """Labels at (x, y) shifted by (dx, dy) px; ``anchor`` start | middle | end."""
    x, y = sx(d["x"]), sy(d["y"])
    size = d.get("size", SMALL_PX)
    anchor = d.get("anchor", "start")
    extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
    if d.get("colour"):
        extra += f' fill="{d["colour"]}"'
    return "".join(
        f'<text x="{num(a + d.get("dx", 0))}" y="{num(b + d.get("dy", 0))}"'
        f' font-size="{num(size)}"{extra}>{escape(s)}</text>'
        for a, b, s in zip(x.tolist(), y.tolist(), d["text"], strict=True)
        if math.isfinite(a) and math.isfinite(b)
    )


_DRAW: dict[str, Callable[[dict[str, Any], Scale, Scale], str]] = {
    "line": _line,
    "band": _band,
    "hbar": _hbar,
    "hseg": _hseg,
    "markers": _markers,
    "xerr": _xerr,
    "yerr": _yerr,
    "cells": _cells,
    "circle": _circle,
    "text": _texts,
}
