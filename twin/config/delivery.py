"""Last-mile config: courier fleets (vans, cargo bikes), drones, in-home delivery, dispatch.

Defaults follow ../shared/DOMAIN.md 1(c) and section 3; configs/delivery/mixed.yaml restates
them with a source on each value. The processes that use them are in
:mod:`twin.domain.lastmile.dispatcher` (mode choice, failed deliveries, cold legs),
:mod:`twin.domain.lastmile.courier` (batching, routing, trips) and
:mod:`twin.domain.lastmile.drone` (flights, battery packs, weather).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.config.fields import choice, dist, items, num, prob
from twin.config.orders import CHANNELS
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

MODES = ("van", "bike", "drone")
COURIER_MODES = ("van", "bike")
FAILURE_POLICIES = ("retry", "locker", "doorstep")


def _d(kind: str, mean: float = 0.0, cv: float = 0.0) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv)


def _check_hours(key: str, start_hour: int, end_hour: int) -> None:
    if end_hour <= start_hour:
        raise ConfigError(f"{key}.end_hour", end_hour, f"an hour after start_hour ({start_hour})")


@dataclass
class CourierConfig:
    """One courier mode at every store offering delivery: its vehicles, trips and costs."""

    vehicles: int = num(1, ge=0, doc="vehicles per store offering a delivery channel")
    speed_kmh: float = num(25.0, gt=0.0, doc="effective speed along the road route")
    capacity_orders: int = num(16, ge=1, doc="orders on one trip")
    capacity_kg: float = num(600.0, gt=0.0)
    capacity_l: float = num(2000.0, gt=0.0)
    max_road_km: float = num(0.0, ge=0.0, doc="serves zones up to this road km away; 0 = any")
    load_s: DistSpec = dist(lambda: _d("lognormal", 60.0, 0.5), doc="loading one order")
    stop_s: DistSpec = dist(
        lambda: _d("lognormal", 180.0, 0.5), doc="one delivery: park, walk, hand over"
    )
    start_hour: int = num(8, ge=0, le=23, doc="first hour a trip may start")
    end_hour: int = num(22, ge=1, le=24, doc="no trip starts at or after this hour")
    batch_orders: int = num(6, ge=1, doc="on_demand: a trip leaves when this many orders wait")
    max_wait_s: float = num(1200.0, ge=0.0, doc="on_demand: ... or the oldest waited this long")
    cost_per_h: float = num(35.0, ge=0.0, doc="per vehicle hour on shift (crew and vehicle)")
    cost_per_km: float = num(0.3, ge=0.0)
    co2e_g_per_km: float = num(230.0, ge=0.0)

    def check(self, key: str) -> None:
        _check_hours(key, self.start_hour, self.end_hour)
        if self.batch_orders > self.capacity_orders:
            raise ConfigError(
                f"{key}.batch_orders",
                self.batch_orders,
                f"at most capacity_orders ({self.capacity_orders})",
            )


def _bike() -> CourierConfig:
    return CourierConfig(
        vehicles=1,
        speed_kmh=16.0,
        capacity_orders=4,
        capacity_kg=120.0,
        capacity_l=300.0,
        max_road_km=5.0,
        load_s=_d("lognormal", 30.0, 0.5),
        stop_s=_d("lognormal", 120.0, 0.5),
        start_hour=8,
        end_hour=21,
        batch_orders=3,
        max_wait_s=900.0,
        cost_per_h=24.0,
        cost_per_km=0.02,
        co2e_g_per_km=8.0,
    )


@dataclass
class WeatherConfig:
    """When drones may fly: an hourly no-fly indicator (Markov chain or a trace file)."""

    kind: str = choice("markov", ("markov", "trace", "none"), doc="none = always flyable")
    no_fly_share: float = prob(0.3, doc="markov: long-run share of no-fly hours")
    mean_spell_h: float = num(3.0, ge=1.0, doc="markov: mean length of a no-fly spell")
    trace_csv: str = ""  # trace: CSV with a header and one row per hour (1/true = no fly)
    trace_column: str = ""  # trace: the no-fly column ('' = the only column)

    def check(self, key: str) -> None:
        share = self.no_fly_share
        if self.kind == "markov" and 0 < share < 1 and share / (1 - share) > self.mean_spell_h:
            raise ConfigError(
                f"{key}.mean_spell_h",
                self.mean_spell_h,
                f"at least {share / (1 - share):.3g} h with no_fly_share = {share:g} "
                "(flyable spells would be shorter than the one-hour step)",
            )
        if self.kind == "trace" and not Path(self.trace_csv).is_file():
            raise ConfigError(
                f"{key}.trace_csv", self.trace_csv, "the path of an existing hourly CSV file"
            )


@dataclass
class DroneConfig:
    """The drones of every store offering delivery: payload, range, turnaround, packs."""

    drones: int = num(2, ge=0, doc="drones per store offering a delivery channel")
    packs: int = num(5, ge=0, doc="battery packs per store, swapped after every flight")
    payload_kg: float = num(2.3, gt=0.0, doc="heaviest parcel one drone carries")
    range_km: float = num(19.0, gt=0.0, doc="round trip, straight line")
    cruise_speed_mps: float = num(26.0, gt=0.0)
    load_s: DistSpec = dist(lambda: _d("lognormal", 90.0, 0.3), doc="load and launch")
    drop_s: DistSpec = dist(lambda: _d("lognormal", 45.0, 0.3), doc="hover and tethered drop")
    swap_s: DistSpec = dist(lambda: _d("fixed", 120.0), doc="battery swap after landing")
    charge_s: DistSpec = dist(
        lambda: _d("lognormal", 1200.0, 0.2), doc="a swapped-out pack recharges"
    )
    start_hour: int = num(8, ge=0, le=23)
    end_hour: int = num(21, ge=1, le=24, doc="orders still waiting then go to couriers")
    offer_frac: float = prob(1.0, doc="share of drone-eligible orders sent by drone")
    split: str = choice(
        "split", ("none", "split"), doc="an order over the payload: courier, or several drones"
    )
    max_drones_per_order: int = num(2, ge=1, doc="split: at most this many flights per order")
    max_queue_per_drone: int = num(
        4, ge=0, doc="an order goes to a courier when this many parcels per drone wait; 0 = any"
    )
    max_weather_wait_s: float = num(
        1800.0, ge=0.0, doc="an order grounded this long by weather goes to a courier"
    )
    cost_per_h: float = num(20.0, ge=0.0, doc="per drone hour on shift")
    cost_per_km: float = num(0.05, ge=0.0)
    co2e_g_per_km: float = num(9.0, ge=0.0)
    weather: WeatherConfig = field(default_factory=WeatherConfig)

    def check(self, key: str) -> None:
        _check_hours(key, self.start_hour, self.end_hour)
        if self.drones > 0 and self.packs < 1:
            raise ConfigError(
                f"{key}.packs",
                self.packs,
                f"at least 1 battery pack when drones = {self.drones}",
                f"Set {key}.drones=0 to run without drones.",
            )


@dataclass
class InHomeConfig:
    """In-home delivery: a one-time access code valid in the delivery window only."""

    share: float = prob(0.1, doc="share of courier orders delivered into the home")
    extra_stop_s: DistSpec = dist(lambda: _d("fixed", 90.0), doc="unlock, put away, relock")
    fail_prob: float = prob(0.05, doc="an accepted code still ends in a failed attempt")
    fallback: str = choice(
        "doorstep", FAILURE_POLICIES, doc="refused or failed: doorstep, retry later or lockers"
    )
    early_s: float = num(3600.0, ge=0.0, doc="the code is valid from this long before the slot")
    late_s: float = num(0.0, ge=0.0, doc="... until this long after the slot ends")
    reissue_code_on_retry: bool = True


def _channel_modes() -> dict[str, list[str]]:
    return {"delivery": list(MODES[::-1]), "replenishment": list(MODES[::-1])}


@dataclass
class DeliveryConfig:
    """The last mile of delivery orders, from the store's dispatch desk to the door."""

    enabled: bool = True
    # channel -> modes in order of preference: the first that can take an order gets it
    channel_modes: dict[str, list[str]] = field(default_factory=_channel_modes)
    dispatch: str = choice(
        "on_demand", ("on_demand", "waves"), doc="couriers: batch on demand, or leave in waves"
    )
    wave_hours: list[float] = items(
        lambda: [9.0, 11.0, 13.0, 15.0, 17.0, 19.0], ge=0.0, le=24.0, doc="waves: departures"
    )
    slot_s: float = num(3600.0, gt=0.0, doc="delivery slot: from the order's due_s, this long")
    not_home_prob: float = prob(0.05, doc="attended delivery: nobody at home")
    on_not_home: str = choice("retry", FAILURE_POLICIES, doc="retry later, lockers, or doorstep")
    max_attempts: int = num(2, ge=1, doc="after this many failed attempts: store lockers")
    retry_after_s: float = num(3600.0, ge=0.0, doc="a failed order waits this long at the store")
    doorstep_dwell_s: DistSpec = dist(
        lambda: _d("lognormal", 1800.0, 1.0), doc="left at the door until taken in"
    )
    locker_collect_s: DistSpec = dist(
        lambda: _d("lognormal", 14400.0, 0.8), doc="redirected to the store lockers until collected"
    )
    van: CourierConfig = field(default_factory=CourierConfig)
    bike: CourierConfig = field(default_factory=_bike)
    drone: DroneConfig = field(default_factory=DroneConfig)
    inhome: InHomeConfig = field(default_factory=InHomeConfig)

    def fleet(self, mode: str) -> int:
        """Vehicles (or drones) of ``mode`` at each store."""
        if mode == "drone":
            return self.drone.drones
        courier: CourierConfig = getattr(self, mode)
        return courier.vehicles

    def check(self, key: str) -> None:
        for channel, modes in self.channel_modes.items():
            if channel not in CHANNELS:
                raise ConfigError(
                    f"{key}.channel_modes.{channel}",
                    modes,
                    f"a channel name, one of {', '.join(CHANNELS)}",
                )
            if not modes or len(set(modes)) != len(modes) or not set(modes) <= set(MODES):
                raise ConfigError(
                    f"{key}.channel_modes.{channel}",
                    modes,
                    f"a non-empty list of distinct modes from {', '.join(MODES)}",
                )
        if self.dispatch == "waves":
            hours = self.wave_hours
            if not hours or hours != sorted(hours) or len(set(hours)) != len(hours):
                raise ConfigError(
                    f"{key}.wave_hours",
                    hours,
                    "at least one wave hour, increasing (dispatch: waves)",
                )


def check_delivery(delivery: DeliveryConfig, orders: Any, fulfilment: Any) -> None:
    """Every channel that hands orders to delivery needs a courier fleet (TwinConfig.check).

    Drones cannot take every order (over the payload, beyond the range, no-fly weather), so a
    channel with orders needs a van or bike mode with vehicles among its modes.
    """
    if not (delivery.enabled and orders.enabled):
        return
    for channel in CHANNELS:
        config = getattr(orders, channel)
        offered = any(channel in names for names in fulfilment.channels_by_format.values())
        if not (
            config.handoff == "delivery"
            and config.enabled
            and config.daily_orders_per_store > 0
            and offered
        ):
            continue
        key = f"delivery.channel_modes.{channel}"
        modes = delivery.channel_modes.get(channel)
        if modes is None:
            raise ConfigError(
                key,
                "(missing)",
                f"the modes that deliver channel {channel} (it has orders: "
                f"orders.{channel}.daily_orders_per_store = {config.daily_orders_per_store:g})",
                f"For example {key}=[bike,van].",
            )
        couriers = [m for m in modes if m in COURIER_MODES and delivery.fleet(m) > 0]
        if not couriers:
            fleets = ", ".join(f"delivery.{m}.{_fleet_key(m)} = {delivery.fleet(m)}" for m in MODES)
            raise ConfigError(
                key,
                modes,
                f"at least one courier mode (van or bike) with vehicles: channel {channel} has "
                f"orders (orders.{channel}.daily_orders_per_store = "
                f"{config.daily_orders_per_store:g}) and drones cannot carry every order; "
                f"the fleets are {fleets}",
                f"Add vehicles, list a courier mode, or set orders.{channel}.enabled=false.",
            )


def _fleet_key(mode: str) -> str:
    return "drones" if mode == "drone" else "vehicles"
