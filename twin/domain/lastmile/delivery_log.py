"""The last mile's log: mode and outcome codes, the row layouts, and :class:`DeliveryLog`.

Stores write their deliveries, trips, fleet, drone flights, battery packs and in-home access
attempts as rows of numbers (columns named by the ``*_COLUMNS`` tuples); the KPIs
(:mod:`twin.domain.lastmile.delivery_kpis`) read them after the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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
