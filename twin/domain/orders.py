"""Online orders: who orders when, what is in the basket, and which store serves it.

Orders arrive from customer zones as non-homogeneous Poisson processes (one per zone and
channel, by the channel's hour-of-day profile). Each channel's volume is given per store
offering it and spread over the region's zones by population. Every random attribute of an
order is drawn before time 0, in blocks, from the zone's named streams
``orders.<zone>.<channel>.<name>``, so changing a capacity never changes the orders (common
random numbers across the points of a sizing curve).

An order's pick list runs ambient -> chilled -> frozen (walk path: frozen last) and is cut into
pick tasks: by temperature zone (``split_by_zone``) and into pieces of at most
``max_items_per_task`` items, so several pickers can work on one order at once.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from twin.config.fulfilment import FulfilmentConfig, LockerConfig, PickingConfig
from twin.config.orders import CHANNELS, TEMPERATURE_ZONES, ChannelConfig, OrdersConfig
from twin.core.arrivals import hourly_rates_per_s, nhpp_arrival_times
from twin.core.sampling import DistSpec, block_drawer
from twin.core.streams import Streams
from twin.network.regions import Region

PICKUP, DELIVERY, REPLENISHMENT = range(3)  # channel codes, in CHANNELS order
AMBIENT, CHILLED, FROZEN = range(3)  # temperature zone codes, in TEMPERATURE_ZONES order
N_ZONES = len(TEMPERATURE_ZONES)
# outcome codes
PENDING, COLLECTED, EXPIRED, DISPATCHED = range(4)
NAN = math.nan

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
    due_s: float  # created + promise: ready by then (pickup: the booked slot starts)
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


_FIELDS = [f.name for f in dataclasses.fields(Order)]
DRAWN_FIELDS = tuple(_FIELDS[: _FIELDS.index("store")])  # drawn at creation; the rest: timeline


@dataclass(frozen=True, slots=True)
class ChannelRates:
    """Hourly order rates (per s) of one channel in each customer zone of a region."""

    channel: int
    per_zone: np.ndarray  # (zones, hours of the horizon)


def offering_stores(region: Region, fulfilment: FulfilmentConfig, channel: str) -> np.ndarray:
    """Boolean mask over the region's stores: which offer ``channel``."""
    return np.array(
        [fulfilment.offers(store.format, channel) for store in region.stores], dtype=bool
    )


def channel_rates(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    channel: str,
    days: int,
    start_weekday: int,
) -> ChannelRates:
    """Order rates of ``channel`` by zone and hour: volume per offering store, by population."""
    config: ChannelConfig = getattr(orders, channel)
    n_zones = len(region.zones)
    hours = days * 24
    n_stores = int(offering_stores(region, fulfilment, channel).sum())
    if not (orders.enabled and config.enabled) or n_stores == 0 or n_zones == 0:
        return ChannelRates(CHANNELS.index(channel), np.zeros((n_zones, hours)))
    population = np.array([zone.population for zone in region.zones], dtype=float)
    total = population.sum()
    weights = population / total if total > 0 else np.full(n_zones, 1 / n_zones)
    daily = config.daily_orders_per_store * orders.demand_scale * n_stores
    profile = hourly_rates_per_s(
        daily,
        config.hour_shares,
        config.hour_shares,
        orders.day_factors,
        config.open_hour,
        config.close_hour,
        days,
        start_weekday,
    )
    return ChannelRates(CHANNELS.index(channel), np.outer(weights, profile))


@dataclass
class OrderDraws:
    """Per-order random attributes of one (zone, channel), drawn in blocks."""

    created_s: np.ndarray
    units: np.ndarray  # (n, 3)
    weight_kg: np.ndarray  # (n, 3)
    volume_l: np.ndarray  # (n, 3)
    value: np.ndarray
    item_pick_s: list[np.ndarray]  # per zone: picking seconds of each item, orders in sequence
    arrive_offset_s: np.ndarray
    retrieval_s: np.ndarray
    counter_s: np.ndarray
    runner_s: np.ndarray


# Per temperature zone: the distributions of one item's weight (kg) and volume (l).
ItemSpecs = list[tuple[DistSpec, DistSpec]]


def draw_orders(
    streams: Streams,
    zone_id: str,
    channel: str,
    rates_per_s: np.ndarray,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
) -> OrderDraws:
    """Arrival times and attributes of one zone's orders of one channel (fixed stream order)."""
    prefix = f"orders.{zone_id}.{channel}"
    created = nhpp_arrival_times(rates_per_s, streams.get(f"{prefix}.arrivals"))
    spend = block_drawer(orders.spend_per_item, streams.get(f"{prefix}.spend"))
    zones = [getattr(orders.zones, name) for name in TEMPERATURE_ZONES]
    return draw_attributes(
        streams,
        prefix,
        created,
        getattr(orders, channel).basket_units,
        orders.zones.shares(),
        [(zone.weight_kg, zone.volume_l) for zone in zones],
        lambda total_units: spend(total_units.size) * total_units,
        fulfilment,
    )


def draw_attributes(
    streams: Streams,
    prefix: str,
    created_s: np.ndarray,
    basket_units: DistSpec,
    zone_shares: list[float],
    item_specs: ItemSpecs,
    value_of: Callable[[np.ndarray], np.ndarray],
    fulfilment: FulfilmentConfig,
) -> OrderDraws:
    """Baskets, picking and collection draws of orders created at ``created_s`` (NaN: not
    known yet), from the streams ``<prefix>.<name>``; ``value_of(units per order)`` prices
    them."""

    def rng(name: str) -> np.random.Generator:
        return streams.get(f"{prefix}.{name}")

    n = created_s.size
    basket = block_drawer(basket_units, rng("units"))(n)
    total_units = np.maximum(1, np.round(basket)).astype(np.int64)
    shares = np.array(zone_shares, dtype=float)
    units = (
        rng("split").multinomial(total_units, shares / shares.sum())
        if n
        else np.zeros((0, N_ZONES), dtype=np.int64)
    )
    weight = np.zeros((n, N_ZONES))
    volume = np.zeros((n, N_ZONES))
    item_pick_s = []
    picking = fulfilment.store.picking
    for z, name in enumerate(TEMPERATURE_ZONES):
        weight_kg, volume_l = item_specs[z]
        count = int(units[:, z].sum())
        owner = np.repeat(np.arange(n), units[:, z])
        weight[:, z] = np.bincount(
            owner, block_drawer(weight_kg, rng(f"weight.{name}"))(count), minlength=n
        )
        volume[:, z] = np.bincount(
            owner, block_drawer(volume_l, rng(f"volume.{name}"))(count), minlength=n
        )
        item_pick_s.append(
            block_drawer(getattr(picking.per_item_s, name), rng(f"pick.{name}"))(count)
        )
    value = value_of(total_units)
    collection = fulfilment.store.collection
    dwell = block_drawer(collection.dwell_s, rng("collect.dwell"))(n)
    is_early = rng("collect.early").random(n) < collection.early_frac
    early = block_drawer(collection.early_s, rng("collect.early_s"))(n)
    # customers told the order is ready cannot come before it is
    offset = np.where(is_early, -early, dwell) if collection.relative_to == "promise" else dwell
    store = fulfilment.store
    return OrderDraws(
        created_s,
        units,
        weight,
        volume,
        value,
        item_pick_s,
        offset,
        block_drawer(store.lockers.retrieval_s, rng("collect.retrieval"))(n),
        block_drawer(collection.counter_handoff_s, rng("collect.counter"))(n),
        block_drawer(collection.runner_handoff_s, rng("collect.runner"))(n),
    )


def split_tasks(
    item_s: list[list[float]], split_by_zone: bool, max_items: int
) -> list[tuple[tuple[int, int, int], tuple[float, float, float]]]:
    """Cut a pick list (items by zone, walked ambient -> chilled -> frozen) into pick tasks.

    >>> split_tasks([[10.0, 10.0, 10.0], [], [5.0]], True, 2)
    [((2, 0, 0), (20.0, 0.0, 0.0)), ((1, 0, 0), (10.0, 0.0, 0.0)), ((0, 0, 1), (0.0, 0.0, 5.0))]
    """
    segments = (
        [[(z, s) for s in items] for z, items in enumerate(item_s)]
        if split_by_zone
        else [[(z, s) for z, items in enumerate(item_s) for s in items]]
    )
    tasks = []
    for segment in segments:
        size = max_items if max_items > 0 else max(len(segment), 1)
        for start in range(0, len(segment), size):
            units = [0, 0, 0]
            seconds = [0.0, 0.0, 0.0]
            for z, s in segment[start : start + size]:
                units[z] += 1
                seconds[z] += s
            tasks.append(((units[0], units[1], units[2]), (seconds[0], seconds[1], seconds[2])))
    return tasks


def locker_needs(volume_l: np.ndarray, lockers: LockerConfig) -> tuple[np.ndarray, np.ndarray]:
    """Smallest fitting size class and compartments needed, per order and temperature zone.

    A part larger than the largest class takes several compartments of the largest class.
    """
    classes = np.zeros(volume_l.shape, dtype=np.int64)
    counts = np.zeros(volume_l.shape, dtype=np.int64)
    for z, name in enumerate(TEMPERATURE_ZONES):
        sizes = np.asarray(lockers.zone(name).size_volume_l, dtype=float)
        v = volume_l[:, z]
        index = np.searchsorted(sizes, v, side="left")
        too_big = index >= sizes.size
        classes[:, z] = np.where(too_big, sizes.size - 1, index)
        counts[:, z] = np.where(too_big, np.ceil(v / sizes[-1]), 1)
    return classes, counts


def build_orders(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    streams: Streams,
    days: int,
    start_weekday: int,
) -> list[Order]:
    """Every order of the region over the horizon, by creation time (ties: zone, channel).

    Orders do not depend on capacities, so the points of a sizing curve (same seeds, other
    capacities) draw the same orders: inside :func:`reusing_draws` the last draws are kept,
    keyed by everything they depend on, and each call gets fresh copies.
    """
    if not _REUSE.get():
        return _draw_region(region, orders, fulfilment, streams, days, start_weekday)
    key = _draw_key(region, orders, fulfilment, streams, days, start_weekday)
    drawn = _DRAWN.get(key)
    if drawn is None:
        drawn = _draw_region(region, orders, fulfilment, streams, days, start_weekday)
        _DRAWN[key] = drawn
        while len(_DRAWN) > _DRAWN_MAX:
            _DRAWN.popitem(last=False)
    else:
        _DRAWN.move_to_end(key)
    return [order.fresh() for order in drawn]


@contextmanager
def reusing_draws() -> Iterator[None]:
    """Keep and reuse the orders drawn inside this block (a sizing search's many points).

    Off by default: a run of many regions never draws a region twice, and keeping its draws
    would only hold memory (and make the garbage collector walk them again and again).
    """
    token = _REUSE.set(True)
    try:
        yield
    finally:
        _REUSE.reset(token)


_REUSE: ContextVar[bool] = ContextVar("reuse_order_draws", default=False)
_DRAWN: OrderedDict[tuple[object, ...], list[Order]] = OrderedDict()  # kept across sizing tasks
_DRAWN_MAX = 64


def _draw_key(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    streams: Streams,
    days: int,
    start_weekday: int,
) -> tuple[object, ...]:
    """Everything the draws depend on: capacities masked out, all else in (a miss is safe)."""
    store = fulfilment.store
    lockers = store.lockers
    masked = dataclasses.replace(
        store,
        picking=dataclasses.replace(store.picking, pickers=0, pickers_by_hour=[]),
        lockers=dataclasses.replace(
            lockers,
            ambient=dataclasses.replace(lockers.ambient, compartments=0),
            chilled=dataclasses.replace(lockers.chilled, compartments=0),
            frozen=dataclasses.replace(lockers.frozen, compartments=0),
        ),
        collection=dataclasses.replace(
            store.collection, counter_staff=0, curbside_bays=0, curbside_runners=0
        ),
    )
    return (
        streams.seed,
        streams.replication,
        streams.region,
        days,
        start_weekday,
        tuple((zone.id, zone.population) for zone in region.zones),
        tuple(store.format for store in region.stores),
        repr(orders),
        repr(masked),
        repr(fulfilment.channels_by_format),
    )


def _draw_region(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    streams: Streams,
    days: int,
    start_weekday: int,
) -> list[Order]:
    picking: PickingConfig = fulfilment.store.picking
    collection = fulfilment.store.collection
    built: list[tuple[float, int, int, int, Order]] = []
    for channel in CHANNELS:
        config: ChannelConfig = getattr(orders, channel)
        rates = channel_rates(region, orders, fulfilment, channel, days, start_weekday)
        is_pickup = config.handoff == "pickup"
        for zone_index, zone in enumerate(region.zones):
            if not rates.per_zone[zone_index].any():
                continue
            draws = draw_orders(
                streams, zone.id, channel, rates.per_zone[zone_index], orders, fulfilment
            )
            built.extend(
                _orders_of(
                    draws,
                    rates.channel,
                    is_pickup,
                    zone_index,
                    config,
                    picking,
                    fulfilment.store.lockers,
                    collection.grocery_hold_s,
                    collection.parcel_hold_s,
                    streams,
                    f"orders.{zone.id}.{channel}",
                )
            )
    built.sort(key=lambda item: item[:4])
    result = [item[4] for item in built]
    for index, order in enumerate(result):
        order.id = index
    return result


def orders_of(
    draws: OrderDraws,
    channel: int,
    is_pickup: bool,
    zone_index: int,
    config: ChannelConfig,
    fulfilment: FulfilmentConfig,
    streams: Streams,
    prefix: str,
) -> list[Order]:
    """Order entities from ``draws``, in draw order (id 0; due = created + the promise), with
    their pick tasks' walk and staging times from the streams ``<prefix>.walk`` / ``.stage``."""
    collection = fulfilment.store.collection
    built = _orders_of(
        draws,
        channel,
        is_pickup,
        zone_index,
        config,
        fulfilment.store.picking,
        fulfilment.store.lockers,
        collection.grocery_hold_s,
        collection.parcel_hold_s,
        streams,
        prefix,
    )
    return [item[4] for item in built]


def _orders_of(
    draws: OrderDraws,
    channel: int,
    is_pickup: bool,
    zone_index: int,
    config: ChannelConfig,
    picking: PickingConfig,
    lockers: LockerConfig,
    grocery_hold_s: float,
    parcel_hold_s: float,
    streams: Streams,
    prefix: str,
) -> list[tuple[float, int, int, int, Order]]:
    n = draws.created_s.size
    classes, counts = locker_needs(draws.volume_l, lockers)
    units = draws.units.tolist()
    starts = [np.concatenate([[0], np.cumsum(draws.units[:, z])]).tolist() for z in range(N_ZONES)]
    item_s = [s.tolist() for s in draws.item_pick_s]
    task_lists = []
    for i in range(n):
        per_zone = [item_s[z][starts[z][i] : starts[z][i + 1]] for z in range(N_ZONES)]
        task_lists.append(split_tasks(per_zone, picking.split_by_zone, picking.max_items_per_task))
    n_tasks = sum(len(tasks) for tasks in task_lists)
    walk = block_drawer(picking.walk_s, streams.get(f"{prefix}.walk"))(n_tasks).tolist()
    stage = block_drawer(picking.stage_s, streams.get(f"{prefix}.stage"))(n_tasks).tolist()
    out = []
    k = 0
    created = draws.created_s.tolist()
    for i in range(n):
        specs: list[TaskSpec] = []
        for task_units, task_s in task_lists[i]:
            specs.append((task_units, task_s, walk[k], stage[k]))
            k += 1
        u = units[i]
        has_cold = (u[CHILLED] + u[FROZEN]) > 0
        order = Order(
            id=0,
            channel=channel,
            is_pickup=is_pickup,
            zone=zone_index,
            created_s=created[i],
            due_s=created[i] + config.promise_s,
            hold_s=grocery_hold_s if has_cold else parcel_hold_s,
            units=(u[0], u[1], u[2]),
            weight_kg=_triple(draws.weight_kg[i].tolist()),
            volume_l=_triple(draws.volume_l[i].tolist()),
            value=float(draws.value[i]),
            locker_class=_triple(classes[i].tolist()),
            locker_count=_triple(
                [int(c) if uz else 0 for c, uz in zip(counts[i].tolist(), u, strict=True)]
            ),
            arrive_offset_s=float(draws.arrive_offset_s[i]),
            retrieval_s=float(draws.retrieval_s[i]),
            counter_s=float(draws.counter_s[i]),
            runner_s=float(draws.runner_s[i]),
            tasks=specs,
        )
        out.append((created[i], zone_index, channel, i, order))
    return out


def _triple(values: list[Any]) -> Any:
    """A per-zone tuple (ambient, chilled, frozen)."""
    return (values[0], values[1], values[2])
