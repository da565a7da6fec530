"""One delivery order on the last mile: what it needs (drawn or known at hand-off) and its
timeline, shared by the courier pools, the drone fleets and the door policies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.lastmile.delivery_log import NOT_REROUTED, PENDING
from twin.domain.online.orders import Order

NAN = math.nan


@dataclass(slots=True, eq=False)
class Delivery:
    """A delivery order from ready for dispatch to the door (or the store lockers)."""

    order: Order
    id: int  # order id (unique in the region)
    store: int  # serving store index
    zone: int  # customer zone index
    ready_s: float
    slot_start_s: float  # the customer's delivery slot
    slot_end_s: float
    weight_kg: float
    volume_l: float
    is_inhome: bool
    is_drone_eligible: bool  # fits the payload (or splits) and the range; not in-home
    parcels: int  # drone flights it needs (1, or more when split)
    mode: int = -1
    offered_s: float = NAN  # when offered to its current courier pool or drone fleet
    release_s: float = 0.0  # waves: not dispatched before this
    first_out_s: float = NAN  # first loaded onto a vehicle or drone
    leg_start_s: float = NAN  # current vehicle leg started
    door_s: float = NAN  # at the door on the successful attempt (last parcel for drones)
    outcome: int = PENDING
    attempts: int = 0
    failed: int = 0
    policy: int = -1  # after a failed attempt kept on board: RETRY or LOCKER
    code: int = -1  # in-home access code (-1: none valid)
    code_window: tuple[float, float] = (NAN, NAN)
    offered_drone: bool = False
    weather_deferred: bool = False
    grounded_s: float = NAN  # waiting for weather since
    rerouted: int = NOT_REROUTED
    launched: int = 0  # parcels launched
    parcels_left: int = 0  # parcels not yet dropped


def is_on_shift(t_s: float, start_hour: float, end_hour: float) -> bool:
    """Whether ``t_s`` falls in the daily shift [start_hour, end_hour).

    >>> is_on_shift(86400.0 + 9 * 3600.0, 8, 21), is_on_shift(21 * 3600.0, 8, 21)
    (True, False)
    """
    hour = (t_s % DAY_S) / HOUR_S
    return start_hour <= hour < end_hour


class CourierHooks(Protocol):
    """What a courier trip asks of the last mile (door policies, cold legs, failures)."""

    def loaded(self, delivery: Delivery, now: float) -> None: ...

    def attempt(self, delivery: Delivery, now: float, stop_s: float) -> float: ...

    def returned(self, delivery: Delivery, now: float) -> None: ...


class DroneHooks(Protocol):
    """What a drone fleet asks of the last mile."""

    def launched(self, delivery: Delivery, now: float) -> None: ...

    def dropped(self, delivery: Delivery, door_s: float, now: float) -> None: ...

    def reroute(self, delivery: Delivery, reason: int) -> None: ...
