"""Run-page network map: stores by format, zones by population, drone ranges.

A pure function from the run's network description to a
:class:`~twin.report.svg_chart.Chart` (SVG written from numpy, no matplotlib).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twin.report.fmt import natural_key
from twin.report.palette import MARKERS, NEUTRAL_COLOUR, PX_PER_PT, WIDTH_PX, colour
from twin.report.svg_chart import Chart, LegendEntry

ZONE_FILL, ZONE_EDGE = "#bbbbbb", "#777777"


def _zone_px(share: Any) -> Any:
    """Zone marker diameter in px for a population share (area 12-312 pt², as before)."""
    return np.sqrt(12 + 300 * np.asarray(share, float)) * PX_PER_PT


def network_map_figure(
    network: dict[str, Any],
    drone_range_km: dict[str, float] | None = None,
    max_regions: int = 4,
) -> Chart:
    """Stores by format (colour and marker), zones sized by population, and a dashed drone
    range circle around each store whose format has a drone range (``{format: km}``, with
    key ``"*"`` for every format). One panel per region, up to ``max_regions``."""
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
    more = f" (first {len(shown)} of {len(regions)} regions)" if len(regions) > len(shown) else ""
    # one region: a near-square map; several: two panels a row
    width, height = (6.6 * 96, 6.0 * 96) if ncols == 1 else (WIDTH_PX, 3.9 * 96)
    chart = Chart(
        width,
        height,
        ncols=ncols,
        title=f"Network: stores by format, zones by population (km){more}",
    )
    stores["format"] = stores["format"].fillna("store")
    formats = sorted({str(f) for f in stores["format"]})
    pop = pd.to_numeric(zones["population"], errors="coerce").fillna(0.0)
    pop_max = float(pop.max()) if len(pop) and pop.max() > 0 else 1.0
    ranges = drone_range_km or {}
    for region in shown:
        in_region_z = zones[zones["region"].astype(str) == region] if len(shown) > 1 else zones
        in_region_s = stores[stores["region"].astype(str) == region] if len(shown) > 1 else stores
        ax = chart.panel(
            title=f"Region {region}" if len(shown) > 1 else "",
            xlabel="x (km)",
            ylabel="y (km)",
            equal_aspect=True,
            clip=True,
            title_size=9.5 * PX_PER_PT,
        )
        if len(in_region_z):
            ax.add(
                "markers",
                x=in_region_z["x_km"].to_numpy(float),
                y=in_region_z["y_km"].to_numpy(float),
                sizes=_zone_px(pop.loc[in_region_z.index].to_numpy(float) / pop_max),
                colour=ZONE_FILL,
                edge=ZONE_EDGE,
                edgewidth=0.5,
                alpha=0.6,
            )
        for i, fmt in enumerate(formats):
            group = in_region_s[in_region_s["format"].astype(str) == fmt]
            x, y = group["x_km"].to_numpy(float), group["y_km"].to_numpy(float)
            radius = ranges.get(fmt, ranges.get("*"))
            if radius and len(group):
                ax.add(
                    "circle",
                    x=x,
                    y=y,
                    r=radius,
                    colour=colour(i),
                    width=0.5,
                    opacity=0.35,
                    dash="2.7 4",
                )
            ax.add(
                "markers",
                x=x,
                y=y,
                shape=MARKERS[i % len(MARKERS)],
                size=12.3,
                colour=colour(i),
                edge="#000000",
            )
            ax.add(
                "text",
                x=x,
                y=y,
                text=[str(s) for s in group["id"]],
                size=7.5 * PX_PER_PT,
                dx=6.7,
                dy=-5.3,
            )
        xs = pd.concat([in_region_s["x_km"], in_region_z["x_km"]]).astype(float)
        ys = pd.concat([in_region_s["y_km"], in_region_z["y_km"]]).astype(float)
        if len(xs):
            # frame the stores and zones; drone range circles may run off the edge
            pad = 0.08 * max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 1.0)
            ax.xlim = (float(xs.min()) - pad, float(xs.max()) + pad)
            ax.ylim = (float(ys.min()) - pad, float(ys.max()) + pad)
    chart.legend = [
        LegendEntry(
            f"{fmt} store",
            colour(i),
            kind="marker",
            marker=MARKERS[i % len(MARKERS)],
            size=10.7,
            edge="#000000",
        )
        for i, fmt in enumerate(formats)
    ]
    if len(zones):
        for share in (0.25, 1.0):
            chart.legend.append(
                LegendEntry(
                    f"zone, {pop_max * share:,.0f} people",
                    ZONE_FILL,
                    kind="marker",
                    marker="o",
                    size=float(_zone_px(share)),
                    edge=ZONE_EDGE,
                )
            )
    if ranges:
        chart.legend.append(LegendEntry("drone range", NEUTRAL_COLOUR, dash="2.7 4"))
    chart.legend_ncols = min(3, max(1, len(chart.legend)))
    return chart
