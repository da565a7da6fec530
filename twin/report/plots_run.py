"""Run-page figures: a time-series over the day and a time KPI's distribution by store.

Pure functions from the run folder's DataFrames to matplotlib Figures, in the house style of
:mod:`twin.report.plots_style`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from twin.report.fmt import natural_key, unit_of
from twin.report.plots_style import (
    LINESTYLES,
    NEUTRAL_COLOUR,
    OKABE_ITO,
    WIDTH_IN,
    colour,
    first_text,
    new_figure,
    plot_style,
)

MAX_LINES = 8

SERIES_TITLES = {
    "arrivals_n": "Arrivals per bin",
    "checkout_queue_len": "Checkout queue length",
    "occupancy": "Shoppers in store",
    "lanes_open": "Checkout lanes open",
}
SERIES_ORDER = tuple(SERIES_TITLES)


def series_title(series: str, unit: str) -> str:
    name = SERIES_TITLES.get(series, series.replace("_", " ").capitalize())
    return f"{name} ({unit or 'count'})"


def timeseries_figure(ts: pd.DataFrame, series: str, max_lines: int = MAX_LINES) -> Figure:
    """One time-series (e.g. ``arrivals_n``) over the day: a line per store, or the mean per
    store with its 10-90 % band across stores when there are more than ``max_lines`` stores.

    Values are averaged over replications. Input: the timeseries.parquet columns.
    """
    with plot_style():
        data = ts[ts["series"] == series]
        unit = first_text(data["unit"])
        per_store = data[data["store"].astype(str) != "all"]
        if per_store.empty:
            per_store = data
        label_cols = ["region", "store"] if per_store["region"].nunique() > 1 else ["store"]
        mean = (
            per_store.groupby([*label_cols, "bin_start_s"], sort=True)["value"].mean().reset_index()
        )
        horizon_s = float(mean["bin_start_s"].max()) if len(mean) else 0.0
        bin_s = _bin_width(mean["bin_start_s"].to_numpy(dtype=float))
        scale_s, x_label = _time_axis(horizon_s + bin_s)
        fig = new_figure(figsize=(WIDTH_IN, 3.2))
        ax = fig.add_subplot()
        groups: list[tuple[Any, pd.DataFrame]] = sorted(
            mean.groupby(label_cols, sort=True), key=lambda kv: natural_key(kv[0])
        )
        if len(groups) > 1 and _all_equal([g["value"].to_numpy(float) for _, g in groups]):
            # identical lines would hide one another: draw one and say so
            groups = [(f"all {len(groups)} stores (identical)", groups[0][1])]
        if len(groups) <= max_lines:
            for i, (key, group) in enumerate(groups):
                x, y = _steps(
                    group["bin_start_s"].to_numpy(float), group["value"].to_numpy(float), bin_s
                )
                label = "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
                ax.plot(
                    x / scale_s,
                    y,
                    drawstyle="steps-post",
                    color=colour(i),
                    linestyle=LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)],
                    label=label,
                )
            if len(groups) > 1 or len(per_store["store"].unique()) > 1:
                ax.legend(title="Store", loc="upper left", bbox_to_anchor=(1.0, 1.0))
        else:
            wide = mean.pivot_table(index="bin_start_s", columns=label_cols, values="value")
            t = wide.index.to_numpy(float)
            values = wide.to_numpy(float)
            lo, hi = (np.nanpercentile(values, q, axis=1) for q in (10, 90))
            # the median, not the mean: one busy store can pull the mean above the 90th
            # percentile of the stores, outside its own band
            avg = np.nanmedian(values, axis=1)
            x, y_lo = _steps(t, lo, bin_s)
            _, y_hi = _steps(t, hi, bin_s)
            _, y_avg = _steps(t, avg, bin_s)
            ax.fill_between(
                x / scale_s,
                y_lo,
                y_hi,
                step="post",
                color=colour(0),
                alpha=0.2,
                linewidth=0,
                label=f"10–90 % of {values.shape[1]} stores",
            )
            ax.plot(
                x / scale_s, y_avg, drawstyle="steps-post", color=colour(0), label="median store"
            )
            ax.legend(loc="upper left")
        start_s = float(mean["bin_start_s"].min()) if len(mean) else 0.0
        _format_time_axis(ax, start_s, horizon_s + bin_s, scale_s)
        ax.set_xlabel(x_label)
        ax.set_ylabel(unit or "count")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{series_title(series, unit)} by time of day", loc="left")
    return fig


def percentile_figure(summary: pd.DataFrame, kpi: str, max_rows: int = 25) -> Figure:
    """Box-like distribution of a time KPI by store: bar p50-p90, whisker to p95, tick at max,
    diamond at the mean with its 95 % CI. Input: summary.parquet rows (several stats)."""
    with plot_style():
        data = summary[summary["kpi"] == kpi]
        unit = unit_of(kpi, "mean", first_text(data["unit"]))
        table = data.pivot_table(
            index=["region", "store"], columns="stat", values="mean", aggfunc="first"
        )
        hw = data.pivot_table(
            index=["region", "store"], columns="stat", values="half_width", aggfunc="first"
        )
        labels, keys = _row_labels(list(table.index))
        stores = [i for i, k in enumerate(keys) if str(k[1]) != "all"]
        many_regions = len({str(keys[i][0]) for i in stores}) > 1
        network = [i for i, k in enumerate(keys) if str(k[1]) == "all" and str(k[0]) == "all"]
        if many_regions or not network:
            regional = [i for i, k in enumerate(keys) if str(k[1]) == "all" and str(k[0]) != "all"]
            network += sorted(regional, key=lambda i: natural_key(keys[i][0]))
        order_stat = (
            "p90" if "p90" in table.columns else ("mean" if "mean" in table.columns else None)
        )
        note = ""
        if len(stores) > max_rows and order_stat is not None:
            ranked = sorted(
                stores, key=lambda i: -np.nan_to_num(table[order_stat].iloc[i], nan=-1e300)
            )
            stores = ranked[:max_rows]
            note = f" (top {max_rows} of {len(ranked)} stores by {order_stat})"
        stores = sorted(stores, key=lambda i: natural_key(labels[i]))
        rows = network + stores
        height = 1.0 + 0.28 * len(rows)
        fig = new_figure(figsize=(WIDTH_IN, max(2.2, height)))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]

        def col(stat: str) -> np.ndarray:
            if stat not in table.columns:
                return np.full(len(rows), np.nan)
            return table[stat].to_numpy(float)[rows]

        p50, p90, p95, vmax, mean = (col(s) for s in ("p50", "p90", "p95", "max", "mean"))
        mean_hw = (
            hw["mean"].to_numpy(float)[rows] if "mean" in hw.columns else np.full(len(rows), np.nan)
        )
        ax.hlines(y, p90, p95, color=colour(0), linewidth=1.4)
        ax.hlines(y, p50, p90, color=colour(5), linewidth=7, alpha=0.9)
        ax.plot(p50, y, linestyle="none", marker="|", markersize=10, color=colour(0))
        ax.plot(vmax, y, linestyle="none", marker="x", markersize=5, color=NEUTRAL_COLOUR)
        ax.errorbar(
            mean,
            y,
            xerr=np.nan_to_num(mean_hw),
            fmt="D",
            markersize=5,
            color=colour(1),
            capsize=2,
            linewidth=1,
        )
        ax.set_yticks(y, [labels[i] for i in rows])
        ax.set_xlim(left=0)
        ax.set_xlabel(unit)
        ax.set_title(f"{kpi}: distribution by store ({unit}){note}", loc="left")
        ax.grid(axis="y", visible=False)
        handles = [
            Line2D([], [], color=colour(5), linewidth=7, label="p50–p90"),
            Line2D([], [], color=colour(0), linewidth=1.4, label="p90–p95"),
            Line2D([], [], color=NEUTRAL_COLOUR, marker="x", linestyle="none", label="max"),
            Line2D([], [], color=colour(1), marker="D", linestyle="none", label="mean ± 95 % CI"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _all_equal(arrays: list[np.ndarray]) -> bool:
    first = arrays[0]
    return all(a.shape == first.shape and np.array_equal(a, first, equal_nan=True) for a in arrays)


def _bin_width(starts: np.ndarray) -> float:
    unique = np.unique(starts)
    if unique.size < 2:
        return 900.0
    return float(np.min(np.diff(unique)))


def _steps(t: np.ndarray, v: np.ndarray, bin_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Append the end of the last bin so a steps-post line shows the last bin too."""
    if t.size == 0:
        return t, v
    return np.append(t, t[-1] + bin_s), np.append(v, v[-1])


def _time_axis(horizon_s: float) -> tuple[float, str]:
    if horizon_s <= 86400.0 + 1e-9:
        return 3600.0, "Time of day (h)"
    return 86400.0, "Time since start (days)"


def _format_time_axis(ax: Axes, start_s: float, end_s: float, scale_s: float) -> None:
    """Hours of the day the data covers (whole hours), or days for a multi-day run."""
    if scale_s == 3600.0:
        first, last = math.floor(start_s / 3600.0), math.ceil(end_s / 3600.0)
        span = max(1, last - first)
        step = 1 if span <= 8 else (2 if span <= 16 else 3)
        ax.set_xticks(np.arange(first, last + 1, step))
        ax.set_xlim(first, last)
    else:
        ax.set_xlim(0, end_s / scale_s)


def _row_labels(keys: list[tuple[Any, Any]]) -> tuple[list[str], list[tuple[Any, Any]]]:
    many_regions = len({str(k[0]) for k in keys if str(k[1]) != "all"}) > 1
    labels = []
    for region, store in keys:
        if str(store) == "all":
            is_network = str(region) == "all" or not many_regions
            labels.append("Network" if is_network else f"Region {region}")
        else:
            labels.append(f"{region}/{store}" if many_regions else str(store))
    return labels, keys
