"""Run-page network map: stores by format, zones by population, drone ranges.

A pure function from the run's network description to a matplotlib Figure, in the house style
of :mod:`twin.report.plots_style`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from twin.report.fmt import natural_key
from twin.report.plots_style import (
    MARKERS,
    NEUTRAL_COLOUR,
    WIDTH_IN,
    colour,
    new_figure,
    plot_style,
)


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
        fig = new_figure(figsize=size)
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
