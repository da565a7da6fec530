"""The sizing folder: sizing.json and sizing_curve.parquet (docs/CONTRACTS.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from twin.config.fulfilment import capacity_key
from twin.experiment.run_folder import write_json, write_parquet
from twin.experiment.sizing import SizingResult
from twin.run_files import SIZING_CURVE


def curve_frame(result: SizingResult) -> pd.DataFrame:
    """Every capacity point simulated, one row per (resource, capacity, demand, kpi)."""
    columns = list(SIZING_CURVE.columns)
    frame = pd.DataFrame([dataclasses.asdict(p) for p in result.points], columns=columns)
    frame = frame.astype(SIZING_CURVE.typed())
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


def write_sizing(folder: Path, result: SizingResult) -> None:
    """All files of a sizing folder; sizing.json last. Its figure is the report's
    (``twin.report.plots_sweep.sizing_figure``), drawn from sizing_curve.parquet."""
    write_parquet(folder / SIZING_CURVE.file, curve_frame(result))
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
