"""Drawing orders: arrival times, baskets, pick tasks and locker needs, all before time 0.

Orders arrive from customer zones as non-homogeneous Poisson processes (one per zone and
channel, at the rates of :func:`twin.domain.online.orders_rates.channel_rates`). Every random
attribute of an order is drawn in blocks from the zone's named streams
``orders.<zone>.<channel>.<name>``, so changing a capacity never changes the orders (common
random numbers across the points of a sizing curve).

An order's pick list runs ambient -> chilled -> frozen (walk path: frozen last) and is cut into
pick tasks: by temperature zone (``split_by_zone``) and into pieces of at most
``max_items_per_task`` items, so several pickers can work on one order at once (the rules:
:mod:`twin.domain.online.pick_lists`). A region's streams are made in one batch before its
orders are drawn (:func:`order_streams`, :meth:`~twin.core.streams.Streams.prefetched`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.config.fulfilment import FulfilmentConfig, LockerConfig, PickingConfig
from twin.config.orders import (
    CHANNELS,
    TEMPERATURE_ZONES,
    ChannelConfig,
    OrdersConfig,
    SlotsConfig,
)
from twin.core.arrivals import nhpp_arrival_times
from twin.core.sampling import DistSpec, block_drawer
from twin.core.streams import Streams
from twin.domain.online.orders import CHILLED, FROZEN, N_ZONES, Order, TaskSpec, booked_due_s
from twin.domain.online.orders_rates import channel_rates
from twin.domain.online.pick_lists import locker_needs, split_tasks
from twin.network.regions import Region


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
    booked_lead_s: np.ndarray  # booked window start after ordering (NaN: express)
    fallback_lead_s: np.ndarray  # express refused: the window booked instead (NaN: always)


# Per temperature zone: the distributions of one item's weight (kg) and volume (l).
ItemSpecs = list[tuple[DistSpec, DistSpec]]


# per temperature zone, and for the handoff: streams of order_streams
ITEM_STREAMS = ("weight", "volume", "pick")
COLLECT_STREAMS = (
    "collect.dwell",
    "collect.early",
    "collect.early_s",
    "collect.retrieval",
    "collect.counter",
    "collect.runner",
)


def order_streams(slots: SlotsConfig | None) -> list[str]:
    """The streams (after ``orders.<zone>.<channel>.``) one zone's orders of one channel draw
    from: :func:`draw_orders`, :func:`draw_attributes` and the pick tasks' walk and staging."""
    per_zone = [f"{kind}.{name}" for name in TEMPERATURE_ZONES for kind in ITEM_STREAMS]
    slot = ["slot.booked", "slot.lead"] if slots is not None and slots.booking else []
    return [
        "arrivals",
        "spend",
        "units",
        "split",
        *per_zone,
        *COLLECT_STREAMS,
        *slot,
        "walk",
        "stage",
    ]


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
        getattr(orders, channel).slots,
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
    slots: SlotsConfig | None = None,
    units_by_zone: np.ndarray | None = None,
) -> OrderDraws:
    """Baskets, picking and collection draws of orders created at ``created_s`` (NaN: not
    known yet), from the streams ``<prefix>.<name>``; ``value_of(units per order)`` prices
    them. With ``slots`` (share > 0 or express ``when_free``), which orders book a later
    window and every order's lead (streams ``<prefix>.slot.booked`` and ``.slot.lead``):
    booked orders keep it, express ones take it if express is refused; nothing is drawn
    otherwise (the reduced configurations). ``units_by_zone`` (n, 3), when given (a trace
    replay), are the baskets: the ``units`` and ``split`` streams are then not used."""

    def rng(name: str) -> np.random.Generator:
        return streams.get(f"{prefix}.{name}")

    n = created_s.size
    if units_by_zone is not None:
        units = np.asarray(units_by_zone, dtype=np.int64).reshape(n, N_ZONES)
        total_units = units.sum(axis=1)
    else:
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
    booked_lead = np.full(n, np.nan)
    fallback_lead = np.full(n, np.nan)
    if slots is not None and slots.booking:
        booked = rng("slot.booked").random(n) < slots.share
        lead = block_drawer(slots.lead_s, rng("slot.lead"))(n)
        booked_lead = np.where(booked, lead, np.nan)
        if slots.express == "when_free":
            fallback_lead = np.where(booked, np.nan, lead)
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
        booked_lead,
        fallback_lead,
    )


def draw_region(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    streams: Streams,
    days: int,
    start_weekday: int,
) -> list[Order]:
    """Draw every order of the region, by creation time (ties: zone, channel); ids 0..n-1."""
    picking: PickingConfig = fulfilment.store.picking
    collection = fulfilment.store.collection
    rates_of = {
        channel: channel_rates(region, orders, fulfilment, channel, days, start_weekday)
        for channel in CHANNELS
    }
    drawn = [
        (channel, zone_index, zone.id)
        for channel in CHANNELS
        for zone_index, zone in enumerate(region.zones)
        if rates_of[channel].per_zone[zone_index].any()
    ]
    names = [
        f"orders.{zone_id}.{channel}.{suffix}"
        for channel, _, zone_id in drawn
        for suffix in order_streams(getattr(orders, channel).slots)
    ]
    built: list[tuple[float, int, int, int, Order]] = []
    with streams.prefetched(names):
        for channel, zone_index, zone_id in drawn:
            config: ChannelConfig = getattr(orders, channel)
            rates = rates_of[channel]
            draws = draw_orders(
                streams, zone_id, channel, rates.per_zone[zone_index], orders, fulfilment
            )
            built.extend(
                _orders_of(
                    draws,
                    rates.channel,
                    config.handoff == "pickup",
                    zone_index,
                    config,
                    picking,
                    fulfilment.store.lockers,
                    collection.grocery_hold_s,
                    collection.parcel_hold_s,
                    streams,
                    f"orders.{zone_id}.{channel}",
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
    leads = draws.booked_lead_s.tolist()
    fallbacks = draws.fallback_lead_s.tolist()
    # every column as Python values at once: indexing numpy per order costs more than the order
    weights, volumes, values = (
        draws.weight_kg.tolist(),
        draws.volume_l.tolist(),
        draws.value.tolist(),
    )
    class_rows, count_rows = classes.tolist(), counts.tolist()
    offsets, retrievals = draws.arrive_offset_s.tolist(), draws.retrieval_s.tolist()
    counters, runners = draws.counter_s.tolist(), draws.runner_s.tolist()
    last_start_s = config.slots.last_start_hour * 3600.0
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
            due_s=booked_due_s(created[i], leads[i], config.promise_s, last_start_s)
            if created[i] == created[i]  # NaN (a bar's code): due when placed
            else created[i],
            hold_s=grocery_hold_s if has_cold else parcel_hold_s,
            units=(u[0], u[1], u[2]),
            weight_kg=_triple(weights[i]),
            volume_l=_triple(volumes[i]),
            value=values[i],
            locker_class=_triple(class_rows[i]),
            locker_count=_triple(
                [int(c) if uz else 0 for c, uz in zip(count_rows[i], u, strict=True)]
            ),
            arrive_offset_s=offsets[i],
            retrieval_s=retrievals[i],
            counter_s=counters[i],
            runner_s=runners[i],
            tasks=specs,
            booked_lead_s=leads[i],
            fallback_lead_s=fallbacks[i],
        )
        out.append((created[i], zone_index, channel, i, order))
    return out


def _triple(values: list[Any]) -> Any:
    """A per-zone tuple (ambient, chilled, frozen)."""
    return (values[0], values[1], values[2])
