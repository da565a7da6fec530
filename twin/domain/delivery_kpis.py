"""KPIs of the last mile: lead time, punctuality, cost, km and CO2e per order (overall and per
mode), failed attempts, drone share, utilisation and weather, in-home access refusals.

Everything is computed after the run from a :class:`DeliveryLog` (plain arrays), so pooling
stores (store ``all``, region ``all``) concatenates observations instead of averaging averages.
Orders count when they were placed inside the observation window; trips and flights when they
started inside it; fleet cost is the vehicle hours on shift inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.access_code import AccessOutcome
from twin.domain.store_kpis import Series, Window
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import bin_counts, level_from_intervals

MODE_NAMES = ("van", "bike", "drone")
VAN, BIKE, DRONE = range(3)
# outcomes of a delivery
PENDING, HANDED, INHOME, DOORSTEP, LOCKER = range(5)
DELIVERED = (HANDED, INHOME, DOORSTEP)
# why an order offered to drones went to a courier
NOT_REROUTED, WEATHER, DRONE_SHIFT_END = range(3)

ORDER_COLUMNS = (
    "order", "channel", "mode", "zone", "created_s", "ready_s", "slot_end_s", "first_out_s",
    "door_s", "outcome", "attempts", "failed", "is_inhome", "is_drone_eligible", "offered_drone",
    "weather_deferred", "rerouted", "weight_kg",
)  # fmt: skip
TRIP_COLUMNS = ("mode", "vehicle", "start_s", "depart_s", "end_s", "km", "orders", "stops")
FLEET_COLUMNS = (
    "mode", "units", "start_hour", "end_hour", "cost_per_h", "cost_per_km", "co2e_g_per_km",
)  # fmt: skip
FLIGHT_COLUMNS = (
    "order", "drone", "parcel_kg", "air_km", "offered_s", "launch_s", "door_s", "end_s",
)  # fmt: skip
PACK_COLUMNS = ("taken_s", "charged_s")
ACCESS_COLUMNS = ("order", "at_s", "outcome", "window_start_s", "window_end_s", "is_failed")
ORDER_COL = {name: i for i, name in enumerate(ORDER_COLUMNS)}
TRIP_COL = {name: i for i, name in enumerate(TRIP_COLUMNS)}
FLEET_COL = {name: i for i, name in enumerate(FLEET_COLUMNS)}
FLIGHT_COL = {name: i for i, name in enumerate(FLIGHT_COLUMNS)}
ACCESS_COL = {name: i for i, name in enumerate(ACCESS_COLUMNS)}


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
    "cost_per_order",
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
    "delivery.attempts_per_order", "attempts", "ratio", "Door attempts / orders attempted."
)
DRONE_SHARE = define(
    "drone.share_frac", "frac", "ratio", "Orders delivered by drone / orders delivered."
)
DRONE_ELIGIBLE = define(
    "drone.eligible_frac",
    "frac",
    "ratio",
    "Orders a drone may carry (payload, or split across drones, and straight-line round "
    "trip within range; not in-home) / delivery orders.",
)
DRONE_UTILISATION = define(
    "drone.utilisation_frac",
    "frac",
    "ratio",
    "Drone busy time (load, flight, drop, return, battery swap) / drone hours on shift.",
)
DRONE_DEFERRED = define(
    "drone.weather_deferred_frac",
    "frac",
    "ratio",
    "Orders offered to drones that waited for flyable weather / orders offered to drones.",
)
DRONE_REROUTED = define(
    "drone.weather_rerouted_frac",
    "frac",
    "ratio",
    "Orders offered to drones sent to a courier after waiting delivery.drone."
    "max_weather_wait_s for weather / orders offered to drones.",
)
DRONE_WAIT = define(
    "drone.wait_s", "s", "tally", "Parcel offered to the drones -> loading starts (per flight)."
)
FLIGHTS = define("drone.flights_n", "flights", "total", "Drone flights (one parcel each).")
PACKS_OUT = define(
    "drone.packs_out",
    "packs",
    "level",
    "Battery packs out of the charged pool (flying or recharging); Little's law: "
    "= flights per s x drone.pack_cycle_s.",
)
PACK_CYCLE = define(
    "drone.pack_cycle_s", "s", "tally", "A pack taken for a flight -> charged again."
)
COURIER_UTILISATION = define(
    "courier.utilisation_frac",
    "frac",
    "ratio",
    "Courier trip time (loading to return) / vehicle hours on shift, vans and bikes.",
)
COURIER_MODE_UTILISATION = {
    mode: define(
        f"courier.{MODE_NAMES[mode]}.utilisation_frac",
        "frac",
        "ratio",
        f"Trip time / vehicle hours on shift, {MODE_NAMES[mode]}s.",
    )
    for mode in (VAN, BIKE)
}
TRIP_S = define("courier.trip_s", "s", "tally", "One courier trip: loading to back at the store.")
STOPS = define("courier.stops_per_trip", "stops", "tally", "Customer zones visited on one trip.")
INHOME_ATTEMPTS = define(
    "inhome.attempts_n", "attempts", "total", "In-home delivery attempts (codes entered)."
)
INHOME_REFUSED = define(
    "inhome.refused_frac",
    "frac",
    "ratio",
    "In-home attempts whose access code was refused (outside its window, already used, or "
    "unknown) / in-home attempts.",
)
INHOME_FAILED = define(
    "inhome.failed_frac",
    "frac",
    "ratio",
    "In-home attempts that failed although the code was accepted / in-home attempts.",
)
REFUSED_BY_REASON = {
    AccessOutcome.REFUSED_OUTSIDE_WINDOW: define(
        "inhome.refused_outside_window_n",
        "attempts",
        "total",
        "Codes refused because the attempt was outside the code's window.",
    ),
    AccessOutcome.REFUSED_USED: define(
        "inhome.refused_used_n",
        "attempts",
        "total",
        "Codes refused because they had been used already (a retry with the same code).",
    ),
    AccessOutcome.REFUSED_UNKNOWN: define(
        "inhome.refused_unknown_n",
        "attempts",
        "total",
        "Codes refused as unknown (no code issued: its window had ended before the order was "
        "ready; or forgotten, long after its window, by the store's code issuer).",
    ),
}


@dataclass(slots=True)
class DeliveryLog:
    """The last mile of one or more stores (rows of the *_COLUMNS tuples; NaN = not yet)."""

    orders: np.ndarray
    trips: np.ndarray
    fleet: np.ndarray
    flights: np.ndarray
    packs: np.ndarray
    access: np.ndarray
    days: int

    @staticmethod
    def concat(logs: list[DeliveryLog]) -> DeliveryLog:
        return DeliveryLog(
            orders=np.concatenate([log.orders for log in logs]),
            trips=np.concatenate([log.trips for log in logs]),
            fleet=np.concatenate([log.fleet for log in logs]),
            flights=np.concatenate([log.flights for log in logs]),
            packs=np.concatenate([log.packs for log in logs]),
            access=np.concatenate([log.access for log in logs]),
            days=max(log.days for log in logs),
        )


def rows_array(rows: Sequence[Sequence[Any]], columns: tuple[str, ...]) -> np.ndarray:
    """Log rows (tuples of numbers and flags) as a float array with one column per name."""
    return np.array(rows, dtype=float).reshape(-1, len(columns))


def shift_s(start_hour: float, end_hour: float, days: int, window: Window) -> float:
    """Seconds of a daily shift [start_hour, end_hour) inside the window."""
    total = 0.0
    for day in range(days):
        start = max(day * DAY_S + start_hour * HOUR_S, window[0])
        end = min(day * DAY_S + end_hour * HOUR_S, window[1])
        total += max(0.0, end - start)
    return total


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
    _drone_kpis(rows, log, window, placed, delivered)
    _courier_kpis(rows, log, window, trip_in)
    _inhome_kpis(rows, log, window)


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


def _on_shift_s(log: DeliveryLog, window: Window, modes: tuple[int, ...]) -> float:
    fleet = log.fleet
    return float(
        sum(
            row[FLEET_COL["units"]]
            * shift_s(row[FLEET_COL["start_hour"]], row[FLEET_COL["end_hour"]], log.days, window)
            for row in fleet
            if int(row[FLEET_COL["mode"]]) in modes
        )
    )


def _busy_s(starts: np.ndarray, ends: np.ndarray, window: Window) -> float:
    return float(np.sum(np.clip(ends, *window) - np.clip(starts, *window)))


def _drone_kpis(
    rows: KpiRows, log: DeliveryLog, window: Window, placed: np.ndarray, delivered: np.ndarray
) -> None:
    o = log.orders
    mode = o[:, ORDER_COL["mode"]]
    rows.ratio(
        DRONE_SHARE, np.count_nonzero(delivered & (mode == DRONE)), np.count_nonzero(delivered)
    )
    rows.ratio(
        DRONE_ELIGIBLE,
        np.count_nonzero(placed & (o[:, ORDER_COL["is_drone_eligible"]] > 0)),
        np.count_nonzero(placed),
    )
    offered = placed & (o[:, ORDER_COL["offered_drone"]] > 0)
    n_offered = np.count_nonzero(offered)
    rows.ratio(
        DRONE_DEFERRED,
        np.count_nonzero(offered & (o[:, ORDER_COL["weather_deferred"]] > 0)),
        n_offered,
    )
    rows.ratio(
        DRONE_REROUTED,
        np.count_nonzero(offered & (o[:, ORDER_COL["rerouted"]] == WEATHER)),
        n_offered,
    )
    f = log.flights
    launched = (f[:, FLIGHT_COL["launch_s"]] >= window[0]) & (
        f[:, FLIGHT_COL["launch_s"]] < window[1]
    )
    rows.tally(
        DRONE_WAIT, f[launched, FLIGHT_COL["launch_s"]] - f[launched, FLIGHT_COL["offered_s"]]
    )
    rows.value(FLIGHTS, float(np.count_nonzero(launched)), "total")
    rows.ratio(
        DRONE_UTILISATION,
        _busy_s(f[:, FLIGHT_COL["launch_s"]], f[:, FLIGHT_COL["end_s"]], window),
        _on_shift_s(log, window, (DRONE,)),
    )
    p = log.packs
    level = level_from_intervals(p[:, 0], p[:, 1], window[0], window[1], window[1] - window[0])
    rows.level(PACKS_OUT, level.time_avg, level.max)
    taken = (p[:, 0] >= window[0]) & (p[:, 0] < window[1]) & np.isfinite(p[:, 1])
    rows.tally(PACK_CYCLE, p[taken, 1] - p[taken, 0])


def _courier_kpis(rows: KpiRows, log: DeliveryLog, window: Window, trip_in: np.ndarray) -> None:
    t = log.trips
    courier = trip_in & (t[:, TRIP_COL["mode"]] != DRONE)
    rows.ratio(
        COURIER_UTILISATION,
        _busy_s(
            t[t[:, TRIP_COL["mode"]] != DRONE, TRIP_COL["start_s"]],
            t[t[:, TRIP_COL["mode"]] != DRONE, TRIP_COL["end_s"]],
            window,
        ),
        _on_shift_s(log, window, (VAN, BIKE)),
    )
    for mode, name in COURIER_MODE_UTILISATION.items():
        of_mode = t[:, TRIP_COL["mode"]] == mode
        rows.ratio(
            name,
            _busy_s(t[of_mode, TRIP_COL["start_s"]], t[of_mode, TRIP_COL["end_s"]], window),
            _on_shift_s(log, window, (mode,)),
        )
    rows.tally(TRIP_S, t[courier, TRIP_COL["end_s"]] - t[courier, TRIP_COL["start_s"]])
    rows.tally(STOPS, t[courier, TRIP_COL["stops"]])


def _inhome_kpis(rows: KpiRows, log: DeliveryLog, window: Window) -> None:
    a = log.access
    inside = (a[:, ACCESS_COL["at_s"]] >= window[0]) & (a[:, ACCESS_COL["at_s"]] < window[1])
    outcome = a[inside, ACCESS_COL["outcome"]]
    n = outcome.size
    rows.value(INHOME_ATTEMPTS, float(n), "total")
    rows.ratio(INHOME_REFUSED, np.count_nonzero(outcome != AccessOutcome.ACCEPTED), n)
    rows.ratio(INHOME_FAILED, np.count_nonzero(a[inside, ACCESS_COL["is_failed"]] > 0), n)
    for reason, name in REFUSED_BY_REASON.items():
        rows.value(name, float(np.count_nonzero(outcome == reason)), "total")


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
