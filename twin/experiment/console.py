"""The short KPI summary a run prints at the end (plain text, no colours)."""

from __future__ import annotations

import math

import pandas as pd

HEADLINE = [
    ("store.shoppers_n", "total", "shoppers"),
    ("store.revenue_money", "total", "revenue"),
    ("store.time_in_store_s", "mean", "time in store (s)"),
    ("store.occupancy_n", "mean", "occupancy (avg)"),
    ("checkout.wait_s", "mean", "checkout wait (s, mean)"),
    ("checkout.wait_s", "p95", "checkout wait (s, p95)"),
    ("checkout.balked_frac", "mean", "balked"),
    ("checkout.reneged_frac", "mean", "reneged"),
    ("checkout.lane_utilisation_frac", "mean", "lane utilisation"),
    ("jwo.receipt_delay_s", "mean", "JWO receipt delay (s)"),
    ("orders.n", "total", "online orders"),
    ("pickup.ready_within_promise_frac", "mean", "pickup ready in promise"),
    ("pickup.customer_wait_s", "mean", "pickup customer wait (s)"),
    ("locker.overflow_frac", "mean", "locker overflow"),
    ("delivery.lead_time_s", "mean", "delivery lead time (s)"),
    ("delivery.on_time_frac", "mean", "delivered on time"),
    ("drone.share_frac", "mean", "drone share"),
    ("coldchain.spoiled_frac", "mean", "spoiled (cold chain)"),
]


def kpi_summary_text(summary: pd.DataFrame, extra: list[tuple[str, str, str]] | None = None) -> str:
    """Headline KPIs of the whole network (region all, or the only region), one per line."""
    rows = summary[summary["store"] == "all"]
    regions = rows["region"].unique().tolist()
    scope = "all" if "all" in regions else (regions[0] if regions else None)
    rows = rows[rows["region"] == scope]
    lines = []
    for kpi, stat, label in HEADLINE + (extra or []):
        match = rows[(rows["kpi"] == kpi) & (rows["stat"] == stat)]
        if match.empty:
            continue
        row = match.iloc[0]
        unit = "total" if stat == "total" else str(row["unit"])
        value = _fmt(float(row["mean"]), unit)
        half = float(row["half_width"])
        ci = f" ± {_fmt(half, unit)}" if not math.isnan(half) else ""
        lines.append(f"  {label:<28} {value}{ci}")
    n_reps = int(rows["n_reps"].max()) if not rows.empty else 0
    head = f"KPI summary (network, {n_reps} replication{'s' if n_reps != 1 else ''}"
    head += ", ± 95% CI half-width)" if n_reps > 1 else ")"
    return "\n".join([head, *lines])


def _fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "frac":
        return f"{value:.1%}"
    if unit == "total":
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


JOB_LINE_KPIS = [
    ("checkout.wait_s", "mean", "wait"),
    ("checkout.reneged_frac", "mean", "reneged"),
    ("store.revenue_money", "total", "revenue"),
]


def job_line(
    job: str, overrides: list[str], summary: pd.DataFrame, wall_time_s: float, folder: object
) -> str:
    """One sweep job on one line: its overrides, a few network KPIs, wall time and folder."""
    rows = summary[summary["store"] == "all"]
    scope = "all" if "all" in set(rows["region"]) else (rows["region"].min() if len(rows) else "")
    rows = rows[rows["region"] == scope]
    cells = []
    for kpi, stat, label in JOB_LINE_KPIS:
        match = rows[(rows["kpi"] == kpi) & (rows["stat"] == stat)]
        if not match.empty:
            unit = "total" if stat == "total" else str(match["unit"].iloc[0])
            text = _fmt(float(match["mean"].iloc[0]), unit)
            cells.append(f"{label} {text}" + (f" {unit}" if unit not in ("frac", "total") else ""))
    return (
        f"{job} ok ({wall_time_s:.1f} s): {' '.join(overrides) or '(no overrides)'}: "
        f"{', '.join(cells)} -> {folder}"
    )
