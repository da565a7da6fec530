"""Run-page figures read at a glance: where the time goes, load by hour, staffing vs demand.

Pure functions from DataFrames to matplotlib Figures, in the house style of
:mod:`twin.report.plots_style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from twin.report.fmt import natural_key
from twin.report.plots_style import WIDTH_IN, colour, new_figure, plot_style

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
    over stores count each store once."""
    per_store = ts[ts["store"].astype(str) != "all"]
    return per_store if len(per_store) else ts


def lead_time_figure(stages: pd.DataFrame, flagged: set[str] | None = None) -> Figure:
    """Stacked horizontal bars: mean minutes per order in each stage, network on top, then
    every store; ``flagged`` stores (off a calibration target) get a ⚠ in their label."""
    flagged = flagged or set()
    with plot_style():
        names = [c for c in stages.columns if c != "store"]
        labels = [
            f"{s} ⚠" if s in flagged else str(s) for s in stages["store"].astype(str).tolist()
        ]
        height = 1.2 + 0.28 * len(stages)
        fig = new_figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        y = np.arange(len(stages))[::-1]
        left = np.zeros(len(stages))
        for i, name in enumerate(names):
            widths = stages[name].to_numpy(float)
            ax.barh(
                y,
                widths,
                left=left,
                color=colour(i),
                edgecolor="white",
                linewidth=0.5,
                label=name,
            )
            left += widths
        for yi, total in zip(y, left, strict=True):
            ax.text(total, yi, f" {total:,.0f}", va="center", fontsize=8)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, max(float(left.max()), 1.0) * 1.08)
        ax.set_xlabel("minutes per order (mean of each stage)")
        ax.set_title("Where an order's lead time goes, by store (minutes)", loc="left")
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside upper center", ncols=min(6, len(names)), fontsize=8)
    return fig


def load_heatmap_figure(ts: pd.DataFrame) -> Figure | None:
    """Resource x hour of the day, whole network: each busy-resource series as a share of its
    own busiest hour (the run folder holds counts in use, not capacities)."""
    data = stores_only(ts[ts["series"].isin(list(LOAD_SERIES))])
    if data.empty:
        return None
    with plot_style():
        data = data.assign(hour=(data["bin_start_s"].astype(float) // 3600) % 24)
        per_rep = data.groupby(["series", "replication", "bin_start_s", "hour"])["value"].sum()
        hourly = per_rep.groupby(["series", "hour"]).mean().unstack("hour").fillna(0.0)
        order = [s for s in LOAD_SERIES if s in hourly.index]
        hourly = hourly.loc[order]
        peak = hourly.max(axis=1).replace(0.0, np.nan)
        share = hourly.div(peak, axis=0).fillna(0.0)
        fig = new_figure(figsize=(WIDTH_IN, 0.9 + 0.36 * len(order)))
        ax = fig.add_subplot()
        image = ax.imshow(share.to_numpy(float), aspect="auto", cmap="Blues", vmin=0, vmax=1)
        ax.set_yticks(range(len(order)), [LOAD_SERIES[s] for s in order])
        hours = [int(h) for h in share.columns]
        ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours], fontsize=7.5)
        ax.set_xlabel("hour of the day")
        ax.grid(visible=False)
        ax.set_title("Load by hour: share of each resource's busiest hour (network)", loc="left")
        fig.colorbar(image, ax=ax, label="share of peak", shrink=0.9, pad=0.01)
    return fig


def plan_figure(plan: pd.DataFrame, ts: pd.DataFrame | None) -> Figure:
    """The staffing plan (plan.parquet: level by hour per resource, network total, first
    replication, first weekday) against the demand it serves (arrivals or orders per hour)."""
    with plot_style():
        plan = plan[plan["replication"] == plan["replication"].min()]
        plan = plan[plan["weekday"] == plan["weekday"].min()]
        resources = sorted({str(r) for r in plan["resource"]}, key=natural_key)
        fig = new_figure(figsize=(WIDTH_IN, 2.4 * ((len(resources) + 1) // 2) + 0.6))
        axes = fig.subplots((len(resources) + 1) // 2, 2, squeeze=False).ravel()
        for ax, resource in zip(axes, resources, strict=False):
            rows = plan[plan["resource"] == resource].groupby("hour")["level"].sum()
            ax.step(rows.index, rows.to_numpy(float), where="post", color=colour(0), label="plan")
            ax.set_title(resource.replace("_", " "), loc="left", fontsize=9.5)
            ax.set_xlim(0, 24)
            ax.set_ylabel("planned", fontsize=8)
            series = PLAN_DEMAND.get(resource)
            if ts is not None and series and series in set(ts["series"]):
                demand = stores_only(ts[ts["series"] == series])
                hours = (demand["bin_start_s"].astype(float) // 3600) % 24
                per_hour = (
                    demand.assign(hour=hours)
                    .groupby(["replication", "hour"])["value"]
                    .sum()
                    .groupby("hour")
                    .mean()
                )
                twin_ax = ax.twinx()
                twin_ax.plot(
                    per_hour.index + 0.5,
                    per_hour.to_numpy(float),
                    color=colour(1),
                    linestyle="--",
                    marker="o",
                    markersize=2.5,
                )
                twin_ax.set_ylabel(f"{series} per h", fontsize=8, color=colour(1))
                twin_ax.grid(visible=False)
        for ax in axes[len(resources) :]:
            ax.set_visible(False)
        fig.suptitle(
            "Staffing plan (solid, left axis) against demand per hour (dashed, right axis)",
            x=0.01,
            ha="left",
            fontweight="bold",
            fontsize=10.5,
        )
    return fig
