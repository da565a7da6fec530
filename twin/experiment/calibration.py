"""The default world against its calibration targets (twin.kpi.targets): checks and CALIBRATION.md.

:func:`calibration_table` reads a run's tidy KPI table and gives, for every target, the
network value with its 95 % CI, the worst store and whether each is inside the range.
``python -m twin.experiment.calibration`` runs the default metro day (5 replications) and
writes docs/CALIBRATION.md from that table, so the page always states what the code gives;
``--check`` exits 1 when a row is off target.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.kpi.stats import t_interval
from twin.kpi.targets import CALIBRATION_TARGETS, NETWORK, Target

DEFAULT_OVERRIDES = ("run.replications=5",)
HOW_CALIBRATED = """
## How the default is calibrated

Only planner targets and sourced defaults were set, never outcomes: the operations plan
(docs/PLANNER.md) is computed before time 0 from expected load, and these targets decide it:
`planner.lanes.wait_target_s` 180 s with `wait_alpha` 0.35 (Erlang C on the expected till
arrivals), `planner.pickers.ready_target` 0.98 and `utilisation_target` 0.75,
`planner.fleet.utilisation_target` 0.5, and the balanced zone catchment
(`fulfilment.balance_detour_s` 600 s). Behaviour (balking, patience, self-checkout share,
closing, cold staging, freshest-first picking) is sourced in its domain pages.

Pickup promises (docs/ORDERS.md; a product decision, 2026-12-05). With every pickup promised
15 minutes after ordering, a 30-item order's ~4 pick tasks need 2-4 idle pickers in every
hour with pickups, so pickers were 23.1 % busy (network, 5 replications); planning for
utilisation instead left 10 % of pickups late. DOMAIN 1(b): Amazon Fresh Pickup orders could
be collected 15 min after ordering and customers reserved windows; grocers promise from an
hour (Whole Foods) to 4-6 h (Walmart, Target). So 70 % of pickup customers book a window 1-4 h
ahead (`orders.pickup.slots.share`, an assumption, sweep 0-1), the rest ask for the 15-minute
express, which is offered when the store's idle pickers can keep it (`slots.express:
when_free`, else the customer books a window). Booked orders are picked from 90 min before
their window (`fulfilment.store.picking.booked_release_s`, an assumption), express first
(earliest due first), and go into the lockers 15 min before the window (Stop & Shop). The
promise row counts express and booked orders against their own promise; the run also reports
`pickup.express_refused_frac` (the share of express requests offered a window instead) and
`pickup.express_within_promise_frac` (on 2026-12-05: 69 % of express requests were offered
a window, 91 % of pickups had a booked window, every express order granted was ready in
time). A second counter colleague (`collection.counter_staff`
2, an assumption) takes the locker overflow of the national network's busiest stores.

The national day (`network=national`, 504 stores, 1 replication) is inside every network
row too (a test holds it); there single stores miss the every-store rows.

Cold chain: chilled and frozen goods are picked into insulated totes with coolant
(`coldchain.packaging.pick_tote_s` 6 h, an assumption) and staged in their zone. Picked bare
into a cart, the default metro day handed chilled items over at 5.5 C (above the 5 C Food Code
limit) with 31 minutes above 4.4 C; in the tote, 4.4 C and 5 minutes (1 replication).
"""
ALL = "all"


@dataclass(frozen=True)
class Check:
    target: Target
    value: float  # network: mean over replications; every store: the worst store's mean
    half_width: float  # 95 % CI half-width of that mean (NaN with one replication)
    store: str  # the worst store (network rows too, for the table)
    store_value: float
    inside: bool


def _means(kpis: pd.DataFrame, target: Target) -> pd.DataFrame:
    rows = kpis[(kpis["kpi"] == target.kpi) & (kpis["stat"] == target.stat)]
    grouped = rows.groupby(["region", "store"])["value"]
    return pd.DataFrame(
        {"mean": grouped.mean(), "half_width": grouped.agg(_half_width)}
    ).reset_index()


def _half_width(values: pd.Series) -> float:
    return t_interval(values.to_numpy(dtype=float))[1]


def _distance(target: Target, value: float) -> float:
    """How far ``value`` is outside the range (0 inside; inf for NaN)."""
    if math.isnan(value):
        return math.inf
    return max(target.low - value, value - target.high, 0.0)


def _worst(target: Target, stores: pd.DataFrame) -> tuple[str, float]:
    """The store furthest outside the range, or nearest its binding bound when all are in."""
    if stores.empty:
        return "", math.nan
    values = stores["mean"].to_numpy(dtype=float)
    outside = np.array([_distance(target, v) for v in values])
    if outside.max() > 0:
        i = int(np.argmax(outside))
    else:
        # a bound at a KPI's natural limit (0, or 1 for a fraction) never binds
        low_binds = not math.isinf(target.low) and target.low > 0
        high_binds = not math.isinf(target.high) and not (
            target.kpi.endswith("_frac") and target.high >= 1.0
        )
        slack = np.minimum(
            values - target.low if low_binds else np.inf,
            target.high - values if high_binds else np.inf,
        )
        i = int(np.argmin(slack))
    return str(stores["store"].iloc[i]), float(values[i])


def calibration_table(kpis: pd.DataFrame) -> list[Check]:
    """Every target checked on a run's KPI table (kpis.parquet)."""
    checks = []
    for target in CALIBRATION_TARGETS:
        means = _means(kpis, target)
        network = means[(means["region"] == ALL) & (means["store"] == ALL)]
        if network.empty:  # a single region: its store ``all`` is the network
            network = means[means["store"] == ALL]
        stores = means[(means["store"] != ALL) & means["mean"].notna()]
        store, store_value = _worst(target, stores)
        if target.scope == NETWORK:
            value = float(network["mean"].iloc[0]) if len(network) else math.nan
            half = float(network["half_width"].iloc[0]) if len(network) else math.nan
            inside = target.contains(value)
        else:
            value = store_value
            row = stores[stores["store"] == store]
            half = float(row["half_width"].iloc[0]) if len(row) else math.nan
            inside = bool(len(stores)) and all(target.contains(v) for v in stores["mean"])
        checks.append(Check(target, value, half, store, store_value, inside))
    return checks


def _range(target: Target) -> str:
    if math.isinf(target.low):
        return f"<= {_fmt(target.kpi, target.high)}"
    if math.isinf(target.high):
        return f">= {_fmt(target.kpi, target.low)}"
    return f"{_fmt(target.kpi, target.low)} - {_fmt(target.kpi, target.high)}"


def _fmt(kpi: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if kpi.endswith("_frac"):
        return f"{value:.1%}".replace("%", " %")
    return f"{value:.1f}"


def calibration_markdown(checks: Sequence[Check], how: str) -> str:
    """docs/CALIBRATION.md: one row per target."""
    lines = [
        "# Calibration: the default world against published figures",
        "",
        "Generated by `python -m twin.experiment.calibration --write docs/CALIBRATION.md` from",
        f"{how}; targets are declared once in `twin/kpi/targets.py` (read by the calibration",
        "test in tests/calibration/ and by the run report). Grades: [P] published data or",
        "paper, [I] industry report or trade press, [R] rule of thumb (no public figure).",
        "*Network* rows hold for the network aggregate; *every store* rows for each store with",
        "that activity. Values are means over replications with 95 % CI half-widths; the worst",
        "store is the one furthest outside (or, all inside, nearest the binding bound).",
        "",
        "| KPI | scope | target | value (95 % CI) | worst store | inside | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for check in checks:
        t = check.target
        half = "" if math.isnan(check.half_width) else f" ± {_fmt(t.kpi, check.half_width)}"
        worst = f"{check.store} {_fmt(t.kpi, check.store_value)}" if check.store else "-"
        lines.append(
            f"| {t.label} (`{t.kpi}`) | {t.scope.replace('_', ' ')} | {_range(t)} | "
            f"{_fmt(t.kpi, check.value)}{half} | {worst} | {'yes' if check.inside else '**no**'} "
            f"| [{t.grade}] {t.source} |"
        )
    off = [c for c in checks if not c.inside]
    lines += ["", f"{len(checks) - len(off)} of {len(checks)} rows inside."]
    if off:
        lines.append(
            "Off target: "
            + "; ".join(
                f"{c.target.label} ({c.target.scope.replace('_', ' ')}) "
                f"{_fmt(c.target.kpi, c.value)}"
                for c in off
            )
            + "."
        )
    return "\n".join(lines) + "\n" + HOW_CALIBRATED


def run_default(overrides: Sequence[str] = DEFAULT_OVERRIDES) -> pd.DataFrame:
    """The KPI table of the default scenario with ``overrides``."""
    from twin.config.load import load_config
    from twin.experiment.replications import simulate

    return simulate(load_config(list(overrides))).kpis


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="a run folder to read instead of running")
    parser.add_argument("--write", type=Path, help="write the Markdown page here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a row is off target")
    parser.add_argument("overrides", nargs="*", default=list(DEFAULT_OVERRIDES))
    args = parser.parse_args(argv)
    if args.run is not None:
        kpis = pd.read_parquet(args.run / "kpis.parquet")
        how = f"the run folder {args.run.name}"
    else:
        kpis = run_default(args.overrides)
        how = "`twin " + " ".join(args.overrides) + "` (the default metro day)"
    checks = calibration_table(kpis)
    text = calibration_markdown(checks, how)
    if args.write is not None:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    off = [c for c in checks if not c.inside]
    for check in off:
        print(
            f"off target: {check.target.kpi} ({check.target.scope}) = "
            f"{_fmt(check.target.kpi, check.value)}, expected {_range(check.target)}",
            file=sys.stderr,
        )
    return 1 if args.check and off else 0


if __name__ == "__main__":
    raise SystemExit(main())
