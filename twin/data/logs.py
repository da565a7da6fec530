"""The twin's own KPI log objects rebuilt from operations logs, so observed KPIs use the twin's
KPI code (``store_kpis``, ``grocery_kpis``, ``orders_kpis``, ``delivery_kpis``) unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.data.read import DAY_S, OpsLogs
from twin.data.schema import CHANNELS, CHECKOUT_KINDS, ORDER_OUTCOMES, VISIT_OUTCOMES
from twin.domain.lastmile.delivery_kpis import delivery_kpis
from twin.domain.lastmile.delivery_log import (
    ACCESS_COLUMNS,
    FLEET_COLUMNS,
    FLIGHT_COLUMNS,
    HANDED,
    ORDER_COL,
    ORDER_COLUMNS,
    PACK_COLUMNS,
    PENDING,
    TRIP_COLUMNS,
    DeliveryLog,
)
from twin.domain.online.orders_kpis import ORDER_COLUMNS as ORDERS_LOG_COLUMNS
from twin.domain.online.orders_kpis import C as ORDER_C
from twin.domain.online.orders_kpis import OrdersLog, orders_kpis
from twin.domain.stores.checkout import CheckoutLog
from twin.domain.stores.grocery_kpis import grocery_kpis
from twin.domain.stores.staffing import spans_roster
from twin.domain.stores.store_kpis import StoreLog, store_kpis
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


def orders_log(orders: pd.DataFrame, horizon_s: float) -> OrdersLog:
    """The online orders as the twin's :class:`OrdersLog` (columns the logs do not have: NaN)."""
    rows = np.full((len(orders), len(ORDERS_LOG_COLUMNS)), np.nan)

    def put(name: str, values: np.ndarray) -> None:
        rows[:, ORDER_C[name]] = values

    put("order", np.arange(len(orders), dtype=float))
    put("channel", _codes(orders["channel"], CHANNELS))
    put("is_pickup", (orders["mode"] == "pickup").to_numpy(dtype=float))
    for name, column in (
        ("created_s", "placed"),
        ("due_s", "promised"),
        ("picked_s", "pick_end"),
        ("ready_s", "ready"),
        ("collected_s", "handed_over"),
        ("expired_s", "returned"),
        ("pick_started_s", "pick_start"),
        ("weight_kg", "weight_kg"),
        ("value", "value"),
        ("ambient_units", "ambient_units"),
        ("chilled_units", "chilled_units"),
        ("frozen_units", "frozen_units"),
    ):
        put(name, orders[column].to_numpy(dtype=float))
    put("outcome", _codes(orders["outcome"], ORDER_OUTCOMES))
    units = rows[:, [ORDER_C[f"{z}_units"] for z in ("ambient", "chilled", "frozen")]]
    put("units", np.nansum(units, axis=1))
    for name in ("overflowed", "at_counter", "method", "from_bar"):
        put(name, np.zeros(len(orders)))
    return OrdersLog(rows, horizon_s, False)


def delivery_log(orders: pd.DataFrame, days: int) -> DeliveryLog:
    """The delivery orders as the twin's :class:`DeliveryLog` (orders only: no trips, fleet,
    flights or access attempts; enough for lead times, on-time and failed shares)."""
    mine = orders[orders["mode"] == "delivery"]
    rows = np.full((len(mine), len(ORDER_COLUMNS)), np.nan)
    door = mine["delivered"].to_numpy(dtype=float)
    values = {
        "order": np.arange(len(mine), dtype=float),
        "channel": _codes(mine["channel"], CHANNELS),
        "mode": _codes(mine["vehicle"], ("van", "bike", "drone")),
        "created_s": mine["placed"].to_numpy(dtype=float),
        "ready_s": mine["ready"].to_numpy(dtype=float),
        "slot_end_s": mine["slot_end"].to_numpy(dtype=float),
        "door_s": door,
        "outcome": np.where(np.isfinite(door), HANDED, PENDING).astype(float),
        "attempts": np.nan_to_num(mine["attempts"].to_numpy(dtype=float)),
        "failed": np.nan_to_num(mine["failed_attempts"].to_numpy(dtype=float)),
        "weight_kg": mine["weight_kg"].to_numpy(dtype=float),
    }
    for name, column in values.items():
        rows[:, ORDER_COL[name]] = column

    def empty(columns: tuple[str, ...]) -> np.ndarray:
        return np.zeros((0, len(columns)))

    return DeliveryLog(
        rows,
        empty(TRIP_COLUMNS),
        empty(FLEET_COLUMNS),
        empty(FLIGHT_COLUMNS),
        empty(PACK_COLUMNS),
        empty(ACCESS_COLUMNS),
        days,
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
    orders = logs.tables.get("orders")
    if orders is not None and len(orders):
        if store is not None:
            orders = orders[orders["store"] == store]
        orders_kpis(rows, orders_log(orders, window[1]), window)
        if (orders["mode"] == "delivery").any() and orders["slot_end"].notna().any():
            delivery_kpis(rows, delivery_log(orders, logs.days), window)
    return {(kpi, stat): value for kpi, stat, value, _unit in rows.rows}
