"""Run page at a glance: readable KPI labels and units, calibration flags, where the time goes.

Plain data for the run template; the figures are in :mod:`twin.report.plots_glance`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from twin.kpi.targets import CALIBRATION_TARGETS, EVERY_STORE, NETWORK, Target
from twin.report.fmt import (
    bounds_of,
    clipped_interval,
    display_unit,
    format_number,
    natural_key,
    network_level,
    unit_of,
)

# What a reader calls a KPI (the console's words where it has them); others are derived.
LABELS = {
    "store.shoppers_n": "Walk-in shoppers",
    "store.revenue_money": "Walk-in revenue",
    "store.time_in_store_s": "Time in store",
    "store.occupancy_n": "Shoppers in store",
    "checkout.wait_s": "Checkout wait",
    "checkout.balked_frac": "Shoppers who balked",
    "checkout.reneged_frac": "Shoppers who reneged",
    "checkout.lane_utilisation_frac": "Staffed-lane utilisation",
    "checkout.labour_cost_money": "Checkout labour cost",
    "orders.n": "Online orders",
    "pickup.ready_within_promise_frac": "Pickups ready within promise",
    "pickup.customer_wait_s": "Pickup customer wait",
    "locker.overflow_frac": "Locker overflow",
    "delivery.lead_time_s": "Delivery lead time",
    "delivery.on_time_frac": "Deliveries on time",
    "delivery.attempts_n_per_order": "Door attempts per order",
    "drone.share_frac": "Drone share of deliveries",
    "drone.utilisation_frac": "Drone utilisation",
    "coldchain.spoiled_frac": "Items spoiled (cold chain)",
    "coldchain.shelf_life_left_frac": "Shelf life left at hand-over",
}
STAT_WORDS = {"mean": "mean", "p50": "median", "p90": "90th percentile", "p95": "95th pct."}
TIME_UNITS = ("s", "min", "h")

# Where an order's lead time goes: (stage, KPI of its mean duration per order).
STAGES = (
    ("waiting for a picker", "orders.stage_picker_wait_s"),
    ("picking", "orders.stage_picking_s"),
    ("staging", "orders.stage_staging_s"),
    ("waiting for dispatch", "delivery.dispatch_wait_s"),
    ("travel", "delivery.stage_travel_s"),
    ("hand-over", "pickup.stage_handover_s"),
)


def label_of(kpi: str) -> str:
    """``checkout.wait_s`` -> ``Checkout wait``; unknown KPIs read from their name."""
    if kpi in LABELS:
        return LABELS[kpi]
    domain, _, rest = kpi.partition(".")
    # units read as words or go (the value shows them): lane_h -> lane hours, cost_money -> cost
    rest = rest.replace("_money", "").replace("_n_per_", "_per_")
    rest = rest[:-2] + "_hours" if rest.endswith("_h") and not rest.endswith("_per_h") else rest
    rest = rest.removesuffix("_len_n")  # queue_len_n: a length in a count reads "queue"
    for suffix in ("_frac", "_s", "_n", "_kg", "_km", "_c", "_len"):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    words = f"{domain} {rest.replace('.', ' ').replace('_', ' ')}".strip()
    return words[:1].upper() + words[1:]


def time_scale(seconds: float) -> tuple[float, str]:
    """Divisor and unit that keep a duration readable: s below 2 min, min below 2 h, else h."""
    magnitude = abs(seconds) if math.isfinite(seconds) else 0.0
    if magnitude >= 7200:
        return 3600.0, "h"
    if magnitude >= 120:
        return 60.0, "min"
    return 1.0, "s"


def readable(mean: Any, half_width: Any, unit: str, currency: str = "$") -> dict[str, str]:
    """A value, its interval and its unit as a person writes them.

    Times in s, min or h; money with the currency symbol in front; fractions in percent;
    other units (``attempts``, ``shoppers``) left to the label. Intervals are the t-interval
    clipped to the unit's bounds (0-100 %, >= 0), shown as a range when clipping changed them.
    """
    value = _number(mean)
    hw = _number(half_width)
    if value is None:
        return {"value": "–", "unit": "", "interval": "no value"}
    if unit == "s":
        divisor, shown = time_scale(value)
        value_text = format_number(value / divisor)
        interval = _interval(value, hw, unit, lambda x: format_number(x / divisor), shown)
        return {"value": value_text, "unit": shown, "interval": interval}
    if unit == "currency":
        text = currency + format_number(value)
        interval = _interval(value, hw, unit, lambda x: currency + format_number(x), "")
        return {"value": text, "unit": "", "interval": interval}
    shown = display_unit(unit) if unit in ("frac", "fraction", "kg", "km", "h", "°C") else ""
    shown = "°C" if unit == "C" else shown
    suffix = "%" if shown == "%" else ""
    interval = _interval(
        value, hw, unit, lambda x: format_number(x, unit) + suffix, "" if suffix else shown
    )
    return {"value": format_number(value, unit), "unit": shown, "interval": interval}


def _interval(value: float, hw: float | None, unit: str, fmt: Any, unit_text: str) -> str:
    if hw is None:
        return "no CI (one replication)"
    low, high, clipped = clipped_interval(value, hw, unit)
    tail = f" {unit_text}" if unit_text else ""
    if clipped:
        return f"95 % CI {fmt(low)} – {fmt(high)}{tail} (clipped at the bound)"
    width = fmt(hw)
    return f"± {width}{tail}"


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def currency_symbol(config: dict[str, Any]) -> str:
    """``report.currency_symbol`` or ``run.currency_symbol`` of the run config, else ``$``
    (the cost parameters in DOMAIN.md are US dollars)."""
    for section in ("report", "run"):
        node = config.get(section)
        if isinstance(node, dict) and isinstance(node.get("currency_symbol"), str):
            return str(node["currency_symbol"])
    return "$"


def off_target(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Every store (and the network) outside a calibration target of twin.kpi.targets.

    Targets of KPIs absent from the run are skipped (some arrive with later model versions)."""
    flags: list[dict[str, Any]] = []
    wanted = {(t.kpi, t.stat) for t in CALIBRATION_TARGETS}
    top = network_level(summary)
    # (kpi, stat) -> [(store, mean, unit)], for every row and for the network rows; plain
    # tuples, since a pandas filter per target costs more than the whole scan
    rows = _rows_by_kpi(summary, wanted)
    network = _rows_by_kpi(top, wanted)
    for target in CALIBRATION_TARGETS:
        key = (target.kpi, target.stat)
        found = rows.get(key, [])
        if not found:
            continue
        if target.scope == NETWORK:
            found = network.get(key, [])
        elif target.scope == EVERY_STORE:
            found = [r for r in found if r[0] != "all"]
        for store, mean, unit in found:
            value = _number(mean)
            if value is None or target.contains(value):
                continue
            flags.append(_flag(target, store, value, unit))
    return sorted(flags, key=lambda f: (f["store"] != "network", natural_key(f["store"])))


def _rows_by_kpi(
    frame: pd.DataFrame, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[str, Any, str]]]:
    """Rows of ``frame`` whose (kpi, stat) is ``wanted``, as (store, mean, unit) by key."""
    out: dict[tuple[str, str], list[tuple[str, Any, str]]] = {}
    columns = (frame[c].tolist() for c in ("kpi", "stat", "store", "mean", "unit"))
    for kpi, stat, store, mean, unit in zip(*columns, strict=True):
        key = (str(kpi), str(stat))
        if key in wanted:
            out.setdefault(key, []).append((str(store), mean, str(unit)))
    return out


def _flag(target: Target, store: str, value: float, unit: str) -> dict[str, Any]:
    unit = unit_of(target.kpi, target.stat, unit)
    shown = readable(value, None, unit)
    low, high = target.low, target.high
    upper = bounds_of(unit)[1]
    if math.isinf(low):
        wanted = f"≤ {_bound(high, unit)}"
    elif math.isinf(high) or (upper is not None and high >= upper):
        wanted = f"≥ {_bound(low, unit)}"
    else:
        wanted = f"{_bound(low, unit)} – {_bound(high, unit)}"
    return {
        "store": "network" if store == "all" else store,
        "kpi": target.kpi,
        "label": target.label,
        "value": f"{shown['value']} {shown['unit']}".strip().replace(" %", " %"),
        "wanted": wanted,
        "source": target.source,
    }


def _bound(x: float, unit: str) -> str:
    shown = readable(x, None, unit)
    return f"{shown['value']} {shown['unit']}".strip()


def lead_time_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean minutes per order in each stage, a row per store and one for the network.

    Columns: ``store`` then the stages present in the run (NaN -> 0: a store without the
    stage's orders spends no time in it)."""
    kpis = dict((kpi, stage) for stage, kpi in STAGES)
    rows = summary[summary["kpi"].isin(kpis) & (summary["stat"] == "mean")]
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(stage=rows["kpi"].map(kpis), minutes=rows["mean"].astype(float) / 60.0)
    stores = rows[rows["store"] != "all"]
    net = network_level(rows).assign(store="network")
    table = pd.concat([stores, net]).pivot_table(
        index="store", columns="stage", values="minutes", aggfunc="mean"
    )
    table = table.dropna(how="all")
    present = [stage for stage, _ in STAGES if stage in table.columns]
    table = table[present].fillna(0.0)
    order = sorted(table.index, key=lambda s: (s == "network", natural_key(s)))
    return table.loc[order].reset_index()
