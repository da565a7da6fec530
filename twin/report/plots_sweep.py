"""Sweep- and sizing-page figures: KPIs (mean ± 95 % CI) against a swept parameter or a
capacity.

Pure functions from summary DataFrames to matplotlib Figures, in the house style of
:mod:`twin.report.plots_style`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

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


def sweep_figure(
    summary: pd.DataFrame,
    param: str,
    pairs: Sequence[tuple[str, str]],
    other_params: Sequence[str] = (),
) -> Figure:
    """Small multiples of KPI mean ± 95 % CI against one swept parameter, a line per setting
    of the other swept parameters. Input: network-level sweep summary rows."""
    with plot_style():
        ncols = 2 if len(pairs) > 1 else 1
        nrows = math.ceil(len(pairs) / ncols)
        fig = new_figure(figsize=(WIDTH_IN, 0.6 + 2.5 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        x_values = _ordered_values(summary[param])
        is_numeric = all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in x_values
        )
        position = {v: (float(v) if is_numeric else i) for i, v in enumerate(x_values)}
        others = [p for p in other_params if p != param and summary[p].nunique(dropna=False) > 1]
        groups = (
            list(summary.groupby(others, sort=True, dropna=False)) if others else [((), summary)]
        )
        for index, (ax, (kpi, stat)) in enumerate(zip(axes, pairs, strict=False)):
            unit = unit_of(kpi, stat, first_text(summary.loc[summary["kpi"] == kpi, "unit"]))
            scale = display_scale(unit)
            for i, (key, group) in enumerate(groups):
                rows = group[(group["kpi"] == kpi) & (group["stat"] == stat)]
                rows = rows.assign(_x=rows[param].map(position)).sort_values("_x")
                if rows.empty:
                    continue
                ax.errorbar(
                    rows["_x"],
                    rows["mean"] * scale,
                    yerr=clipped_errors(
                        rows["mean"].to_numpy(float) * scale,
                        np.nan_to_num(rows["half_width"].to_numpy(float)) * scale,
                        unit,
                    ),
                    color=colour(i),
                    marker=MARKERS[i % len(MARKERS)],
                    markersize=4,
                    capsize=2.5,
                    linewidth=1.2,
                    label=_group_label(others, key),
                )
            ax.set_title(_panel_title(kpi, stat, unit), loc="left", fontsize=9)
            ax.tick_params(labelsize=8)
            if index + ncols >= len(pairs):
                ax.set_xlabel(_short(param), fontsize=9)
            if not is_numeric:
                ax.set_xticks(
                    range(len(x_values)), [str(v) for v in x_values], rotation=30, ha="right"
                )
            elif len(x_values) <= 12:
                ax.set_xticks([float(v) for v in x_values], [f"{v:g}" for v in x_values])
        for ax in axes[len(pairs) :]:
            ax.set_visible(False)
        fig.suptitle(
            f"KPIs against {param} (mean ± 95 % CI)",
            x=0.01,
            ha="left",
            fontweight="bold",
            fontsize=10.5,
        )
        if others and len(groups) > 1:
            handles, labels = axes[0].get_legend_handles_labels()
            fig.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=min(4, len(groups)),
                title=", ".join(_short(p) for p in others),
            )
    return fig


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


def _panel_title(kpi: str, stat: str, unit: str) -> str:
    return textwrap.fill(f"{kpi} {stat} ({display_unit(unit, 'count') or 'no unit'})", 52)


def _short(param: str) -> str:
    """The last part of a dotted override key (``formats.grocery.checkout.lanes`` -> lanes)."""
    return param.rsplit(".", 1)[-1]


def _ordered_values(values: pd.Series) -> list[Any]:
    unique = list(pd.unique(values.dropna()))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _group_label(others: Sequence[str], key: Any) -> str:
    if not others:
        return "mean ± 95 % CI"
    values = key if isinstance(key, tuple) else (key,)
    if len(others) == 1:
        return str(values[0])  # the legend title names the parameter
    return ", ".join(f"{p.rsplit('.', 1)[-1]}={v}" for p, v in zip(others, values, strict=False))
