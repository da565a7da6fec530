"""The drones of one store: a FIFO of parcels, battery packs, shifts and the weather.

A drone flies one parcel per flight: load and launch, cruise the straight line to the zone,
hover and lower the parcel on a tether, fly back, swap the battery. The swapped-out pack
recharges for ``charge_s`` before it can fly again, so packs are a resource of their own:
a flight needs a free drone *and* a charged pack (with enough packs the drone is an M/G/1
server per store when there is one drone; packs out of the pool obey Little's law).

Flights start only on shift and when the hour is flyable (:class:`WeatherTrace`). A parcel
offered in no-fly weather, or waiting when a no-fly spell begins, is *grounded*; if the
weather has not cleared ``max_weather_wait_s`` later and none of its order's parcels has
flown, the order goes to a courier. At the end of the drone shift the orders still waiting go
to couriers. A flight under way always completes. Drones react to weather changes and shift
ends as events (one per change), never by polling.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import simpy

from twin.config.delivery import DroneConfig
from twin.core.arrivals import DAY_S, HOUR_S
from twin.core.sampling import make_sampler
from twin.core.streams import Streams
from twin.domain.common import ProcessGen
from twin.domain.lastmile.deliveries import Delivery, DroneHooks, is_on_shift
from twin.domain.lastmile.delivery_log import DRONE, DRONE_SHIFT_END, WEATHER
from twin.domain.lastmile.weather import WeatherTrace
from twin.network.tables import TravelTables

FlightRow = tuple[int, int, float, float, float, float, float, float]  # FLIGHT_COLUMNS
_EPS = 1e-9


class DroneFleet:
    """The drones and battery packs of one store and the parcels waiting for them."""

    def __init__(
        self,
        env: simpy.Environment,
        hooks: DroneHooks,
        cfg: DroneConfig,
        store_index: int,
        store_id: str,
        tables: TravelTables,
        weather: WeatherTrace,
        streams: Streams,
        days: int,
    ) -> None:
        self.env = env
        self.hooks = hooks
        self.cfg = cfg
        self.weather = weather
        air = tables.zone_store_air_km[:, store_index]
        self.air_km: list[float] = air.tolist()
        self.one_way_s: list[float] = (air * 1000.0 / cfg.cruise_speed_mps).tolist()
        self.in_range: list[bool] = (2.0 * air <= cfg.range_km + _EPS).tolist()

        def sampler(name: str) -> Any:
            spec = getattr(cfg, f"{name}_s")
            return make_sampler(spec, streams.get(f"delivery.{store_id}.drone.{name}"))

        self.load_s = sampler("load")
        self.drop_s = sampler("drop")
        self.swap_s = sampler("swap")
        self.charge_s = sampler("charge")
        self.waiting: deque[Delivery] = deque()  # one entry per parcel; rerouted ones skipped
        self.queued = 0  # live parcels in ``waiting``
        self.idle: list[int] = list(range(cfg.drones))[::-1]
        self.charged = cfg.packs
        self.flights: list[FlightRow] = []
        self.packs: list[list[float]] = []  # [taken_s, charged_s]; charged_s inf until charged
        self.start_h = float(cfg.start_hour)
        self.end_h = float(cfg.end_hour)
        self.max_queue = cfg.max_queue_per_drone * cfg.drones
        env.process(self._shifts(days))
        env.process(self._weather_changes(days * DAY_S))

    def parcels_for(self, weight_kg: float) -> int:
        """Flights an order of ``weight_kg`` needs (0: it cannot fly)."""
        cfg = self.cfg
        if weight_kg <= cfg.payload_kg:
            return 1
        if cfg.split == "none":
            return 0
        parcels = math.ceil(weight_kg / cfg.payload_kg - _EPS)
        return parcels if parcels <= cfg.max_drones_per_order else 0

    def can_take(self, now: float) -> bool:
        """On shift, and the queue is not over its limit (``max_queue_per_drone``)."""
        return is_on_shift(now, self.start_h, self.end_h) and (
            self.max_queue <= 0 or self.queued < self.max_queue
        )

    def offer(self, delivery: Delivery) -> None:
        """Queue every parcel of ``delivery``; fly when a drone, a pack and the sky allow."""
        now = self.env.now
        delivery.mode = DRONE
        delivery.offered_drone = True
        delivery.offered_s = now
        delivery.parcels_left = delivery.parcels
        for _ in range(delivery.parcels):
            self.waiting.append(delivery)
        self.queued += delivery.parcels
        if not self.weather.is_flyable(now):
            self._ground(delivery, now)
        self._launch()

    def _launch(self) -> None:
        """Start flights while parcels, drones, charged packs, shift and weather allow."""
        env = self.env
        now = env.now
        if not (self.queued and self.idle and self.charged):
            return
        if not (is_on_shift(now, self.start_h, self.end_h) and self.weather.is_flyable(now)):
            return
        while self.waiting and self.idle and self.charged:
            delivery = self.waiting.popleft()
            if delivery.rerouted:
                continue
            self.queued -= 1
            self.charged -= 1
            env.process(self._flight(self.idle.pop(), delivery))

    def _flight(self, drone: int, delivery: Delivery) -> ProcessGen:
        """Load, fly out, drop on the tether, fly back, swap the pack.

        Emits: drone.wait_s, drone.flights_n, drone.utilisation_frac, drone.packs_out_n.
        """
        env = self.env
        launch = env.now
        pack = len(self.packs)
        self.packs.append([launch, math.inf])
        self.hooks.launched(delivery, launch)
        one_way = self.one_way_s[delivery.zone]
        yield env.timeout(self.load_s() + one_way)
        door = env.now
        yield env.timeout(self.drop_s())
        self.hooks.dropped(delivery, door, env.now)
        yield env.timeout(one_way + self.swap_s())
        end = env.now
        self.flights.append(
            (
                delivery.id,
                drone,
                delivery.weight_kg / delivery.parcels,
                self.air_km[delivery.zone],
                delivery.offered_s,
                launch,
                door,
                end,
            )
        )
        env.timeout(self.charge_s(), pack).callbacks.append(self._recharged)
        self.idle.append(drone)
        self._launch()

    def _recharged(self, event: simpy.Event) -> None:
        pack: int = event.value  # type: ignore[assignment]
        self.packs[pack][1] = self.env.now
        self.charged += 1
        self._launch()

    def _ground(self, delivery: Delivery, now: float) -> None:
        """No flying now: the order waits, and goes to a courier if the sky does not clear."""
        delivery.weather_deferred = True
        delivery.grounded_s = now
        self.env.timeout(self.cfg.max_weather_wait_s, (delivery, now)).callbacks.append(
            self._weather_timeout
        )

    def _weather_timeout(self, event: simpy.Event) -> None:
        delivery, since = event.value  # type: ignore[misc]
        now = self.env.now
        if delivery.rerouted or delivery.launched or delivery.grounded_s != since:
            return
        if self.weather.is_flyable(now) or self.weather.next_flyable_s(since) < now - _EPS:
            return  # the sky cleared meanwhile: it waits for a drone, not for the weather
        self._reroute(delivery, WEATHER)

    def _reroute(self, delivery: Delivery, reason: int) -> None:
        delivery.rerouted = reason
        self.queued -= delivery.parcels
        self.hooks.reroute(delivery, reason)

    def _waiting_orders(self) -> list[Delivery]:
        """Orders with parcels still waiting, each once, none of whose parcels has flown."""
        seen: set[int] = set()
        out = []
        for delivery in self.waiting:
            if delivery.rerouted or delivery.launched or delivery.id in seen:
                continue
            seen.add(delivery.id)
            out.append(delivery)
        return out

    def _weather_changes(self, horizon_s: float) -> ProcessGen:
        """At each change of the weather: fly again, or ground the waiting orders."""
        env = self.env
        weather = self.weather
        while True:
            now = env.now
            change = (
                weather.next_no_fly_s(now)
                if weather.is_flyable(now)
                else weather.next_flyable_s(now)
            )
            if not change < horizon_s:
                return
            yield env.timeout(change - now)
            if weather.is_flyable(env.now):
                self._launch()
            else:
                for delivery in self._waiting_orders():
                    self._ground(delivery, env.now)

    def _shifts(self, days: int) -> ProcessGen:
        """Shift starts launch the queue; at shift end waiting orders go to couriers."""
        env = self.env
        starts = [day * DAY_S + self.start_h * HOUR_S for day in range(days)]
        ends = [day * DAY_S + self.end_h * HOUR_S for day in range(days)]
        # a shift ending as the next begins (0-24 h) does not end
        events = sorted([(t, True) for t in starts] + [(t, False) for t in ends if t not in starts])
        for at_s, is_start in events:
            if at_s < env.now:
                continue
            yield env.timeout(at_s - env.now)
            if is_start:
                self._launch()
            else:
                for delivery in self._waiting_orders():
                    self._reroute(delivery, DRONE_SHIFT_END)
