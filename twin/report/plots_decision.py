"""Sweep-page figures that answer the question: a forest plot of paired differences against
the baseline, and the Pareto front of an Optuna search."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from twin.report.fmt import display_scale, display_unit, natural_key
from twin.report.glance import label_of
from twin.report.palette import NEUTRAL_COLOUR, SIGNIFICANT_COLOUR, WIDTH_IN, colour
from twin.report.plots_style import new_figure, plot_style


def forest_figure(
    rows: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    labels: dict[str, str],
    units: dict[tuple[str, str], str],
    baseline: str,
) -> Figure:
    """One row of panels per KPI (its own unit), one line per job: the paired difference
    against the baseline with its 95 % CI; significant ones filled, in vermillion."""
    with plot_style():
        jobs = sorted({str(j) for j in rows["job"]}, key=natural_key)
        per_panel = 0.45 + 0.22 * len(jobs)
        fig = new_figure(figsize=(WIDTH_IN, 0.7 + per_panel * len(pairs)))
        axes = fig.subplots(len(pairs), 1, squeeze=False).ravel()
        y_of = {job: len(jobs) - 1 - i for i, job in enumerate(jobs)}
        for ax, (kpi, stat) in zip(axes, pairs, strict=True):
            unit = units.get((kpi, stat), "")
            scale = display_scale(unit)
            shown_unit = "percentage points" if scale == 100.0 else display_unit(unit, "count")
            shown_unit = "$" if unit == "currency" else shown_unit
            part = rows[(rows["kpi"] == kpi) & (rows["stat"] == stat)]
            for r in part.itertuples(index=False):
                significant = bool(r.is_significant)
                ax.errorbar(
                    [float(cast(float, r.diff_mean)) * scale],
                    [y_of[str(r.job)]],
                    xerr=[np.nan_to_num(float(cast(float, r.diff_half_width))) * scale],
                    fmt="o",
                    markersize=5,
                    capsize=2.5,
                    color=SIGNIFICANT_COLOUR if significant else NEUTRAL_COLOUR,
                    markerfacecolor=SIGNIFICANT_COLOUR if significant else "white",
                    linewidth=1.2,
                )
            ax.axvline(0, color="#000000", linewidth=0.8)
            ax.set_yticks([y_of[j] for j in jobs], [labels.get(j, j) for j in jobs], fontsize=8)
            ax.set_ylim(-0.6, len(jobs) - 0.4)
            name = label_of(kpi) + ("" if stat in ("mean", "total", "value") else f" {stat}")
            ax.set_title(
                textwrap.shorten(f"{name} ({shown_unit or 'no unit'})", 90),
                loc="left",
                fontsize=9,
            )
            ax.tick_params(axis="x", labelsize=8)
            ax.grid(axis="y", visible=False)
        fig.suptitle(
            f"Difference from the baseline ({baseline}): paired, 95 % CI; filled = significant",
            x=0.01,
            ha="left",
            fontweight="bold",
            fontsize=10.5,
        )
    return fig


def pareto_figure(
    points: pd.DataFrame, objectives: Sequence[tuple[str, str]], directions: Sequence[str]
) -> Figure:
    """Two objectives of every trial (``points``: columns ``label``, ``x``, ``y``) with the
    non-dominated trials joined as the Pareto front."""
    with plot_style():
        fig = new_figure(figsize=(WIDTH_IN * 0.75, 4.4))
        ax = fig.add_subplot()
        signs = np.array([1.0 if d.startswith("min") else -1.0 for d in directions[:2]])
        values = points[["x", "y"]].to_numpy(float) * signs
        front = pareto_mask(values)
        ax.scatter(
            points.loc[~front, "x"],
            points.loc[~front, "y"],
            color=NEUTRAL_COLOUR,
            marker="o",
            s=22,
            facecolors="white",
            label="trial",
        )
        best = points[front].sort_values("x")
        ax.plot(
            best["x"], best["y"], color=colour(0), marker="s", markersize=6, label="Pareto front"
        )
        for r in best.itertuples(index=False):
            ax.annotate(str(r.label), (r.x, r.y), xytext=(4, 4), textcoords="offset points",
                        fontsize=7.5)  # fmt: skip
        (kx, sx), (ky, sy) = objectives[:2]
        ax.set_xlabel(f"{label_of(kx)} ({sx}) — {directions[0]}")
        ax.set_ylabel(f"{label_of(ky)} ({sy}) — {directions[1]}")
        ax.set_title("Objectives of every trial; the front: no trial is better in both", loc="left")
        ax.legend(loc="best")
    return fig


def pareto_mask(values: np.ndarray) -> np.ndarray:
    """Rows not dominated by any other (all objectives to be minimised)."""
    n = len(values)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        others = np.delete(values, i, axis=0)
        dominated = np.all(others <= values[i], axis=1) & np.any(others < values[i], axis=1)
        mask[i] = not dominated.any()
    return mask
