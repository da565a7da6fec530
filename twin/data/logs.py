"""The twin's own KPI log objects rebuilt from operations logs, so observed KPIs use the twin's
KPI code (``store_kpis``, ``grocery_kpis``) unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.data.read import DAY_S, OpsLogs
from twin.data.schema import CHECKOUT_KINDS, VISIT_OUTCOMES
from twin.domain.checkout import CheckoutLog
from twin.domain.grocery_kpis import grocery_kpis
from twin.domain.staffing import spans_roster
from twin.domain.store_kpis import StoreLog, store_kpis
from twin.kpi.catalog import KpiRows


def _codes(values: pd.Series, words: tuple[str, ...]) -> np.ndarray:
    codes = values.map({w: float(i) for i, w in enumerate(words)})
    return codes.astype(float).fillna(np.nan).to_numpy(dtype=float)


def store_log(visits: pd.DataFrame) -> StoreLog:
    arrival = visits["arrival"].to_numpy(dtype=float)
    leave = visits["leave"].to_numpy(dtype=float)
    done = ~np.isnan(leave)
    spend = np.nan_to_num(visits["spend"].to_numpy(dtype=float))
    return StoreLog(np.sort(arrival), arrival[done], leave[done], spend[done], arrival[~done])


def checkout_log(
    visits: pd.DataFrame, rosters: pd.DataFrame | None, cashier_cost_per_h: float
) -> CheckoutLog:
    """The visits of the shoppers who reached the tills, and the lane and kiosk rosters."""
    outcome = _codes(visits["outcome"], VISIT_OUTCOMES)
    at_tills = outcome <= 2  # served, balked, reneged
    v = visits[at_tills]
    lanes: list[tuple[float, float]] = []
    kiosks: list[tuple[float, float]] = []
    if rosters is not None:
        columns = [rosters[c].to_numpy(dtype=float) for c in ("start", "end", "level")]
        kinds = rosters["resource"].to_numpy(dtype=object)
        for kind, start, end, level in zip(kinds, *columns, strict=True):
            target = lanes if kind == "staffed_lanes" else kiosks
            target.extend([(float(start), float(end))] * round(level))
    return CheckoutLog(
        arrivals_s=np.sort(visits["arrival"].to_numpy(dtype=float)),
        shopper=np.arange(len(v), dtype=np.int64),
        arrive_s=v["arrival"].to_numpy(dtype=float),
        join_s=v["queue_join"].to_numpy(dtype=float),
        start_s=v["service_start"].to_numpy(dtype=float),
        end_s=v["service_end"].to_numpy(dtype=float),
        lane_kind=_codes(v["checkout_kind"], CHECKOUT_KINDS),
        units=v["items"].to_numpy(dtype=float),
        outcome=outcome[at_tills],
        revenue=np.nan_to_num(v["spend"].to_numpy(dtype=float)),
        lane_roster=spans_roster(lanes, cashier_cost_per_h),
        kiosk_roster=spans_roster(kiosks),
        overtime_roster=spans_roster([]),
    )


def observed_kpis(
    logs: OpsLogs, store: str | None = None, cashier_cost_per_h: float = 18.0
) -> dict[tuple[str, str], float]:
    """(kpi, stat) -> value over the logged days, for one store or all stores pooled."""
    visits = logs.tables["visits"]
    rosters = logs.tables.get("rosters")
    if store is not None:
        visits = visits[visits["store"] == store]
        rosters = rosters[rosters["store"] == store] if rosters is not None else None
    window = (0.0, logs.days * DAY_S)
    rows = KpiRows()
    store_kpis(rows, store_log(visits), window)
    if visits["queue_join"].notna().any():
        grocery_kpis(rows, checkout_log(visits, rosters, cashier_cost_per_h), window)
    return {(kpi, stat): value for kpi, stat, value, _unit in rows.rows}
