"""Every order of a region over the horizon, and reusing the draws across a sizing search.

Orders do not depend on capacities, so the points of a sizing curve (same seeds, other
capacities) draw the same orders: inside :func:`reusing_draws` the last draws are kept.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from twin.config.fulfilment import FulfilmentConfig
from twin.config.orders import OrdersConfig
from twin.core.streams import Streams
from twin.domain.online.orders import Order
from twin.domain.online.orders_draws import draw_region
from twin.network.regions import Region


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
        return draw_region(region, orders, fulfilment, streams, days, start_weekday)
    key = _draw_key(region, orders, fulfilment, streams, days, start_weekday)
    drawn = _DRAWN.get(key)
    if drawn is None:
        drawn = draw_region(region, orders, fulfilment, streams, days, start_weekday)
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
