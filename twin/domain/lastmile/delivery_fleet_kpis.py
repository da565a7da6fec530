"""KPIs of the last mile's drones, couriers and in-home access: utilisation, weather, battery
packs, trips, access-code refusals. Part of
:func:`twin.domain.lastmile.delivery_kpis.delivery_kpis`, with the same conventions (trips and
flights count when they started inside the window).
"""

from __future__ import annotations

import numpy as np

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.common import Window, seconds_in
from twin.domain.lastmile.access_code import AccessOutcome
from twin.domain.lastmile.delivery_log import (
    ACCESS_COL,
    BIKE,
    DRONE,
    FLEET_COL,
    FLIGHT_COL,
    MODE_NAMES,
    ORDER_COL,
    TRIP_COL,
    VAN,
    WEATHER,
    DeliveryLog,
)
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import level_stats

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
    "drone.packs_out_n",
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
STOPS = define("courier.stops_n_per_trip", "stops", "tally", "Customer zones visited on one trip.")
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


def shift_s(start_hour: float, end_hour: float, days: int, window: Window) -> float:
    """Seconds of a daily shift [start_hour, end_hour) inside the window."""
    total = 0.0
    for day in range(days):
        start = max(day * DAY_S + start_hour * HOUR_S, window[0])
        end = min(day * DAY_S + end_hour * HOUR_S, window[1])
        total += max(0.0, end - start)
    return total


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


def drone_kpis(
    rows: KpiRows, log: DeliveryLog, window: Window, placed: np.ndarray, delivered: np.ndarray
) -> None:
    """Drone share, eligibility, weather, waits, flights, utilisation and battery packs."""
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
        seconds_in(f[:, FLIGHT_COL["launch_s"]], f[:, FLIGHT_COL["end_s"]], window),
        _on_shift_s(log, window, (DRONE,)),
    )
    p = log.packs
    rows.level(PACKS_OUT, *level_stats(p[:, 0], p[:, 1], *window))
    taken = (p[:, 0] >= window[0]) & (p[:, 0] < window[1]) & np.isfinite(p[:, 1])
    rows.tally(PACK_CYCLE, p[taken, 1] - p[taken, 0])


def courier_kpis(rows: KpiRows, log: DeliveryLog, window: Window, trip_in: np.ndarray) -> None:
    """Courier utilisation (all, and by mode), trip durations and stops per trip."""
    t = log.trips
    courier = trip_in & (t[:, TRIP_COL["mode"]] != DRONE)
    rows.ratio(
        COURIER_UTILISATION,
        seconds_in(
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
            seconds_in(t[of_mode, TRIP_COL["start_s"]], t[of_mode, TRIP_COL["end_s"]], window),
            _on_shift_s(log, window, (mode,)),
        )
    rows.tally(TRIP_S, t[courier, TRIP_COL["end_s"]] - t[courier, TRIP_COL["start_s"]])
    rows.tally(STOPS, t[courier, TRIP_COL["stops"]])


def inhome_kpis(rows: KpiRows, log: DeliveryLog, window: Window) -> None:
    """In-home attempts, refused and failed shares, and refusals by reason."""
    a = log.access
    inside = (a[:, ACCESS_COL["at_s"]] >= window[0]) & (a[:, ACCESS_COL["at_s"]] < window[1])
    outcome = a[inside, ACCESS_COL["outcome"]]
    n = outcome.size
    rows.value(INHOME_ATTEMPTS, float(n), "total")
    rows.ratio(INHOME_REFUSED, np.count_nonzero(outcome != AccessOutcome.ACCEPTED), n)
    rows.ratio(INHOME_FAILED, np.count_nonzero(a[inside, ACCESS_COL["is_failed"]] > 0), n)
    for reason, name in REFUSED_BY_REASON.items():
        rows.value(name, float(np.count_nonzero(outcome == reason)), "total")
