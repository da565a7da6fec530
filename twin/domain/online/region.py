"""Online orders of one region, wired into the model as a region-level domain.

:func:`build_online_orders` is listed in ``REGION_BUILDERS`` of ``twin/domain/registry.py``; the
model wires the dispatchers (``DISPATCHERS``, the last mile) to its stores' dispatch desks
(:attr:`OnlineOrders.desks`) and then calls :meth:`OnlineOrders.start`. Before time 0 it
draws every order of the region (:func:`twin.domain.online.orders_build.build_orders`), precomputes
each zone's candidate stores per channel from the region's travel-time table, and builds one
:class:`twin.domain.online.pickup.StoreFulfilment` per store offering a channel. In the loop an
order is assigned in O(candidates): the store serving its zone (``balanced``: precomputed by
:mod:`twin.network.catchment`; ``nearest``), or (``nearest_with_capacity``) the nearest whose
picking backlog is under the limit. Kiosk bars'
receipt codes become orders too (:mod:`twin.domain.online.bar_orders`): drawn before time 0, placed
when the bar redeems the code, from the customer zone nearest the bar.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import simpy

from twin.config.fulfilment import FulfilmentConfig
from twin.config.orders import CHANNELS, TEMPERATURE_ZONES
from twin.core.streams import Streams
from twin.domain.common import ProcessGen
from twin.domain.online.bar_orders import draw_receipt_orders, nearest_zone
from twin.domain.online.dispatch import DispatchDesk
from twin.domain.online.orders import Order, booked_due_s
from twin.domain.online.orders_build import build_orders
from twin.domain.online.orders_kpis import orders_log
from twin.domain.online.orders_rates import offering_stores
from twin.domain.online.pickup import ExpiredHook, StoreFulfilment
from twin.domain.stores.bar import BarSite
from twin.network.catchment import candidate_stores
from twin.network.regions import Region


class OnlineOrders:
    """The region's orders, its stores' fulfilment, and the desks that hand off to the last mile.

    ``orders`` holds every order of the horizon (with its timeline after the run): those
    placed from the customer zones, then those the region's bars' receipt codes may become
    (``created_s`` NaN if never redeemed), ids = positions; ``expired`` the pickup orders
    returned to stock, and ``on_expired`` callbacks get each as it expires (for cold-chain
    write-offs); ``desks`` maps store id -> dispatch desk. ``sites`` (store id -> site) are
    the region's store sites, where the bars are found.
    """

    def __init__(
        self,
        env: simpy.Environment,
        region: Region,
        config: Any,
        streams: Streams,
        sites: dict[str, Any] | None = None,
    ) -> None:
        self.env = env
        self.region = region
        fulfilment: FulfilmentConfig = config.fulfilment
        run = config.run
        horizon_s = run.days * 86400.0
        self.horizon_s = horizon_s
        replayed = _replayed(region, config, streams, horizon_s)
        scheduled = (
            build_orders(region, config.orders, fulfilment, streams, run.days, run.start_weekday)
            if replayed is None
            else replayed.orders
        )
        self.orders: list[Order] = list(scheduled)
        self.expired: list[Order] = []
        self.on_expired: list[ExpiredHook] = [self.expired.append]
        self.sites: list[StoreFulfilment | None] = [None] * len(region.stores)
        self.candidates: list[list[list[int]]] = []  # channel -> zone -> store indices
        detour_s = fulfilment.balance_detour_s if fulfilment.assignment == "balanced" else 0.0
        for channel in CHANNELS if config.orders.enabled else ():
            mask = offering_stores(region, fulfilment, channel)
            self.candidates.append(candidate_stores(region, mask, fulfilment.candidates, detour_s))
            for index in np.flatnonzero(mask).tolist():
                if self.sites[index] is None:
                    self.sites[index] = self._site(index, fulfilment, horizon_s, run)
        self.by_capacity = fulfilment.assignment == "nearest_with_capacity"
        self.max_backlog = fulfilment.max_backlog_tasks
        self.promise_s = [channel.promise_s for _, channel in config.orders.channels()]
        self.last_start_s = [
            channel.slots.last_start_hour * 3600.0 for _, channel in config.orders.channels()
        ]
        self.has_bars = False
        store_sites = sites or {}
        # In a trace replay the recorded orders already hold those the bars' receipt codes
        # became (source bar_code): replayed as recorded, so the bars place none of their own.
        bars_place_orders = replayed is None and config.orders.enabled and bool(region.zones)
        for index, store in enumerate(region.stores):
            site = store_sites.get(store.id)
            if isinstance(site, BarSite) and bars_place_orders:
                self._subscribe(site, index, config, streams)
        self.desks: dict[str, DispatchDesk] = {
            site.store_id: site.desk for site in self.sites if site is not None
        }
        self.scheduled = scheduled
        self.replayed = replayed

    def start(self) -> None:
        """Start placing the scheduled orders (called by the model once the dispatchers are
        wired to :attr:`desks`, so their processes come first in the event queue); in a trace
        replay, at their recorded times."""
        if self.replayed is not None and self.scheduled:
            self.env.process(self._replay(self.scheduled, self.replayed.store_index))
        elif self.scheduled:
            self.env.process(self._arrivals(self.scheduled))

    def _site(
        self, index: int, fulfilment: FulfilmentConfig, horizon_s: float, run: Any
    ) -> StoreFulfilment:
        store_id = self.region.stores[index].id
        cfg = fulfilment.store
        capacity = fulfilment.capacity_of(store_id)
        plan = self.region.plan.stores[store_id] if self.region.plan is not None else None
        if plan is not None and "pickers" in plan.levels:  # planned (or the config, if fixed)
            shift = plan.horizon("pickers", run.days, run.start_weekday)
        else:
            shift = cfg.picking.by_hour(capacity.pickers)
        compartments = [capacity.compartments[zone] for zone in TEMPERATURE_ZONES]
        return StoreFulfilment(
            self.env,
            store_id,
            index,
            cfg,
            shift,
            compartments,
            horizon_s,
            self.on_expired,
        )

    def _subscribe(self, bar: BarSite, index: int, config: Any, streams: Streams) -> None:
        """Draw the orders a bar's converting receipt codes become; place each when redeemed.

        A code whose channel no store of the region takes (switched off, or offered by no
        store) places no order.
        """
        self.has_bars = True
        zone = nearest_zone(self.region, index)
        drawn = draw_receipt_orders(
            streams,
            bar.context.store_id,
            bar.fmt,
            bar.online_value,
            zone,
            config.orders,
            config.fulfilment,
        )
        served = [
            channel.enabled and bool(self.candidates[c][zone])
            for c, (_, channel) in enumerate(config.orders.channels())
        ]
        by_visitor: list[Order | None] = [None] * len(drawn)
        for visitor in np.flatnonzero(bar.converts).tolist():
            order = drawn[visitor]
            if served[order.channel]:
                order.id = len(self.orders)
                self.orders.append(order)
                by_visitor[visitor] = order
        bar.on_code_redeemed.append(partial(self._redeem, by_visitor))

    def _redeem(self, by_visitor: list[Order | None], visitor: int) -> None:
        """A bar visitor's receipt code is redeemed now: its order is placed."""
        order = by_visitor[visitor]
        if order is None:
            return
        now = self.env.now
        order.created_s = now
        channel = order.channel
        order.due_s = booked_due_s(
            now, order.booked_lead_s, self.promise_s[channel], self.last_start_s[channel]
        )
        self._assign(order)

    def _arrivals(self, scheduled: list[Order]) -> ProcessGen:
        env = self.env
        assign = self._assign
        for order in scheduled:
            yield env.timeout(order.created_s - env.now)
            assign(order)

    def _replay(self, scheduled: list[Order], stores: list[int]) -> ProcessGen:
        """Recorded orders (trace replay): each goes to its recorded store."""
        env = self.env
        sites = self.sites
        for order, store in zip(scheduled, stores, strict=True):
            yield env.timeout(order.created_s - env.now)
            site = sites[store]
            assert site is not None  # replay_orders refused stores not offering the channel
            site.accept(order)

    def _assign(self, order: Order) -> None:
        """Send a new order to its store: the nearest offering its channel (or with room)."""
        sites = self.sites
        options = self.candidates[order.channel][order.zone]
        chosen = options[0]
        if self.by_capacity:
            for index in options:
                site = sites[index]
                if site is not None and site.picking.backlog < self.max_backlog:
                    chosen = index
                    break
        site = sites[chosen]
        assert site is not None
        if order.fallback_lead_s == order.fallback_lead_s:  # express only when free
            self._offer_express(order, site)
        site.accept(order)

    def _offer_express(self, order: Order, site: StoreFulfilment) -> None:
        """Express when the store's idle pickers can have the order ready in time; else the
        customer books the window ``fallback_lead_s`` ahead (slots.express = when_free)."""
        channel = order.channel
        promise_s = self.promise_s[channel]
        if site.picking.can_pick_within(order.tasks, promise_s):
            return
        order.express_refused = True
        order.booked_lead_s = order.fallback_lead_s
        order.due_s = booked_due_s(
            order.created_s, order.fallback_lead_s, promise_s, self.last_start_s[channel]
        )

    def logs(self) -> dict[str, dict[str, Any]]:
        """{store id: {"orders": OrdersLog, "picking": PickingLog, "lockers": LockerLog}}."""
        out: dict[str, dict[str, Any]] = {}
        for site in self.sites:
            if site is None:
                continue
            logs: dict[str, Any] = {
                "orders": orders_log(site.orders, site.method, self.horizon_s, self.has_bars),
                "picking": site.picking.log(),
            }
            if site.lockers is not None:
                logs["lockers"] = site.lockers.log(self.env.now)
            out[site.store_id] = logs
        return out


def _replayed(region: Region, config: Any, streams: Streams, horizon_s: float) -> Any:
    """With ``demand.source=trace`` and an ``orders`` table in the logs: the recorded orders
    (:mod:`twin.data.trace_orders`); otherwise None (orders drawn from the rates)."""
    if config.demand.source != "trace" or not config.orders.enabled:
        return None
    from twin.data.trace_orders import recorded_orders, replay_orders  # only replays read logs

    recorded = recorded_orders(config.demand.trace, horizon_s)
    return None if recorded is None else replay_orders(region, config, streams, recorded)


def build_online_orders(
    env: simpy.Environment, region: Region, config: Any, streams: Streams, sites: dict[str, Any]
) -> OnlineOrders:
    """The region builder listed in ``REGION_BUILDERS`` (``twin/domain/registry.py``)."""
    return OnlineOrders(env, region, config, streams, sites)


__all__ = ["OnlineOrders", "build_online_orders"]
