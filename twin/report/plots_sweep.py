"""Sweep- and sizing-page figures: KPIs (mean ± 95 % CI) against a swept parameter or a
capacity.

Pure functions from summary DataFrames to matplotlib Figures, in the house style of
:mod:`twin.report.plots_style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from twin.report.fmt import display_scale, display_unit, unit_of
from twin.report.palette import (
    MARKERS,
    NEUTRAL_COLOUR,
    SIGNIFICANT_COLOUR,
    WIDTH_IN,
    clipped_errors,
    colour,
    first_text,
)
from twin.report.plots_style import new_figure, plot_style


def sizing_figure(
    curve: pd.DataFrame, kpi: str, recommended: float | dict[float, float] | None = None
) -> Figure:
    """KPI mean ± 95 % CI against capacity, a line per demand scale, the target as a dashed
    line and the recommended capacity (``{demand scale: capacity}``, or one number) as a
    dotted line per demand scale in that scale's colour. Filled markers meet the target."""
    with plot_style():
        data = curve[curve["kpi"] == kpi].sort_values(["demand_scale", "capacity"])
        unit = unit_of(kpi)
        scale = display_scale(unit)
        resource = first_text(data["resource"]) or "capacity"
        fig = new_figure(figsize=(WIDTH_IN, 3.4))
        ax = fig.add_subplot()
        scales = [float(x) for x in sorted(data["demand_scale"].unique())]
        targets = pd.to_numeric(data["target"], errors="coerce").dropna().unique()
        has_target = len(targets) > 0
        for i, (demand, group) in enumerate(data.groupby("demand_scale", sort=True)):
            x = group["capacity"].to_numpy(float)
            y = group["mean"].to_numpy(float) * scale
            err = np.nan_to_num(group["half_width"].to_numpy(float)) * scale
            err = clipped_errors(y, err, unit)
            meets = group["meets_target"].fillna(False).astype(bool).to_numpy()
            if not has_target:
                meets = np.ones_like(meets)
            label = f"demand × {demand:g}" if len(scales) > 1 else "mean ± 95 % CI"
            ax.errorbar(
                x,
                y,
                yerr=err,
                color=colour(i),
                linewidth=1.4,
                capsize=3,
                marker="none",
                label=label,
            )
            marker = MARKERS[i % len(MARKERS)]
            ax.plot(x[meets], y[meets], linestyle="none", marker=marker, color=colour(i))
            ax.plot(
                x[~meets],
                y[~meets],
                linestyle="none",
                marker=marker,
                color=colour(i),
                markerfacecolor="white",
            )
        for target in targets[:1]:
            ax.axhline(
                target * scale,
                color=SIGNIFICANT_COLOUR,
                linestyle="--",
                linewidth=1.2,
                label=f"target {target * scale:g} {display_unit(unit)}".rstrip(),
            )
        marks = recommended if isinstance(recommended, dict) else {}
        if not isinstance(recommended, dict) and recommended is not None:
            marks = {float(scales[0]) if len(scales) == 1 else 1.0: float(recommended)}
        for demand, capacity in sorted(marks.items()):
            if not np.isfinite(capacity):
                continue
            index = scales.index(demand) if demand in scales else 0
            label = (
                f"recommended at × {demand:g}: {capacity:g}"
                if len(marks) > 1
                else f"recommended {capacity:g}"
            )
            ax.axvline(
                capacity,
                color="#000000" if len(marks) == 1 else colour(index),
                linestyle=":",
                linewidth=1.6,
                label=label,
            )
        if has_target:
            ax.plot(
                [], [], linestyle="none", marker="o", color=NEUTRAL_COLOUR, label="meets target"
            )
            ax.plot(
                [],
                [],
                linestyle="none",
                marker="o",
                color=NEUTRAL_COLOUR,
                markerfacecolor="white",
                label="misses target",
            )
        ax.set_xlabel(f"{resource} (capacity)")
        ax.set_ylabel(display_unit(unit, "count") or kpi)
        ax.set_title(
            f"{kpi} against {resource} ({display_unit(unit, 'count') or 'no unit'})", loc="left"
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if data["capacity"].nunique() <= 12:
            ax.set_xticks(sorted(data["capacity"].unique()))
    return fig
