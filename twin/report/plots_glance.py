"""Run-page figures read at a glance: where the time goes, load by hour, staffing vs demand.

Pure functions from DataFrames to :class:`~twin.report.svg_chart.Chart` s (SVG written from
numpy, no matplotlib).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.report.fmt import natural_key
from twin.report.palette import BLUES, PX_PER_PT, WIDTH_PX, blues, colour
from twin.report.svg_chart import Chart, LegendEntry

# busy-resource series of timeseries.parquet and what is busy
LOAD_SERIES = {
    "lanes_open": "checkout lanes open",
    "checkout_queue_len": "checkout queue",
    "picking_queue_len": "pick tasks waiting",
    "lockers_occupied": "locker compartments in use",
    "couriers_out": "couriers out",
    "drones_busy": "drones busy",
    "occupancy": "shoppers in store",
}
PLAN_DEMAND = {
    "staffed_lanes": "arrivals_n",
    "sco_kiosks": "arrivals_n",
    "pickers": "orders_n",
    "vans": "deliveries_n",
    "bikes": "deliveries_n",
    "drones": "deliveries_n",
}


def stores_only(ts: pd.DataFrame) -> pd.DataFrame:
    """The per-store rows (dropping aggregate ``all`` rows when stores are there too), so sums
    over stores count each store once. Compared as they are (a categorical's codes), not as
    text made for every row."""
    per_store = ts[ts["store"] != "all"]
    return per_store if len(per_store) else ts


def lead_time_figure(stages: pd.DataFrame, flagged: set[str] | None = None) -> Chart:
    """Stacked horizontal bars: mean minutes per order in each stage, network on top, then
    every store; ``flagged`` stores (off a calibration target) get a ⚠ in their label."""
    flagged = flagged or set()
    names = [c for c in stages.columns if c != "store"]
    labels = [f"{s} ⚠" if s in flagged else str(s) for s in stages["store"].astype(str).tolist()]
    legend = [LegendEntry(name, colour(i), kind="patch") for i, name in enumerate(names)]
    chart = Chart(WIDTH_PX, (0.9 + 0.28 * len(stages)) * 96, legend=legend, legend_top=True)
    chart.legend_ncols = min(6, len(names))
    y = np.arange(len(stages))[::-1].astype(float)
    ax = chart.panel(
        title="Where an order's lead time goes, by store (minutes)",
        xlabel="minutes per order (mean of each stage)",
        grid_y=False,
        yticks=[(float(yi), label) for yi, label in zip(y, labels, strict=True)],
        ylim=(-0.6, len(stages) - 0.4),
    )
    left = np.zeros(len(stages))
    for i, name in enumerate(names):
        widths = np.nan_to_num(stages[name].to_numpy(float))
        ax.add(
            "hbar", y=y, left=left.copy(), width=widths, height=0.8, colour=colour(i), edge="#fff"
        )
        left += widths
    ax.add("text", x=left, y=y, text=[f" {t:,.0f}" for t in left], size=8 * PX_PER_PT, dy=4)
    ax.xlim = (0.0, max(float(left.max(initial=0.0)), 1.0) * 1.08)
    return chart


def load_heatmap_figure(ts: pd.DataFrame) -> Chart | None:
    """Resource x hour of the day, whole network: each busy-resource series as a share of its
    own busiest hour (the run folder holds counts in use, not capacities)."""
    data = stores_only(ts[ts["series"].isin(list(LOAD_SERIES))])
    if data.empty:
        return None
    data = data.assign(hour=(data["bin_start_s"].astype(float) // 3600) % 24)
    per_rep = data.groupby(["series", "replication", "bin_start_s", "hour"], observed=True)[
        "value"
    ].sum()
    hourly = per_rep.groupby(["series", "hour"], observed=True).mean().unstack("hour").fillna(0.0)
    order = [s for s in LOAD_SERIES if s in hourly.index]
    hourly = hourly.loc[order]
    peak = hourly.max(axis=1).replace(0.0, np.nan)
    share = hourly.div(peak, axis=0).fillna(0.0)
    chart = Chart(
        WIDTH_PX, (0.9 + 0.36 * len(order)) * 96 + 30, colourbar=("share of peak", list(BLUES))
    )
    n = len(order)
    hours = [int(h) for h in share.columns]
    ax = chart.panel(
        title="Load by hour: share of each resource's busiest hour (network)",
        xlabel="hour of the day",
        grid_x=False,
        grid_y=False,
        yticks=[(float(n - 1 - i), LOAD_SERIES[s]) for i, s in enumerate(order)],
        xticks=[(float(j), f"{h:02d}") for j, h in enumerate(hours)],
        xlim=(-0.5, len(hours) - 0.5),
        ylim=(-0.5, n - 0.5),
        xtick_size=7.5 * PX_PER_PT,
    )
    ax.add("cells", colours=blues(share.to_numpy(float))[::-1])
    return chart


def plan_figure(plan: pd.DataFrame, ts: pd.DataFrame | None) -> Chart:
    """The staffing plan (plan.parquet: level by hour per resource, network total, first
    replication, first weekday) against the demand it serves (arrivals or orders per hour)."""
    plan = plan[plan["replication"] == plan["replication"].min()]
    plan = plan[plan["weekday"] == plan["weekday"].min()]
    resources = sorted({str(r) for r in plan["resource"]}, key=natural_key)
    chart = Chart(
        WIDTH_PX,
        2.4 * 96,
        ncols=2,
        title="Staffing plan (solid, left axis) against demand per hour (dashed, right axis)",
    )
    series_present = set(ts["series"]) if ts is not None else set()
    for resource in resources:
        rows = plan[plan["resource"] == resource].groupby("hour", observed=True)["level"].sum()
        levels = rows.to_numpy(float)
        ax = chart.panel(
            title=resource.replace("_", " "),
            ylabel="planned",
            xlim=(0.0, 24.0),
            ylim=(0.0, max(float(levels.max(initial=0.0)), 1.0) * 1.1),
            xticks=[(float(h), str(h)) for h in range(0, 25, 5)],
            title_size=9.5 * PX_PER_PT,
        )
        ax.add("line", x=rows.index.to_numpy(float), y=levels, colour=colour(0), step=True)
        series = PLAN_DEMAND.get(resource)
        if ts is not None and series and series in series_present:
            demand = stores_only(ts[ts["series"] == series])
            hours = (demand["bin_start_s"].astype(float) // 3600) % 24
            per_hour = (
                demand.assign(hour=hours)
                .groupby(["replication", "hour"], observed=True)["value"]
                .sum()
                .groupby("hour", observed=True)
                .mean()
            )
            x, values = per_hour.index.to_numpy(float) + 0.5, per_hour.to_numpy(float)
            ax.add("line", secondary=True, x=x, y=values, colour=colour(1), dash="5.6 2.4")
            ax.add("markers", secondary=True, x=x, y=values, size=3.3, colour=colour(1))
            ax.ylim2 = (0.0, max(float(values.max(initial=0.0)), 1.0) * 1.1)
            ax.y2label, ax.y2colour = f"{series} per h", colour(1)
    return chart
