"""Sizing-page figure: a KPI (mean ± 95 % CI) against capacity, a line per demand scale.

A pure function from the sizing curve to a :class:`~twin.report.svg_chart.Chart` (SVG written
from numpy, no matplotlib).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.report.fmt import display_scale, display_unit, unit_of
from twin.report.palette import (
    MARKERS,
    NEUTRAL_COLOUR,
    SIGNIFICANT_COLOUR,
    WIDTH_PX,
    clipped_errors,
    colour,
    first_text,
)
from twin.report.svg_chart import Chart, LegendEntry


def sizing_figure(
    curve: pd.DataFrame, kpi: str, recommended: float | dict[float, float] | None = None
) -> Chart:
    """KPI mean ± 95 % CI against capacity, a line per demand scale, the target as a dashed
    line and the recommended capacity (``{demand scale: capacity}``, or one number) as a
    dotted line per demand scale in that scale's colour. Filled markers meet the target."""
    data = curve[curve["kpi"] == kpi].sort_values(["demand_scale", "capacity"])
    unit = unit_of(kpi)
    scale = display_scale(unit)
    resource = first_text(data["resource"]) or "capacity"
    shown = display_unit(unit, "count")
    chart = Chart(WIDTH_PX, 3.4 * 96)
    capacities = sorted(float(c) for c in data["capacity"].unique())
    ax = chart.panel(
        title=f"{kpi} against {resource} ({shown or 'no unit'})",
        xlabel=f"{resource} (capacity)",
        ylabel=shown or kpi,
        xticks=[(c, f"{c:g}") for c in capacities] if len(capacities) <= 12 else None,
    )
    scales = [float(x) for x in sorted(data["demand_scale"].unique())]
    targets = pd.to_numeric(data["target"], errors="coerce").dropna().unique()
    has_target = len(targets) > 0
    low, high = [], []
    for i, (demand, group) in enumerate(data.groupby("demand_scale", sort=True, observed=True)):
        x = group["capacity"].to_numpy(float)
        y = group["mean"].to_numpy(float) * scale
        err = clipped_errors(y, np.nan_to_num(group["half_width"].to_numpy(float)) * scale, unit)
        meets = group["meets_target"].fillna(False).astype(bool).to_numpy()
        if not has_target:
            meets = np.ones_like(meets)
        marker = MARKERS[i % len(MARKERS)]
        ax.add("yerr", x=x, lo=y - err[0], hi=y + err[1], colour=colour(i), cap=4.0, width=1.4)
        ax.add("line", x=x, y=y, colour=colour(i), width=1.4)
        ax.add("markers", x=x[meets], y=y[meets], shape=marker, size=8.0, colour=colour(i))
        ax.add(
            "markers",
            x=x[~meets],
            y=y[~meets],
            shape=marker,
            size=8.0,
            colour="#ffffff",
            edge=colour(i),
            edgewidth=1.2,
        )
        label = f"demand × {demand:g}" if len(scales) > 1 else "mean ± 95 % CI"
        ax.legend.append(LegendEntry(label, colour(i)))
        low.append(np.nanmin(y - err[0], initial=np.inf))
        high.append(np.nanmax(y + err[1], initial=-np.inf))
    x_lo, x_hi = (capacities[0], capacities[-1]) if capacities else (0.0, 1.0)
    pad = 0.05 * max(x_hi - x_lo, 1.0)
    ax.xlim = (x_lo - pad, x_hi + pad)
    for target in targets[:1]:
        level = float(target) * scale
        low.append(level)
        high.append(level)
        ax.add(
            "line",
            x=np.array(ax.xlim),
            y=np.array([level, level]),
            colour=SIGNIFICANT_COLOUR,
            dash="4.4 1.9",
            width=1.2,
        )
        ax.legend.append(
            LegendEntry(
                f"target {level:g} {display_unit(unit)}".rstrip(),
                SIGNIFICANT_COLOUR,
                dash="4.4 1.9",
                width=1.2,
            )
        )
    finite = [v for v in (*low, *high) if np.isfinite(v)]
    y_lo, y_hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    y_pad = 0.06 * ((y_hi - y_lo) or abs(y_hi) or 1.0)
    ax.ylim = (y_lo - y_pad, y_hi + y_pad)
    marks = recommended if isinstance(recommended, dict) else {}
    if not isinstance(recommended, dict) and recommended is not None:
        marks = {float(scales[0]) if len(scales) == 1 else 1.0: float(recommended)}
    for demand, capacity in sorted(marks.items()):
        if not np.isfinite(capacity):
            continue
        index = scales.index(demand) if demand in scales else 0
        tint = "#000000" if len(marks) == 1 else colour(index)
        label = (
            f"recommended at × {demand:g}: {capacity:g}"
            if len(marks) > 1
            else f"recommended {capacity:g}"
        )
        ax.add(
            "line",
            x=np.array([capacity, capacity]),
            y=np.array(ax.ylim),
            colour=tint,
            dash="1.6 2.6",
            width=1.6,
        )
        ax.legend.append(LegendEntry(label, tint, dash="1.6 2.6"))
    if has_target:
        ax.legend.append(LegendEntry("meets target", NEUTRAL_COLOUR, kind="marker", marker="o"))
        ax.legend.append(
            LegendEntry("misses target", "#ffffff", kind="marker", marker="o", edge=NEUTRAL_COLOUR)
        )
    return chart
