"""The hand-off of delivery orders to the last mile: one dispatch desk per store.

When a delivery (or replenishment) order is picked and staged it is *ready for dispatch*: the
store puts it on its :class:`DispatchDesk`. A last-mile model plugs in as a dispatcher builder
listed in ``DISPATCHERS`` of ``twin/domain/registry.py``; the model calls each builder in that
order once the region's online orders are built::

    def build_couriers(env, region, config, streams, desks, orders, before):
        fleet = CourierFleet(env, region, config.delivery, streams)
        for desk in desks.values():
            desk.on_ready.append(fleet.assign)         # event-driven: route / batch
        # or a process per courier:  order = yield desks["S01"].queue.get()
        return fleet                                   # .logs() -> {store id: {domain: log}}

``desks`` maps store id -> desk (stores offering a delivery channel); ``orders`` is the
region's :class:`twin.domain.online.region.OnlineOrders` (every order with its timeline); ``before``
the dispatchers built before this one, in registry order (the cold chain reads the last mile's
legs from them after the run). An
:class:`twin.domain.online.orders.Order` carries what the last mile needs: ``zone`` (customer zone
index: travel times are ``region.tables.zone_store_s[order.zone, order.store]``), ``store``,
``units``/``weight_kg``/``volume_l`` by temperature zone, ``due_s``, ``ready_s`` and
``left_storage_s`` (when each zone's items left their storage, for the cold chain). Set
``order.outcome`` to ``DISPATCHED`` or your own codes and keep your own timeline in your log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

from twin.domain.online.orders import Order

# builder(env, region, config, streams, desks by store id, online orders, dispatchers built
# before it) -> obj with .logs(); the builders are listed in twin/domain/registry.py
DispatcherBuilder = Callable[..., Any]


class DispatchDesk:
    """Orders of one store that are ready for dispatch, in the order they became ready.

    ``queue`` is a ``simpy.Store``: ``order = yield desk.queue.get()`` takes the oldest.
    ``on_ready`` callbacks are called with each order as it becomes ready (after it is queued).
    ``handed`` lists every order ever put on the desk.
    """

    __slots__ = ("handed", "on_ready", "queue", "store_id", "store_index")

    def __init__(self, env: simpy.Environment, store_id: str, store_index: int) -> None:
        self.store_id = store_id
        self.store_index = store_index
        self.queue = simpy.Store(env)
        self.on_ready: list[Callable[[Order], None]] = []
        self.handed: list[Order] = []

    def put(self, order: Order) -> None:
        self.handed.append(order)
        self.queue.put(order)
        for callback in self.on_ready:
            callback(order)
