"""The last mile: delivery orders from the store's dispatch desk to the customer's door.

:func:`build_last_mile` is listed in ``DISPATCHERS`` of ``twin/domain/registry.py``. Each
store with a dispatch desk gets courier pools (:class:`twin.domain.lastmile.courier.CourierPool`:
vans, cargo bikes), a drone fleet (:class:`twin.domain.lastmile.drone.DroneFleet`) and an issuer of
one-time access codes (:class:`twin.domain.lastmile.access_code.AccessCodes`) for in-home delivery
(:func:`twin.domain.lastmile.fleet.store_last_mile`); after the run each store's
:class:`twin.domain.lastmile.delivery_log.DeliveryLog` is read from them
(:func:`twin.domain.lastmile.fleet_log.store_delivery_log`).

When an order is ready for dispatch it takes the first mode of its channel's list
(``delivery.channel_modes``) that can take it: a drone if it fits the payload (or splits
across at most ``max_drones_per_order`` drones), its zone is within the round-trip range in a
straight line, it is not an in-home order, the customer takes the drone offer
(``offer_frac``) and the drones are on shift and not overloaded; a courier mode if the order
fits one vehicle and the zone is within the mode's road radius. Otherwise the first courier
mode of the list takes it anyway. Orders that drones cannot fly in time (weather, shift end)
go to couriers.

At the door (couriers): an attended order is handed over unless nobody is home
(``not_home_prob``); an in-home order's code is checked (:meth:`AccessCodes.verify`: refused
outside its window, once used, or unknown) and even an accepted code fails with ``fail_prob``.
A failed attempt follows its policy: ``doorstep`` (left at the door), ``retry`` (back to the
store, offered again ``retry_after_s`` later) or ``locker`` (back to the store's lockers for
the customer to collect); after ``max_attempts`` failed attempts the order goes to the lockers.
Drones always drop at the doorstep.

Per-order random attributes (drone opt-in, in-home, nobody home and in-home failure per
attempt, doorstep and locker dwell) are drawn before time 0, in blocks indexed by order id,
from the region's streams ``delivery.orders.<name>``: an order keeps them whichever store or
mode serves it (common random numbers across fleet sizes). Vehicle and drone times are drawn
from each store's streams ``delivery.<store>.<mode>.<name>``.

Cold chain: :meth:`LastMile.cold_legs` (docs/CONTRACTS.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import simpy

from twin.config.delivery import DeliveryConfig
from twin.config.orders import CHANNELS
from twin.core.buffers import doubles
from twin.core.sampling import block_drawer
from twin.core.streams import Streams
from twin.domain.lastmile.access_code import AccessOutcome
from twin.domain.lastmile.deliveries import Delivery
from twin.domain.lastmile.delivery_log import (
    BIKE,
    DOORSTEP,
    DRONE,
    HANDED,
    INHOME,
    LOCKER,
    MODE_NAMES,
    VAN,
)
from twin.domain.lastmile.fleet import StoreLastMile, build_weather, store_last_mile
from twin.domain.lastmile.fleet_log import store_delivery_log
from twin.domain.online.dispatch import DispatchDesk
from twin.domain.online.orders import Order
from twin.network.regions import Region

# cold-chain environments of an order between leaving the store and the customer taking it
VEHICLE_ENVIRONMENTS = {VAN: "van", BIKE: "bike_tote", DRONE: "drone_box"}
DOORSTEP_ENV = "doorstep"
HOME_ENV = "home"
LOCKER_ENV = "locker_redirect"
ColdLeg = tuple[int, str, float, float]  # order id, environment, start_s, end_s

RETRY, TO_LOCKER, TO_DOORSTEP = range(3)
POLICIES = {"retry": RETRY, "locker": TO_LOCKER, "doorstep": TO_DOORSTEP}
ACCEPTED = AccessOutcome.ACCEPTED


class LastMile:
    """Every store's last mile in one region; ``logs()`` and ``cold_legs()`` after the run."""

    def __init__(
        self,
        env: simpy.Environment,
        region: Region,
        config: Any,
        streams: Streams,
        desks: dict[str, DispatchDesk],
        orders: Any,
    ) -> None:
        self.env = env
        cfg: DeliveryConfig = config.delivery
        self.cfg = cfg
        self.days: int = config.run.days
        self.sites: dict[int, StoreLastMile] = {}
        self.legs: list[ColdLeg] = []
        if not (cfg.enabled and desks):
            return
        self.channel_modes = [
            [MODE_NAMES.index(mode) for mode in cfg.channel_modes.get(channel, [])]
            for channel in CHANNELS
        ]
        drone_fleets = (
            [plan_store.fleet("drone") for plan_store in region.plan.stores.values()]
            if region.plan is not None
            else [cfg.drone.drones]
        )
        uses_drones = max(drone_fleets, default=0) > 0 and any(
            DRONE in m for m in self.channel_modes
        )
        self._draw_order_attributes(orders.orders, streams)
        weather = build_weather(cfg.drone.weather, streams, self.days) if uses_drones else None
        waves = list(cfg.wave_hours) if cfg.dispatch == "waves" else None
        for store_id, desk in desks.items():
            index = desk.store_index
            self.sites[index] = store_last_mile(
                env, self, region, cfg, streams, store_id, index, weather, waves, self.days
            )
            desk.on_ready.append(self.assign)
        self.not_home_policy = POLICIES[cfg.on_not_home]
        self.inhome_policy = POLICIES[cfg.inhome.fallback]

    def _draw_order_attributes(self, orders: list[Order], streams: Streams) -> None:
        """Per-order draws, indexed by order id (ids run 0..n-1 in the region)."""
        cfg = self.cfg
        n = len(orders)
        attempts = cfg.max_attempts

        def rng(name: str) -> np.random.Generator:
            return streams.get(f"delivery.orders.{name}")

        self.drone_u = doubles(rng("drone_offer").random(n))
        self.inhome_u = doubles(rng("inhome").random(n))
        # per (order, attempt), flat: order id * max_attempts + attempt
        self.not_home: list[bool] = (
            (rng("not_home").random((n, attempts)) < cfg.not_home_prob).ravel().tolist()
        )
        self.inhome_fails: list[bool] = (
            (rng("inhome_fail").random((n, attempts)) < cfg.inhome.fail_prob).ravel().tolist()
        )
        self.doorstep_s = doubles(block_drawer(cfg.doorstep_dwell_s, rng("doorstep"))(n))
        self.locker_s = doubles(block_drawer(cfg.locker_collect_s, rng("locker"))(n))

    # --- hand-off and mode choice ----------------------------------------------------------

    def assign(self, order: Order) -> None:
        """An order is ready for dispatch at its store (the dispatch desk's callback)."""
        now = self.env.now
        cfg = self.cfg
        site = self.sites[order.store]
        weight = sum(order.weight_kg)
        is_inhome = self.inhome_u[order.id] < cfg.inhome.share
        drones = site.drones
        parcels = drones.parcels_for(weight) if drones is not None else 0
        delivery = Delivery(
            order=order,
            id=order.id,
            store=order.store,
            zone=order.zone,
            ready_s=now,
            slot_start_s=order.due_s,
            slot_end_s=order.due_s + cfg.slot_s,
            weight_kg=weight,
            volume_l=sum(order.volume_l),
            is_inhome=is_inhome,
            is_drone_eligible=(
                drones is not None and parcels > 0 and drones.in_range[order.zone] and not is_inhome
            ),
            parcels=max(parcels, 1),
        )
        site.deliveries.append(delivery)
        if is_inhome:
            self._issue_code(delivery, delivery.slot_start_s, delivery.slot_end_s, now)
        self._dispatch(delivery, allow_drone=True)

    def _dispatch(self, delivery: Delivery, allow_drone: bool) -> None:
        """The first mode of the channel's list that can take ``delivery``."""
        site = self.sites[delivery.store]
        modes = self.channel_modes[delivery.order.channel]
        for mode in modes:
            if mode == DRONE:
                drones = site.drones
                if (
                    allow_drone
                    and drones is not None
                    and delivery.is_drone_eligible
                    and self.drone_u[delivery.id] < self.cfg.drone.offer_frac
                    and drones.can_take(self.env.now)
                ):
                    drones.offer(delivery)
                    return
                continue
            pool = site.couriers.get(mode)
            if pool is not None and pool.fits(delivery):
                pool.offer(delivery)
                return
        for mode in modes:
            pool = site.couriers.get(mode)
            if pool is not None:
                pool.offer(delivery)  # over every vehicle's capacity or radius: goes anyway
                return
        raise AssertionError(f"no courier for channel {delivery.order.channel} (config check)")

    def _issue_code(
        self, delivery: Delivery, slot_start_s: float, slot_end_s: float, now: float
    ) -> None:
        inhome = self.cfg.inhome
        start = slot_start_s - inhome.early_s
        end = slot_end_s + inhome.late_s
        delivery.code_window = (start, end)
        site = self.sites[delivery.store]
        # a window that ended before the order was ready gets no code: refused as unknown
        delivery.code = site.codes.issue(start, end, now) if end >= now else -1

    # --- couriers ----------------------------------------------------------------------------

    def loaded(self, delivery: Delivery, now: float) -> None:
        if math.isnan(delivery.first_out_s):
            delivery.first_out_s = now
        delivery.leg_start_s = now

    def attempt(self, delivery: Delivery, now: float, stop_s: float) -> float:
        """A courier at the door at ``now``: the attempt's outcome; returns seconds spent."""
        attempts = self.cfg.max_attempts
        draw = delivery.id * attempts + min(delivery.attempts, attempts - 1)
        delivery.attempts += 1
        vehicle = VEHICLE_ENVIRONMENTS[delivery.mode]
        if delivery.is_inhome:
            site = self.sites[delivery.store]
            outcome = site.codes.verify(delivery.code, now)
            is_failed = outcome == ACCEPTED and self.inhome_fails[draw]
            start, end = delivery.code_window
            site.access.append((delivery.id, now, int(outcome), start, end, is_failed))
            if outcome == ACCEPTED and not is_failed:
                spent = stop_s + site.extra_s()
                self._delivered(delivery, now, INHOME)
                self.legs.append((delivery.id, vehicle, delivery.leg_start_s, now))
                self.legs.append((delivery.id, HOME_ENV, now, now + spent))
                return spent
            policy = self.inhome_policy
        else:
            if not self.not_home[draw]:
                self._delivered(delivery, now, HANDED)
                self.legs.append((delivery.id, vehicle, delivery.leg_start_s, now + stop_s))
                return stop_s
            policy = self.not_home_policy
        delivery.failed += 1
        if policy == TO_DOORSTEP:
            self._delivered(delivery, now, DOORSTEP)
            self._left_at_door(delivery, vehicle, now + stop_s)
        else:
            delivery.policy = policy
        return stop_s

    def returned(self, delivery: Delivery, now: float) -> None:
        """A failed order is back at the store: retry later, or into the lockers."""
        self.legs.append(
            (delivery.id, VEHICLE_ENVIRONMENTS[delivery.mode], delivery.leg_start_s, now)
        )
        if delivery.policy == TO_LOCKER or delivery.failed >= self.cfg.max_attempts:
            delivery.outcome = LOCKER
            self.legs.append((delivery.id, LOCKER_ENV, now, now + self.locker_s[delivery.id]))
            return
        self.env.timeout(self.cfg.retry_after_s, delivery).callbacks.append(self._retry)

    def _retry(self, event: simpy.Event) -> None:
        delivery: Delivery = event.value  # type: ignore[assignment]
        now = self.env.now
        delivery.policy = -1
        if delivery.is_inhome and self.cfg.inhome.reissue_code_on_retry:
            self._issue_code(delivery, now, now + self.cfg.slot_s, now)
        self._dispatch(delivery, allow_drone=False)

    # --- drones ------------------------------------------------------------------------------

    def launched(self, delivery: Delivery, now: float) -> None:
        delivery.launched += 1
        if delivery.launched == 1:
            self.loaded(delivery, now)

    def dropped(self, delivery: Delivery, door_s: float, now: float) -> None:
        delivery.parcels_left -= 1
        if delivery.parcels_left:
            return
        delivery.attempts = 1
        self._delivered(delivery, door_s, DOORSTEP)
        self._left_at_door(delivery, VEHICLE_ENVIRONMENTS[DRONE], now)

    def reroute(self, delivery: Delivery, reason: int) -> None:
        self._dispatch(delivery, allow_drone=False)

    # --- outcomes ----------------------------------------------------------------------------

    def _delivered(self, delivery: Delivery, door_s: float, outcome: int) -> None:
        delivery.door_s = door_s
        delivery.outcome = outcome

    def _left_at_door(self, delivery: Delivery, vehicle: str, dropped_s: float) -> None:
        self.legs.append((delivery.id, vehicle, delivery.leg_start_s, dropped_s))
        dwell = self.doorstep_s[delivery.id]
        self.legs.append((delivery.id, DOORSTEP_ENV, dropped_s, dropped_s + dwell))

    # --- after the run -----------------------------------------------------------------------

    def cold_legs(self) -> list[ColdLeg]:
        """(order id, environment, start_s, end_s) of every leg from leaving the store to the
        customer (docs/CONTRACTS.md); legs of one order do not overlap and come in time order."""
        return list(self.legs)

    def logs(self) -> dict[str, dict[str, Any]]:
        """{store id: {"delivery": DeliveryLog}} for every store with a dispatch desk."""
        return {
            site.store_id: {"delivery": store_delivery_log(site, self.cfg.drone, self.days)}
            for site in self.sites.values()
        }


def build_last_mile(
    env: simpy.Environment,
    region: Region,
    config: Any,
    streams: Streams,
    desks: dict[str, DispatchDesk],
    orders: Any,
    before: Sequence[Any] = (),
) -> LastMile:
    """The dispatcher builder listed in ``DISPATCHERS`` (``twin/domain/registry.py``)."""
    return LastMile(env, region, config, streams, desks, orders)


__all__ = ["LastMile", "build_last_mile"]
