"""KPIs of the last mile: lead time, punctuality, cost, km and CO2e per order (overall and per
mode), failed attempts; and, from :mod:`twin.domain.lastmile.delivery_fleet_kpis`, drone share,
utilisation and weather, courier trips, in-home access refusals.

Everything is computed after the run from a :class:`twin.domain.lastmile.delivery_log.DeliveryLog`
(plain arrays), so pooling
stores (store ``all``, region ``all``) concatenates observations instead of averaging averages.
Orders count when they were placed inside the observation window; trips and flights when they
started inside it; fleet cost is the vehicle hours on shift inside it.
"""

from __future__ import annotations

import numpy as np

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.common import Series, Window
from twin.domain.lastmile.delivery_fleet_kpis import courier_kpis, drone_kpis, inhome_kpis, shift_s
from twin.domain.lastmile.delivery_log import (
    DELIVERED,
    DRONE,
    FLEET_COL,
    FLIGHT_COL,
    LOCKER,
    MODE_NAMES,
    ORDER_COL,
    TRIP_COL,
    DeliveryLog,
)
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import bin_counts, level_from_intervals


def _per_mode(metric: str, unit: str, kind: str, meaning: str) -> tuple[str, dict[int, str]]:
    """A KPI over all modes (``delivery.<metric>``) and one per mode (``delivery.<mode>.*``)."""
    overall = define(f"delivery.{metric}", unit, kind, meaning + " All modes.")
    by_mode = {
        mode: define(f"delivery.{name}.{metric}", unit, kind, f"{meaning} By {name}.")
        for mode, name in enumerate(MODE_NAMES)
    }
    return overall, by_mode


ORDERS_N = _per_mode("orders_n", "orders", "total", "Delivery orders handed to the last mile.")
LEAD_TIME = _per_mode(
    "lead_time_s",
    "s",
    "tally",
    "Order placed -> at the door (handed over, left at the door, or in the home); "
    "orders redirected to lockers excluded.",
)
ON_TIME = _per_mode(
    "on_time_frac",
    "frac",
    "ratio",
    "Orders at the door by the end of their slot (due_s + delivery.slot_s) / orders delivered, "
    "redirected, or still out when their slot had ended.",
)
COST = _per_mode(
    "cost_money_per_order",
    "currency",
    "ratio",
    "(Fleet hours on shift x cost per hour + km x cost per km) / orders delivered or redirected.",
)
KM = _per_mode("km_per_order", "km", "ratio", "Vehicle km / orders delivered or redirected.")
CO2E = _per_mode(
    "co2e_g_per_order", "g", "ratio", "Vehicle km x CO2e per km / orders delivered or redirected."
)
FAILED = _per_mode(
    "failed_frac",
    "frac",
    "ratio",
    "Orders with at least one failed attempt (nobody home, in-home code refused or "
    "attempt failed) / orders attempted.",
)
STAGE_TRAVEL = define(
    "delivery.stage_travel_s",
    "s",
    "mean",
    "Mean per order delivered: first loaded onto a vehicle or drone -> at the door (the "
    "lead-time stage after delivery.dispatch_wait_s).",
)
DISPATCH_WAIT = define(
    "delivery.dispatch_wait_s",
    "s",
    "tally",
    "Ready for dispatch -> first loaded onto a vehicle or drone (batching, waves, weather).",
)
LOCKER_FRAC = define(
    "delivery.locker_redirect_frac",
    "frac",
    "ratio",
    "Orders redirected to the store's lockers after failed attempts / orders delivered or "
    "redirected.",
)
UNDELIVERED = define(
    "delivery.undelivered_n",
    "orders",
    "total",
    "Orders placed in the window still not delivered or redirected at the end of the run.",
)
ATTEMPTS = define(
    "delivery.attempts_n_per_order", "attempts", "ratio", "Door attempts / orders attempted."
)


def delivery_kpis(rows: KpiRows, log: DeliveryLog, window: Window) -> None:
    """Every last-mile KPI over ``window``."""
    o = log.orders
    start, end = window
    placed = (o[:, ORDER_COL["created_s"]] >= start) & (o[:, ORDER_COL["created_s"]] < end)
    outcome = o[:, ORDER_COL["outcome"]]
    delivered = placed & np.isin(outcome, DELIVERED)
    served = delivered | (placed & (outcome == LOCKER))
    mode = o[:, ORDER_COL["mode"]]
    trips = log.trips
    trip_in = (trips[:, TRIP_COL["start_s"]] >= start) & (trips[:, TRIP_COL["start_s"]] < end)
    _mode_kpis(rows, log, window, placed, delivered, served, trip_in, None, 0)
    for m in range(len(MODE_NAMES)):
        _mode_kpis(rows, log, window, placed, delivered, served, trip_in, m, mode == m)
    first_out = o[:, ORDER_COL["first_out_s"]]
    out = placed & ~np.isnan(first_out)
    rows.tally(DISPATCH_WAIT, first_out[out] - o[out, ORDER_COL["ready_s"]])
    rows.ratio(
        LOCKER_FRAC, np.count_nonzero(placed & (outcome == LOCKER)), np.count_nonzero(served)
    )
    travel = o[:, ORDER_COL["door_s"]] - first_out
    travel = travel[delivered & ~np.isnan(travel)]
    rows.value(STAGE_TRAVEL, float(travel.mean()) if travel.size else float("nan"))
    rows.value(UNDELIVERED, float(np.count_nonzero(placed & ~served)), "total")
    attempted = placed & (o[:, ORDER_COL["attempts"]] > 0)
    rows.ratio(
        ATTEMPTS, float(o[attempted, ORDER_COL["attempts"]].sum()), np.count_nonzero(attempted)
    )
    drone_kpis(rows, log, window, placed, delivered)
    courier_kpis(rows, log, window, trip_in)
    inhome_kpis(rows, log, window)


def _mode_kpis(
    rows: KpiRows,
    log: DeliveryLog,
    window: Window,
    placed: np.ndarray,
    delivered: np.ndarray,
    served: np.ndarray,
    trip_in: np.ndarray,
    mode: int | None,
    of_mode: np.ndarray | int,
) -> None:
    o = log.orders

    def name(kpi: tuple[str, dict[int, str]]) -> str:
        return kpi[0] if mode is None else kpi[1][mode]

    if mode is not None:
        assert isinstance(of_mode, np.ndarray)
        placed, delivered, served = placed & of_mode, delivered & of_mode, served & of_mode
    rows.value(name(ORDERS_N), float(np.count_nonzero(placed)), "total")
    door = o[:, ORDER_COL["door_s"]]
    rows.tally(name(LEAD_TIME), door[delivered] - o[delivered, ORDER_COL["created_s"]])
    on_time = np.count_nonzero(delivered & (door <= o[:, ORDER_COL["slot_end_s"]] + 1e-9))
    late_for_sure = placed & ~served & (o[:, ORDER_COL["slot_end_s"]] < log.days * DAY_S)
    rows.ratio(name(ON_TIME), on_time, np.count_nonzero(served | late_for_sure))
    cost, km, co2e = _fleet_cost(log, window, trip_in, mode)
    n_served = np.count_nonzero(served)
    rows.ratio(name(COST), cost, n_served)
    rows.ratio(name(KM), km, n_served)
    rows.ratio(name(CO2E), co2e, n_served)
    attempted = placed & (o[:, ORDER_COL["attempts"]] > 0)
    rows.ratio(
        name(FAILED),
        np.count_nonzero(attempted & (o[:, ORDER_COL["failed"]] > 0)),
        np.count_nonzero(attempted),
    )


def _fleet_cost(
    log: DeliveryLog, window: Window, trip_in: np.ndarray, mode: int | None
) -> tuple[float, float, float]:
    """Cost, km and grams CO2e of one mode's fleet (or every mode) inside the window."""
    cost = km = co2e = 0.0
    trips = log.trips
    for row in log.fleet:
        fleet_mode = int(row[FLEET_COL["mode"]])
        if mode is not None and fleet_mode != mode:
            continue
        hours = row[FLEET_COL["units"]] * shift_s(
            row[FLEET_COL["start_hour"]], row[FLEET_COL["end_hour"]], log.days, window
        )
        cost += hours / HOUR_S * row[FLEET_COL["cost_per_h"]]
    for fleet_mode in range(len(MODE_NAMES)):
        if mode is not None and fleet_mode != mode:
            continue
        mode_km = float(
            trips[trip_in & (trips[:, TRIP_COL["mode"]] == fleet_mode), TRIP_COL["km"]].sum()
        )
        rates = log.fleet[log.fleet[:, FLEET_COL["mode"]] == fleet_mode]
        if rates.size:
            # every store of a run has the same rates per km
            cost += mode_km * rates[0, FLEET_COL["cost_per_km"]]
            co2e += mode_km * rates[0, FLEET_COL["co2e_g_per_km"]]
        km += mode_km
    return cost, km, co2e


def delivery_series(log: DeliveryLog, window: Window, bin_s: float) -> list[Series]:
    """Orders at the door per bin; courier vehicles out and drones busy (bin averages)."""
    o = log.orders
    door = o[np.isin(o[:, ORDER_COL["outcome"]], DELIVERED), ORDER_COL["door_s"]]
    t = log.trips
    courier = t[:, TRIP_COL["mode"]] != DRONE
    f = log.flights
    out = level_from_intervals(
        t[courier, TRIP_COL["start_s"]], t[courier, TRIP_COL["end_s"]], *window, bin_s
    )
    flying = level_from_intervals(
        f[:, FLIGHT_COL["launch_s"]], f[:, FLIGHT_COL["end_s"]], *window, bin_s
    )
    return [
        ("deliveries_n", bin_counts(door, window[0], window[1], bin_s), "orders"),
        ("couriers_out", out.bin_avg, "vehicles"),
        ("drones_busy", flying.bin_avg, "drones"),
    ]
