"""Report figures: pure functions from tidy DataFrames to matplotlib Figures.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas directly (no
pyplot, so no global figure registry and no GUI backend) inside :func:`plot_style`. Colours
follow the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies and in greyscale print; series are also told apart by marker or line style, never
by colour alone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from twin.report.fmt import bounds_of, display_scale, display_unit, natural_key, unit_of

# Okabe & Ito (2008), ordered so the first lines have the strongest contrast on white.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
SIGNIFICANT_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#555555"
MAX_LINES = 8
WIDTH_IN = 9.0

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.dpi": 96,
    "savefig.dpi": 96,
    "lines.linewidth": 1.6,
    "svg.fonttype": "none",  # text as text: a tenth of the bytes, searchable
    "svg.hashsalt": "twin-report",
    "text.parse_math": False,  # labels are data (a store id may hold $): never mathtext
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
}

SERIES_TITLES = {
    "arrivals_n": "Arrivals per bin",
    "checkout_queue_len": "Checkout queue length",
    "occupancy": "Shoppers in store",
    "lanes_open": "Checkout lanes open",
}
SERIES_ORDER = tuple(SERIES_TITLES)


@contextmanager
def plot_style() -> Iterator[None]:
    """The report's matplotlib settings, applied only inside the ``with`` block."""
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


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
        unit = _first_text(data["unit"])
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
        fig = _new_figure(figsize=(WIDTH_IN, 3.2))
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
        unit = unit_of(kpi, "mean", _first_text(data["unit"]))
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
        fig = _new_figure(figsize=(WIDTH_IN, max(2.2, height)))
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


def network_map_figure(
    network: dict[str, Any],
    drone_range_km: dict[str, float] | None = None,
    max_regions: int = 4,
) -> Figure:
    """Stores by format (colour and marker), zones sized by population, and a dashed drone
    range circle around each store whose format has a drone range (``{format: km}``, with
    key ``"*"`` for every format). One panel per region, up to ``max_regions``."""
    with plot_style():
        stores = pd.DataFrame(
            network.get("stores") or [], columns=["id", "format", "x_km", "y_km", "region"]
        )
        zones = pd.DataFrame(
            network.get("zones") or [], columns=["id", "x_km", "y_km", "population", "region"]
        )
        regions = sorted(
            {str(r) for r in pd.concat([stores["region"], zones["region"]]).dropna()},
            key=natural_key,
        ) or ["all"]
        shown = regions[:max_regions]
        ncols = min(2, len(shown))
        nrows = math.ceil(len(shown) / ncols)
        # one region: a near-square map beside nothing; several: two panels a row
        size = (6.6, 6.4) if ncols == 1 else (WIDTH_IN, 3.9 * nrows + 0.6)
        fig = _new_figure(figsize=size)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        stores["format"] = stores["format"].fillna("store")
        formats = sorted({str(f) for f in stores["format"]})
        pop = pd.to_numeric(zones["population"], errors="coerce").fillna(0.0)
        pop_max = float(pop.max()) if len(pop) and pop.max() > 0 else 1.0
        ranges = drone_range_km or {}
        for ax, region in zip(axes, shown, strict=False):
            in_region_z = zones[zones["region"].astype(str) == region] if len(shown) > 1 else zones
            in_region_s = (
                stores[stores["region"].astype(str) == region] if len(shown) > 1 else stores
            )
            if len(in_region_z):
                sizes = 12 + 300 * pop.loc[in_region_z.index] / pop_max
                ax.scatter(
                    in_region_z["x_km"],
                    in_region_z["y_km"],
                    s=sizes,
                    color="#bbbbbb",
                    edgecolor="#777777",
                    linewidth=0.5,
                    alpha=0.6,
                    zorder=1,
                )
            for i, fmt in enumerate(formats):
                group = in_region_s[in_region_s["format"].astype(str) == fmt]
                radius = ranges.get(fmt, ranges.get("*"))
                if radius:
                    for x, y in zip(group["x_km"], group["y_km"], strict=True):
                        ax.add_patch(
                            Circle(
                                (x, y),
                                radius,
                                fill=False,
                                linestyle=(0, (2, 3)),
                                linewidth=0.5,
                                edgecolor=colour(i),
                                alpha=0.35,
                                zorder=0,
                            )
                        )
                ax.scatter(
                    group["x_km"],
                    group["y_km"],
                    s=85,
                    marker=MARKERS[i % len(MARKERS)],
                    color=colour(i),
                    edgecolor="#000000",
                    linewidth=0.6,
                    zorder=3,
                )
                for sid, x, y in zip(group["id"], group["x_km"], group["y_km"], strict=True):
                    ax.annotate(
                        str(sid),
                        (x, y),
                        xytext=(5, 4),
                        textcoords="offset points",
                        fontsize=7.5,
                        zorder=4,
                    )
            xs = pd.concat([in_region_s["x_km"], in_region_z["x_km"]]).astype(float)
            ys = pd.concat([in_region_s["y_km"], in_region_z["y_km"]]).astype(float)
            if len(xs):
                # frame the stores and zones; drone range circles may run off the edge
                pad = 0.08 * max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 1.0)
                ax.set_xlim(float(xs.min()) - pad, float(xs.max()) + pad)
                ax.set_ylim(float(ys.min()) - pad, float(ys.max()) + pad)
            ax.set_aspect("equal", adjustable="box")
            ax.set_xlabel("x (km)")
            ax.set_ylabel("y (km)")
            if len(shown) > 1:
                ax.set_title(f"Region {region}", loc="left", fontsize=9.5)
        for ax in axes[len(shown) :]:
            ax.set_visible(False)
        handles = [
            Line2D(
                [],
                [],
                marker=MARKERS[i % len(MARKERS)],
                linestyle="none",
                markersize=8,
                color=colour(i),
                markeredgecolor="#000000",
                markeredgewidth=0.6,
                label=f"{fmt} store",
            )
            for i, fmt in enumerate(formats)
        ]
        if len(zones):
            for share in (0.25, 1.0):
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        linestyle="none",
                        color="#bbbbbb",
                        markeredgecolor="#777777",
                        markersize=math.sqrt(12 + 300 * share),
                        label=f"zone, {pop_max * share:,.0f} people",
                    )
                )
        if ranges:
            handles.append(
                Line2D([], [], linestyle=(0, (2, 3)), color=NEUTRAL_COLOUR, label="drone range")
            )
        more = (
            f" (first {len(shown)} of {len(regions)} regions)" if len(regions) > len(shown) else ""
        )
        fig.suptitle(
            f"Network: stores by format, zones by population (km){more}",
            x=0.01,
            ha="left",
            fontweight="bold",
            fontsize=10.5,
        )
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)))
    return fig


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
        fig = _new_figure(figsize=(WIDTH_IN, 0.6 + 2.5 * nrows))
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
            unit = unit_of(kpi, stat, _first_text(summary.loc[summary["kpi"] == kpi, "unit"]))
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
        resource = _first_text(data["resource"]) or "capacity"
        fig = _new_figure(figsize=(WIDTH_IN, 3.4))
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


def clipped_errors(y: np.ndarray, err: np.ndarray, unit: str) -> np.ndarray:
    """Asymmetric error bars (2 x n, already in display scale) clipped to the unit's bounds."""
    lo_bound, hi_bound = bounds_of(unit)
    scale = display_scale(unit)
    low = y - err if lo_bound is None else np.maximum(y - err, lo_bound * scale)
    high = y + err if hi_bound is None else np.minimum(y + err, hi_bound * scale)
    return np.vstack([y - low, high - y])


def _new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure on its own Agg canvas: no pyplot state, no GUI backend, safe in threads."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _panel_title(kpi: str, stat: str, unit: str) -> str:
    return textwrap.fill(f"{kpi} {stat} ({display_unit(unit, 'count') or 'no unit'})", 52)


def _short(param: str) -> str:
    """The last part of a dotted override key (``formats.grocery.checkout.lanes`` -> lanes)."""
    return param.rsplit(".", 1)[-1]


def _first_text(values: pd.Series) -> str:
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""


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
