"""The sizing folder: sizing.json, sizing_curve.parquet and sizing_curve.png (docs/CONTRACTS.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from twin.config.fulfilment import capacity_key
from twin.experiment.run_folder import write_atomic, write_json, write_parquet
from twin.experiment.sizing import SizingResult

CURVE_COLUMNS = [
    "resource",
    "capacity",
    "demand_scale",
    "kpi",
    "mean",
    "half_width",
    "n_reps",
    "target",
    "meets_target",
]


def curve_frame(result: SizingResult) -> pd.DataFrame:
    """Every capacity point simulated, one row per (resource, capacity, demand, kpi)."""
    frame = pd.DataFrame([dataclasses.asdict(p) for p in result.points], columns=CURVE_COLUMNS)
    frame = frame.astype(
        {
            "capacity": "int64",
            "demand_scale": "float64",
            "mean": "float64",
            "half_width": "float64",
            "n_reps": "int64",
            "target": "float64",
        }
    )
    # bool, or None for context KPIs without a target (parquet: a nullable bool column)
    frame["meets_target"] = frame["meets_target"].astype(object)
    return frame.sort_values(
        ["resource", "kpi", "demand_scale", "capacity"], kind="mergesort"
    ).reset_index(drop=True)


def sizing_json(result: SizingResult) -> dict[str, Any]:
    today = 1.0 if 1.0 in result.recommendations else result.demand_scales[0]
    targets: dict[str, Any] = {}
    for r in result.resources:
        targets[r.kpi] = f"{'>=' if r.at_least else '<='} {r.target:g}"
    return {
        "resource": "pickup capacity",
        "resources": [r.name for r in result.resources],
        "store": result.store,
        "region": result.region,
        "recommendation": result.recommendations[today],
        "demand_scale": today,
        "targets": {**targets, "confidence": "whole t-interval clears the target"},
        "by_demand_scale": {f"{scale:g}": rec for scale, rec in result.recommendations.items()},
        "estimates": {
            f"{scale:g}": {name: dataclasses.asdict(e) for name, e in est.items()}
            for scale, est in result.estimates.items()
        },
        "confirmation": result.confirmation,
        "simulations": result.simulations,
        "wall_time_s": round(result.wall_time_s, 3),
        "replications_per_point": result.replications,
        "days_per_replication": result.days,
        "overrides": recommendation_overrides(result.store, result.recommendations[today]),
    }


def recommendation_overrides(store_id: str, recommendation: dict[str, int | None]) -> list[str]:
    """The command-line override that applies the recommendation to the store.

    >>> recommendation_overrides("S01", {"pickers": 4, "lockers.chilled": 5})
    ['+fulfilment.store_overrides={S01:{pickers:4,lockers:{chilled:{compartments:5}}}}']
    """
    tree: dict[str, Any] = {}
    for name, capacity in recommendation.items():
        if capacity is None:
            continue
        *path, last = capacity_key(name).split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = capacity
    return [f"+fulfilment.store_overrides={_hydra_dict({store_id: tree})}"] if tree else []


def _hydra_dict(tree: dict[str, Any]) -> str:
    """A nested dict in Hydra's override syntax: ``{a:1,b:{c:2}}``."""
    items = (f"{k}:{_hydra_dict(v) if isinstance(v, dict) else v}" for k, v in tree.items())
    return "{" + ",".join(items) + "}"


def curve_figure(curve: pd.DataFrame, recommendation: dict[str, int | None]) -> Figure:
    """One panel per resource: its target KPI (mean ± CI) against capacity, per demand level."""
    decided = curve[curve["target"].notna()]
    resources = list(dict.fromkeys(decided["resource"]))
    columns = min(2, max(1, len(resources)))
    rows_n = max(1, -(-len(resources) // columns))
    fig = Figure(figsize=(5.0 * columns, 3.3 * rows_n), layout="constrained")
    FigureCanvasAgg(fig)
    for i, resource in enumerate(resources, start=1):
        ax = fig.add_subplot(rows_n, columns, i)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        rows = decided[decided["resource"] == resource]
        for scale, group in rows.groupby("demand_scale", sort=True):
            group = group.sort_values("capacity")
            ax.errorbar(
                group["capacity"],
                group["mean"],
                yerr=group["half_width"].fillna(0.0),
                marker="o",
                capsize=3,
                label=f"demand x {scale:g}",
            )
        target = float(rows["target"].iloc[0])
        ax.axhline(target, color="#b22222", linestyle="--", linewidth=1, label=f"target {target:g}")
        rec = recommendation.get(resource)
        if rec is not None:
            ax.axvline(rec, color="black", linestyle=":", linewidth=1, label=f"recommended {rec}")
        ax.set_title(f"{resource}", loc="left", fontsize=10)
        ax.set_xlabel("capacity")
        ax.set_ylabel(str(rows["kpi"].iloc[0]), fontsize=8)
        ax.legend(fontsize=7)
    return fig


def write_sizing(folder: Path, result: SizingResult) -> None:
    """All files of a sizing folder; sizing.json last."""
    curve = curve_frame(result)
    write_parquet(folder / "sizing_curve.parquet", curve)
    today = 1.0 if 1.0 in result.recommendations else result.demand_scales[0]
    fig = curve_figure(curve, result.recommendations[today])
    write_atomic(folder / "sizing_curve.png", lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    write_json(folder / "sizing.json", sizing_json(result))


def summary_text(result: SizingResult) -> str:
    """What ``twin-size`` prints."""
    lines = [f"Pickup capacity for store {result.store} (region {result.region}):"]
    for scale, rec in result.recommendations.items():
        shown = ", ".join(f"{k} {'-' if v is None else v}" for k, v in rec.items())
        lines.append(f"  demand x {scale:g}: {shown}")
    conf = result.confirmation
    if "at_recommendation" in conf:
        ok = "meets every target" if conf["recommendation_meets_all"] else "MISSES a target"
        fails = ", ".join(conf["one_less_fails"]) or "none"
        lines.append(f"  fresh seeds: recommendation {ok}; one unit less fails for: {fails}")
    lines.append(
        f"  {result.simulations} simulations ({result.replications} replications x "
        f"{result.days} days per point) in {result.wall_time_s:.1f} s"
    )
    return "\n".join(lines)


__all__ = ["curve_frame", "sizing_json", "summary_text", "write_sizing"]
