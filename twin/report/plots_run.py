"""Run-page figures: a time-series over the day and a time KPI's distribution by store.

Pure functions from the run folder's DataFrames to :class:`~twin.report.svg_chart.Chart` s
(SVG written from numpy, no matplotlib), in the colours of :mod:`twin.report.palette`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.report.fmt import natural_key, unit_of
from twin.report.palette import (
    DASHES,
    NEUTRAL_COLOUR,
    OKABE_ITO,
    PX_PER_PT,
    WIDTH_PX,
    colour,
    first_text,
)
from twin.report.svg_chart import Chart, LegendEntry, Panel

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


def timeseries_figure(ts: pd.DataFrame, series: str, max_lines: int = MAX_LINES) -> Chart:
    """One time-series (e.g. ``arrivals_n``) over the day: a line per store, or the median
    store with its 10-90 % band across stores when there are more than ``max_lines`` stores.

    Values are averaged over replications. Input: the timeseries.parquet columns.
    """
    data = ts[ts["series"] == series]
    unit = first_text(data["unit"])
    per_store = data[data["store"] != "all"]
    if per_store.empty:
        per_store = data
    table = _store_bins(per_store)
    horizon_s = float(table.bins_s[-1]) if table.bins_s.size else 0.0
    bin_s = _bin_width(table.bins_s)
    scale_s, x_label = _time_axis(horizon_s + bin_s)
    chart = Chart(WIDTH_PX, 3.2 * 96)
    ax = chart.panel(
        title=f"{series_title(series, unit)} by time of day", xlabel=x_label, ylabel=unit or "count"
    )
    identical = table.n_lines > 1 and table.identical()
    top = 0.0
    if identical or table.n_lines <= max_lines:
        # a line per store, stores in natural order (S2 before S10), each over its own bins
        lines = sorted(range(table.n_lines), key=lambda line: natural_key(table.keys[line]))
        labels = ["/".join(str(k) for k in table.keys[line]) for line in lines]
        if identical:  # identical lines would hide one another: draw one and say so
            labels, lines = [f"all {len(lines)} stores (identical)"], lines[:1]
        for i, (label, line) in enumerate(zip(labels, lines, strict=True)):
            seen = table.seen[line]
            x, y = _steps(table.bins_s[seen], table.mean[line][seen], bin_s)
            dash = DASHES[(i // len(OKABE_ITO)) % len(DASHES)]
            ax.add("line", x=x / scale_s, y=y, colour=colour(i), dash=dash, step=True)
            ax.legend.append(LegendEntry(label, colour(i), dash=dash))
            top = max(top, float(np.nanmax(y, initial=0.0)))
        if len(lines) > 1 or len(per_store["store"].unique()) > 1:
            ax.legend_title = "Store"
        else:
            ax.legend = []
    else:
        t = table.bins_s
        # the median, not the mean: one busy store can pull the mean above the 90th
        # percentile of the stores, outside its own band
        lo, avg, hi = _band_stats(table.mean.T)
        x, y_lo = _steps(t, lo, bin_s)
        _, y_hi = _steps(t, hi, bin_s)
        _, y_avg = _steps(t, avg, bin_s)
        ax.add("band", x=x / scale_s, lo=y_lo, hi=y_hi, colour=colour(0), alpha=0.2, step=True)
        ax.add("line", x=x / scale_s, y=y_avg, colour=colour(0), step=True)
        ax.legend = [
            LegendEntry(f"10–90 % of {table.n_lines} stores", colour(0), "patch", alpha=0.2),
            LegendEntry("median store", colour(0)),
        ]
        top = float(np.nanmax(y_hi, initial=0.0))
    start_s = float(table.bins_s[0]) if table.bins_s.size else 0.0
    _format_time_axis(ax, start_s, horizon_s + bin_s, scale_s)
    ax.ylim = (0.0, top * 1.05 if top > 0 else 1.0)
    return chart


def percentile_figure(summary: pd.DataFrame, kpi: str, max_rows: int = 25) -> Chart:
    """Box-like distribution of a time KPI by store: bar p50-p90, whisker to p95, tick at max,
    diamond at the mean with its 95 % CI. Input: summary.parquet rows (several stats)."""
    data = summary[summary["kpi"] == kpi]
    unit = unit_of(kpi, "mean", first_text(data["unit"]))
    table, hw = _by_store_and_stat(data)
    labels, keys = _row_labels(list(table))
    stores = [i for i, k in enumerate(keys) if str(k[1]) != "all"]
    many_regions = len({str(keys[i][0]) for i in stores}) > 1
    network = [i for i, k in enumerate(keys) if str(k[1]) == "all" and str(k[0]) == "all"]
    if many_regions or not network:
        regional = [i for i, k in enumerate(keys) if str(k[1]) == "all" and str(k[0]) != "all"]
        network += sorted(regional, key=lambda i: natural_key(keys[i][0]))
    present = {stat for values in table.values() for stat in values}
    order_stat = "p90" if "p90" in present else ("mean" if "mean" in present else None)
    note = ""
    if len(stores) > max_rows and order_stat is not None:
        ranked = sorted(
            stores,
            key=lambda i: -np.nan_to_num(table[keys[i]].get(str(order_stat), np.nan), nan=-1e300),
        )
        stores = ranked[:max_rows]
        note = f" (top {max_rows} of {len(ranked)} stores by {order_stat})"
    stores = sorted(stores, key=lambda i: natural_key(labels[i]))
    rows = network + stores
    chart = Chart(WIDTH_PX, max(2.2, 1.0 + 0.28 * len(rows)) * 96)
    y = np.arange(len(rows))[::-1].astype(float)

    def col(source: dict[tuple[str, str], dict[str, float]], stat: str) -> np.ndarray:
        return np.array([source[keys[i]].get(stat, np.nan) for i in rows], dtype=float)

    p50, p90, p95, vmax, mean = (col(table, s) for s in ("p50", "p90", "p95", "max", "mean"))
    mean_hw = col(hw, "mean")
    ax = chart.panel(
        title=f"{kpi}: distribution by store ({unit}){note}",
        xlabel=unit,
        grid_y=False,
        yticks=[(float(yi), labels[i]) for yi, i in zip(y, rows, strict=True)],
        ylim=(-0.7, len(rows) - 0.3),
    )
    ax.add("hseg", y=y, x0=p90, x1=p95, colour=colour(0), width=1.4)
    ax.add("hseg", y=y, x0=p50, x1=p90, colour=colour(5), width=7, opacity=0.9)
    ax.add("markers", x=p50, y=y, shape="|", size=10 * PX_PER_PT, colour=colour(0))
    ax.add("markers", x=vmax, y=y, shape="x", size=5 * PX_PER_PT, colour=NEUTRAL_COLOUR)
    # times cannot go below zero: the interval is clipped there, as in the tables and cards
    half = np.nan_to_num(mean_hw)
    low, high = np.maximum(mean - half, 0.0), mean + half
    ax.add("xerr", lo=low, hi=high, y=y, colour=colour(1), cap=2.7)
    ax.add("markers", x=mean, y=y, shape="D", size=5 * PX_PER_PT, colour=colour(1))
    right = float(np.nanmax(np.concatenate([p95, vmax, high, [0.0]])))
    ax.xlim = (0.0, right * 1.04 if right > 0 else 1.0)
    ax.legend = [
        LegendEntry("p50–p90", colour(5), width=7),
        LegendEntry("p90–p95", colour(0), width=1.4),
        LegendEntry("max", NEUTRAL_COLOUR, kind="marker", marker="x", size=6.7),
        LegendEntry("mean ± 95 % CI", colour(1), kind="marker", marker="D", size=6.7),
    ]
    return chart


def _by_store_and_stat(
    data: pd.DataFrame,
) -> tuple[dict[tuple[str, str], dict[str, float]], dict[tuple[str, str], dict[str, float]]]:
    """{(region, store): {stat: mean}} and the same for half-widths, (region, store) sorted,
    first row of each wins (a pivot table without pandas' per-call cost)."""
    means: dict[tuple[str, str], dict[str, float]] = {}
    half_widths: dict[tuple[str, str], dict[str, float]] = {}
    columns = (data[c].tolist() for c in ("region", "store", "stat", "mean", "half_width"))
    for region, store, stat, mean, hw in zip(*columns, strict=True):
        key = (str(region), str(store))
        means.setdefault(key, {}).setdefault(str(stat), float(mean))
        half_widths.setdefault(key, {}).setdefault(str(stat), float(hw))
    order = sorted(means)
    return {k: means[k] for k in order}, {k: half_widths[k] for k in order}


@dataclass
class _StoreBins:
    """A series' values by store and bin, averaged over replications: ``mean[line, bin]``
    (NaN where a store has no value in a bin), a line per store (per region and store when
    there are several regions), lines in their first-seen order, bins ascending."""

    mean: np.ndarray
    seen: np.ndarray  # bool, the same shape: the store has rows in the bin
    bins_s: np.ndarray
    keys: list[tuple[Any, ...]]  # per line: (store,), or (region, store) with several regions

    @property
    def n_lines(self) -> int:
        return int(self.mean.shape[0])

    def identical(self) -> bool:
        """Whether every store's line is the same (bins and values, NaN equal to NaN)."""
        return bool(
            (self.seen == self.seen[0]).all()
            and all(np.array_equal(row, self.mean[0], equal_nan=True) for row in self.mean[1:])
        )


def _store_bins(rows: pd.DataFrame) -> _StoreBins:
    """:class:`_StoreBins` of timeseries rows, with numpy's bincount (a national run has 500
    stores and 16 series: a pandas group-by and pivot per series took 20 ms, this 2 ms).
    Rows without a store, region or bin are left out, as a group-by leaves them."""
    region, regions = pd.factorize(rows["region"])
    store, stores = pd.factorize(rows["store"])
    bin_start = rows["bin_start_s"].to_numpy(dtype=float)
    keep = (region >= 0) & (store >= 0) & ~np.isnan(bin_start)
    many_regions = np.unique(region[region >= 0]).size > 1
    key = region[keep] * max(len(stores), 1) + store[keep] if many_regions else store[keep]
    line_keys, line = np.unique(key, return_inverse=True)
    bins_s, bin_index = np.unique(bin_start[keep], return_inverse=True)
    n_lines = int(line.max()) + 1 if line.size else 0
    cell = line * bins_s.size + bin_index
    size = n_lines * bins_s.size
    value = rows["value"].to_numpy(dtype=float)[keep]
    counted = ~np.isnan(value)  # a mean skips NaN, as pandas' does
    sums = np.bincount(cell[counted], weights=value[counted], minlength=size)
    counts = np.bincount(cell[counted], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / counts, np.nan)
    seen = np.bincount(cell, minlength=size) > 0
    shape = (n_lines, bins_s.size)
    n = max(len(stores), 1)
    keys: list[tuple[Any, ...]] = [
        (regions[k // n], stores[k % n]) if many_regions else (stores[k],)
        for k in line_keys.tolist()
    ]
    return _StoreBins(mean.reshape(shape), seen.reshape(shape), bins_s, keys)


def _band_stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """10th, 50th and 90th percentile across stores (columns) of each bin (row), NaN-aware;
    numpy's NaN-aware percentiles loop in Python per row, so they are used only for NaN."""
    if np.isnan(values).any():
        lo, mid, hi = np.nanpercentile(values, [10, 50, 90], axis=1)
    else:
        lo, mid, hi = np.percentile(values, [10, 50, 90], axis=1)
    return lo, mid, hi


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


def _format_time_axis(ax: Panel, start_s: float, end_s: float, scale_s: float) -> None:
    """Hours of the day the data covers (whole hours), or days for a multi-day run."""
    if scale_s == 3600.0:
        first, last = math.floor(start_s / 3600.0), math.ceil(end_s / 3600.0)
        span = max(1, last - first)
        step = 1 if span <= 8 else (2 if span <= 16 else 3)
        ax.xticks = [(float(h), str(h)) for h in range(first, last + 1, step)]
        ax.xlim = (float(first), float(last))
    else:
        ax.xlim = (0.0, end_s / scale_s)


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
