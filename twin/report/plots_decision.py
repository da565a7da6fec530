"""Sweep-page figures that answer the question: a forest plot of paired differences against
the baseline, and the Pareto front of an Optuna search."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twin.report.fmt import display_scale, display_unit, natural_key
from twin.report.glance import label_of
from twin.report.palette import (
    NEUTRAL_COLOUR,
    PX_PER_PT,
    SIGNIFICANT_COLOUR,
    WIDTH_PX,
    colour,
)
from twin.report.svg_chart import Chart, LegendEntry


def forest_figure(
    rows: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    labels: dict[str, str],
    units: dict[tuple[str, str], str],
    baseline: str,
) -> Chart:
    """One row of panels per KPI (its own unit), one line per job: the paired difference
    against the baseline with its 95 % CI; significant ones filled, in vermillion."""
    jobs = sorted({str(j) for j in rows["job"]}, key=natural_key)
    chart = Chart(
        WIDTH_PX,
        76 + 21 * len(jobs),
        title=f"Difference from the baseline ({baseline}): paired, 95 % CI; filled = significant",
    )
    y_of = {job: float(len(jobs) - 1 - i) for i, job in enumerate(jobs)}
    for kpi, stat in pairs:
        unit = units.get((kpi, stat), "")
        scale = display_scale(unit)
        shown_unit = "percentage points" if scale == 100.0 else display_unit(unit, "count")
        shown_unit = "$" if unit == "currency" else shown_unit
        name = label_of(kpi) + ("" if stat in ("mean", "total", "value") else f" {stat}")
        ax = chart.panel(
            title=textwrap.shorten(f"{name} ({shown_unit or 'no unit'})", 90),
            grid_y=False,
            yticks=[(y_of[j], labels.get(j, j)) for j in jobs],
            ylim=(-0.6, len(jobs) - 0.4),
            tick_size=8 * PX_PER_PT,
            xtick_size=8 * PX_PER_PT,
            title_size=9 * PX_PER_PT,
        )
        part = rows[(rows["kpi"] == kpi) & (rows["stat"] == stat)]
        diff = part["diff_mean"].to_numpy(float) * scale
        half = np.nan_to_num(part["diff_half_width"].to_numpy(float)) * scale
        y = np.array([y_of[str(j)] for j in part["job"]], dtype=float)
        significant = part["is_significant"].fillna(False).astype(bool).to_numpy()
        ax.add(
            "line", x=np.zeros(2), y=np.array([-0.6, len(jobs) - 0.4]), colour="#000000", width=0.8
        )
        for flag, tint, fill in (
            (False, NEUTRAL_COLOUR, "#ffffff"),
            (True, SIGNIFICANT_COLOUR, ""),
        ):
            pick = significant == flag
            if pick.any():
                ax.add(
                    "xerr",
                    lo=diff[pick] - half[pick],
                    hi=diff[pick] + half[pick],
                    y=y[pick],
                    colour=tint,
                    width=1.2,
                    cap=3.3,
                )
                ax.add(
                    "markers",
                    x=diff[pick],
                    y=y[pick],
                    size=6.7,
                    colour=fill or tint,
                    edge=tint,
                    edgewidth=1.2,
                )
    return chart


def pareto_figure(
    points: pd.DataFrame, objectives: Sequence[tuple[str, str]], directions: Sequence[str]
) -> Chart:
    """Two objectives of every trial (``points``: columns ``label``, ``x``, ``y``) with the
    non-dominated trials joined as the Pareto front."""
    chart = Chart(WIDTH_PX * 0.75, 4.4 * 96)
    signs = np.array([1.0 if d.startswith("min") else -1.0 for d in directions[:2]])
    values = points[["x", "y"]].to_numpy(float) * signs
    front = pareto_mask(values)
    (kx, sx), (ky, sy) = objectives[:2]
    ax = chart.panel(
        title="Objectives of every trial; the front: no trial is better in both",
        xlabel=f"{label_of(kx)} ({sx}) — {directions[0]}",
        ylabel=f"{label_of(ky)} ({sy}) — {directions[1]}",
    )
    rest = points[~front]
    ax.add(
        "markers",
        x=rest["x"].to_numpy(float),
        y=rest["y"].to_numpy(float),
        size=6.3,
        colour="#ffffff",
        edge=NEUTRAL_COLOUR,
        edgewidth=1.0,
    )
    best = points[front].sort_values("x")
    bx, by = best["x"].to_numpy(float), best["y"].to_numpy(float)
    ax.add("line", x=bx, y=by, colour=colour(0))
    ax.add("markers", x=bx, y=by, shape="s", size=8.0, colour=colour(0))
    ax.add(
        "text",
        x=bx,
        y=by,
        text=[str(v) for v in best["label"]],
        size=7.5 * PX_PER_PT,
        dx=5.3,
        dy=-5.3,
    )
    ax.legend = [
        LegendEntry("trial", "#ffffff", kind="marker", marker="o", size=6.3, edge=NEUTRAL_COLOUR),
        LegendEntry("Pareto front", colour(0)),
    ]
    return chart


def pareto_mask(values: np.ndarray) -> np.ndarray:
    """Rows not dominated by any other (all objectives to be minimised)."""
    n = len(values)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        others = np.delete(values, i, axis=0)
        dominated = np.all(others <= values[i], axis=1) & np.any(others < values[i], axis=1)
        mask[i] = not dominated.any()
    return mask
