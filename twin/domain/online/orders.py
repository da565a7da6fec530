"""Online orders: the :class:`Order` record and its codes (channel, temperature zone, outcome).

An order's random attributes are drawn before time 0 (:mod:`twin.domain.online.orders_draws`); the
rest of the record is its timeline as the store and the last mile serve it. Which store offers
a channel and at what rates orders come: :mod:`twin.domain.online.orders_rates`; every order of a
region, and reusing the draws across a sizing search: :mod:`twin.domain.online.orders_build`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import simpy

from twin.config.orders import TEMPERATURE_ZONES

PICKUP, DELIVERY, REPLENISHMENT = range(3)  # channel codes, in CHANNELS order
AMBIENT, CHILLED, FROZEN = range(3)  # temperature zone codes, in TEMPERATURE_ZONES order
N_ZONES = len(TEMPERATURE_ZONES)
# outcome codes
PENDING, COLLECTED, EXPIRED, DISPATCHED = range(4)
NAN = math.nan
DAY_S = 86400.0

# One pick task: units and picking seconds per temperature zone, walk and staging seconds.
TaskSpec = tuple[tuple[int, int, int], tuple[float, float, float], float, float]


@dataclass(slots=True, eq=False)
class Order:
    """One online order: attributes drawn at creation, then its timeline as it is served."""

    id: int
    channel: int  # PICKUP, DELIVERY or REPLENISHMENT
    is_pickup: bool  # collected at the store (else handed to delivery)
    zone: int  # customer zone index in the region
    created_s: float
    due_s: float  # ready by then: created + promise, or the booked window's start (pickup)
    hold_s: float  # pickup: held this long after max(ready, slot start), then returned
    units: tuple[int, int, int]  # by temperature zone
    weight_kg: tuple[float, float, float]
    volume_l: tuple[float, float, float]
    value: float
    locker_class: tuple[int, int, int]  # smallest fitting compartment class per zone
    locker_count: tuple[int, int, int]  # compartments needed per zone (0 = no items)
    arrive_offset_s: float  # customer arrival after the slot start or ready (< 0: early)
    retrieval_s: float
    counter_s: float
    runner_s: float
    tasks: list[TaskSpec]
    is_from_bar: bool = False  # placed with a kiosk-bar receipt code (created when redeemed)
    booked_lead_s: float = NAN  # booked window starts this long after ordering (NaN: express)
    fallback_lead_s: float = NAN  # express asked: the window taken if express is refused
    express_refused: bool = False  # asked for express, offered a window instead
    store: int = -1  # serving store index in the region
    tasks_left: int = 0
    pick_started_s: float = NAN  # a picker started its first task
    picked_s: float = NAN
    ready_s: float = NAN  # collectable (pickup) or ready for dispatch (delivery)
    arrived_s: float = NAN  # customer at the store
    collected_s: float = NAN
    expired_s: float = NAN
    outcome: int = PENDING
    overflowed: bool = False  # some part found no free compartment
    at_counter: bool = False
    parts_waiting: int = 0
    locker_load_s: float = NAN  # a booked order staged until its lockers are loaded (NaN: at once)
    left_storage_s: list[float] = field(default_factory=lambda: [NAN, NAN, NAN])
    # per zone: where its locker stay starts in the bank's stays log (-1: none)
    stays: list[int] = field(default_factory=lambda: [-1, -1, -1])
    customer: simpy.Event | None = None  # a customer waiting for the order to be ready

    def fresh(self) -> Order:
        """A copy with the drawn attributes only (the timeline not yet started)."""
        return Order(*(getattr(self, name) for name in DRAWN_FIELDS))

    @property
    def total_units(self) -> int:
        return sum(self.units)

    @property
    def zones(self) -> list[str]:
        """Names of the temperature zones this order has items in."""
        return [name for name, units in zip(TEMPERATURE_ZONES, self.units, strict=True) if units]


def booked_due_s(created_s: float, lead_s: float, promise_s: float, last_start_s: float) -> float:
    """When an order must be ready: its window's start.

    Express (``lead_s`` NaN): ``promise_s`` after ordering. Booked: ``lead_s`` after ordering;
    a customer who wants a window after the day's last one (``last_start_s`` after midnight)
    takes one as far before it as they wanted beyond it (no pile-up on the last window), and
    never earlier than express.

    >>> booked_due_s(36000.0, NAN, 900.0, 75600.0)  # 10:00, express
    36900.0
    >>> booked_due_s(36000.0, 7200.0, 900.0, 75600.0)  # 10:00, booked 2 h ahead
    43200.0
    >>> booked_due_s(68400.0, 10800.0, 900.0, 75600.0)  # 19:00 + 3 h is 1 h past 21:00: 20:00
    72000.0
    >>> booked_due_s(75000.0, 7200.0, 900.0, 75600.0)  # 20:50: express
    75900.0
    """
    express = created_s + promise_s
    if lead_s != lead_s:  # NaN: express
        return express
    latest = math.floor(created_s / DAY_S) * DAY_S + last_start_s
    wanted = created_s + lead_s
    return max(express, wanted if wanted <= latest else 2.0 * latest - wanted)


_FIELDS = [f.name for f in dataclasses.fields(Order)]
DRAWN_FIELDS = tuple(_FIELDS[: _FIELDS.index("store")])  # drawn at creation; the rest: timeline
