"""The courier vehicles of one mode (vans or cargo bikes) at one store: batching and trips.

Orders offered to the pool wait until a vehicle is free and the dispatch rule says go:

- ``on_demand``: when ``batch_orders`` orders wait, or the oldest has waited ``max_wait_s``;
  the trip takes up to ``batch_orders`` of them, earliest slot end first, within the vehicle's
  capacity (orders, kg, litres; the first order always goes, even if it alone is over);
- ``waves``: an order is released at the first wave time at or after it was offered; a free
  vehicle takes up to ``capacity_orders`` released orders.

Trips only start on shift (``start_hour`` to ``end_hour``); one under way finishes. A trip
loads its orders, visits their customer zones in the order :func:`plan_trip` gives (nearest
neighbour + 2-opt + or-opt over the region's precomputed road km, no graph search), spends a
stop time per order (plus what the door policy adds), and drives back. Travel seconds are road
km / ``speed_kmh`` (the table's fastest-route km; the road graph has one speed, so that is the
shortest route too). Orders still on board at the end go back to the last mile's failure
policy (retry later or the store lockers).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np
import simpy

from twin.config.delivery import CourierConfig
from twin.core.arrivals import DAY_S, HOUR_S
from twin.core.sampling import make_sampler
from twin.core.streams import Streams
from twin.domain.common import ProcessGen
from twin.domain.lastmile.deliveries import CourierHooks, Delivery, is_on_shift
from twin.domain.lastmile.delivery_log import MODE_NAMES, PENDING
from twin.network.routing import plan_route
from twin.network.tables import TravelTables

TripRow = tuple[int, int, float, float, float, float, int, int]  # TRIP_COLUMNS
_EPS = 1e-9


def trip_matrix(
    store_zone_km: np.ndarray, zone_zone_km: np.ndarray, zones: Sequence[int]
) -> np.ndarray:
    """Road km between the store (node 0) and ``zones`` (nodes 1..k), from the region tables."""
    index = np.asarray(zones, dtype=np.intp)
    size = index.size + 1
    matrix = np.zeros((size, size))
    matrix[0, 1:] = store_zone_km[index]
    matrix[1:, 0] = store_zone_km[index]  # roads are two-way: zone -> store = store -> zone
    matrix[1:, 1:] = zone_zone_km[np.ix_(index, index)]
    return matrix


def plan_trip(
    store_zone_km: np.ndarray, zone_zone_km: np.ndarray, zones: Sequence[int]
) -> tuple[list[int], float]:
    """The zones of one trip in visiting order (distinct, heuristic tour) and its road km.

    >>> km = np.array([1.0, 2.0, 2.0])
    >>> between = np.array([[0.0, 1.0, 3.0], [1.0, 0.0, 3.0], [3.0, 3.0, 0.0]])
    >>> plan_trip(km, between, [2, 0, 1, 0])
    ([0, 1, 2], 7.0)
    """
    distinct = list(dict.fromkeys(zones))
    if not distinct:
        return [], 0.0
    if len(distinct) == 1:
        return distinct, 2.0 * float(store_zone_km[distinct[0]])
    matrix = trip_matrix(store_zone_km, zone_zone_km, distinct)
    order = plan_route(matrix, 0, range(1, len(distinct) + 1))
    tour = [0, *order, 0]
    km = float(matrix[tour[:-1], tour[1:]].sum())
    return [distinct[node - 1] for node in order], km


class CourierPool:
    """The vehicles of one courier mode at one store, their waiting orders and their trips."""

    def __init__(
        self,
        env: simpy.Environment,
        hooks: CourierHooks,
        mode: int,
        cfg: CourierConfig,
        store_index: int,
        store_id: str,
        tables: TravelTables,
        streams: Streams,
        wave_hours: list[float] | None,
        days: int,
    ) -> None:
        self.env = env
        self.hooks = hooks
        self.mode = mode
        self.cfg = cfg
        name = MODE_NAMES[mode]
        self.s_per_km = HOUR_S / cfg.speed_kmh
        self.store_zone_km = np.ascontiguousarray(tables.zone_store_km[:, store_index])
        self.to_zone_km: list[float] = self.store_zone_km.tolist()
        self.zone_zone_km = tables.zone_zone_km
        self.stop_s = make_sampler(cfg.stop_s, streams.get(f"delivery.{store_id}.{name}.stop"))
        self.load_s = make_sampler(cfg.load_s, streams.get(f"delivery.{store_id}.{name}.load"))
        self.pending: list[Delivery] = []  # in the order offered
        self.idle: list[int] = list(range(cfg.vehicles))[::-1]
        self.trips: list[TripRow] = []
        # zones of a trip (first-seen order) -> its route and km: plan_trip is deterministic,
        # and some 40 % of a day's multi-zone trips repeat an earlier set of zones
        self.planned: dict[tuple[int, ...], tuple[list[int], float]] = {}
        self.timer_at = math.inf
        self.start_h = float(cfg.start_hour)
        self.end_h = float(cfg.end_hour)
        self.waves: list[float] | None = None
        if wave_hours is not None:
            self.waves = [day * DAY_S + h * HOUR_S for day in range(days) for h in wave_hours]
            env.process(self._at_times(self.waves))
        env.process(self._at_times([day * DAY_S + self.start_h * HOUR_S for day in range(days)]))

    def fits(self, delivery: Delivery) -> bool:
        """Whether one of this pool's vehicles may carry ``delivery`` (capacity, radius)."""
        cfg = self.cfg
        return (
            delivery.weight_kg <= cfg.capacity_kg
            and delivery.volume_l <= cfg.capacity_l
            and (cfg.max_road_km <= 0 or self.to_zone_km[delivery.zone] <= cfg.max_road_km)
        )

    def offer(self, delivery: Delivery) -> None:
        """A delivery for this pool: wait for a vehicle and the dispatch rule."""
        now = self.env.now
        delivery.mode = self.mode
        delivery.offered_s = now
        if self.waves is not None:
            index = bisect.bisect_left(self.waves, now - _EPS)
            delivery.release_s = self.waves[index] if index < len(self.waves) else math.inf
        self.pending.append(delivery)
        self._dispatch()

    def _dispatch(self) -> None:
        """Send free vehicles out while the dispatch rule allows."""
        env = self.env
        now = env.now
        cfg = self.cfg
        while self.pending and self.idle and is_on_shift(now, self.start_h, self.end_h):
            if self.waves is not None:
                candidates = [d for d in self.pending if d.release_s <= now + _EPS]
                if not candidates:
                    return
                limit = cfg.capacity_orders
            else:
                candidates = self.pending
                limit = cfg.batch_orders
                due = self.pending[0].offered_s + cfg.max_wait_s
                if len(candidates) < limit and now < due - _EPS:
                    self._arm(due)
                    return
            batch = self._take(candidates, limit)
            env.process(self._trip(self.idle.pop(), batch))

    def _take(self, candidates: list[Delivery], limit: int) -> list[Delivery]:
        """Earliest slot end first, up to ``limit`` orders within the vehicle's capacity."""
        cfg = self.cfg
        batch: list[Delivery] = []
        kg = litres = 0.0
        for delivery in sorted(candidates, key=_slot_end):
            if len(batch) >= limit:
                break
            if batch and (
                kg + delivery.weight_kg > cfg.capacity_kg
                or litres + delivery.volume_l > cfg.capacity_l
            ):
                continue
            batch.append(delivery)
            kg += delivery.weight_kg
            litres += delivery.volume_l
        taken = {id(d) for d in batch}
        self.pending = [d for d in self.pending if id(d) not in taken]
        return batch

    def _arm(self, at_s: float) -> None:
        """Wake the dispatcher at ``at_s`` (once; an earlier wake-up re-arms as needed)."""
        if self.env.now - _EPS <= self.timer_at <= at_s + _EPS:
            return
        self.timer_at = at_s
        self.env.timeout(at_s - self.env.now).callbacks.append(self._wake)

    def _wake(self, event: simpy.Event) -> None:
        if abs(self.env.now - self.timer_at) <= _EPS:
            self.timer_at = math.inf
        self._dispatch()

    def _at_times(self, times: list[float]) -> ProcessGen:
        """Run the dispatch rule at each of ``times`` (shift starts, waves)."""
        env = self.env
        for t in times:
            if t < env.now:
                continue
            yield env.timeout(t - env.now)
            self._dispatch()

    def _trip(self, vehicle: int, batch: list[Delivery]) -> ProcessGen:
        """Load, visit each zone of the batch, try each order at its door, drive back.

        Emits (into the trip log and the last mile's logs): courier.trip_s, delivery.*.
        """
        env = self.env
        hooks = self.hooks
        start = env.now
        for delivery in batch:
            hooks.loaded(delivery, start)
        yield env.timeout(sum(self.load_s() for _ in batch))
        depart = env.now
        zones = tuple(dict.fromkeys(d.zone for d in batch))
        planned = self.planned.get(zones)
        if planned is None:
            planned = self.planned[zones] = plan_trip(self.store_zone_km, self.zone_zone_km, zones)
        route, km = planned
        at = -1
        for zone in route:
            yield env.timeout(self._km(at, zone) * self.s_per_km)
            at = zone
            for delivery in batch:
                if delivery.zone == zone:
                    yield env.timeout(hooks.attempt(delivery, env.now, self.stop_s()))
        yield env.timeout(self._km(at, -1) * self.s_per_km)
        end = env.now
        self.trips.append((self.mode, vehicle, start, depart, end, km, len(batch), len(route)))
        for delivery in batch:
            if delivery.outcome == PENDING:
                hooks.returned(delivery, end)
        self.idle.append(vehicle)
        self._dispatch()

    def _km(self, a: int, b: int) -> float:
        """Road km from zone ``a`` to zone ``b``; -1 is the store."""
        if a < 0:
            return self.to_zone_km[b]
        if b < 0:
            return self.to_zone_km[a]
        return float(self.zone_zone_km[a, b])


def _slot_end(delivery: Delivery) -> float:
    return delivery.slot_end_s
