"""One store's last-mile fleet: courier pools, drones and an issuer of in-home access codes.

Vans, cargo bikes and drones per store come from the plan when there is one, else from the
config (``delivery.<mode>.vehicles``, ``delivery.drone.drones``). Drones fly in the region's
weather (:func:`build_weather`), and drones that can reach no customer zone are a config error.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

import numpy as np
import simpy

from twin.config.delivery import COURIER_MODES, DeliveryConfig, WeatherConfig
from twin.core.sampling import make_sampler
from twin.core.streams import Streams
from twin.domain.lastmile.access_code import AccessCodes
from twin.domain.lastmile.courier import CourierPool
from twin.domain.lastmile.deliveries import CourierHooks, Delivery, DroneHooks
from twin.domain.lastmile.delivery_log import MODE_NAMES
from twin.domain.lastmile.drone import DroneFleet
from twin.domain.lastmile.weather import WeatherTrace
from twin.errors import ConfigError
from twin.network.regions import Region


class FleetHooks(CourierHooks, DroneHooks, Protocol):
    """What couriers and drones call back as deliveries progress (the region's last mile)."""


class StoreLastMile:
    """One store's couriers, drones, access codes and deliveries."""

    __slots__ = ("access", "codes", "couriers", "deliveries", "drones", "extra_s", "store_id")

    def __init__(
        self,
        store_id: str,
        couriers: dict[int, CourierPool],
        drones: DroneFleet | None,
        codes: AccessCodes,
        extra_s: Any,
    ) -> None:
        self.store_id = store_id
        self.couriers = couriers
        self.drones = drones
        self.codes = codes
        self.extra_s = extra_s
        self.deliveries: list[Delivery] = []
        self.access: list[tuple[int, float, int, float, float, bool]] = []


def store_last_mile(
    env: simpy.Environment,
    hooks: FleetHooks,
    region: Region,
    cfg: DeliveryConfig,
    streams: Streams,
    store_id: str,
    index: int,
    weather: WeatherTrace | None,
    waves: list[float] | None,
    days: int,
) -> StoreLastMile:
    """The couriers, drones (if there is weather to fly in) and access codes of one store."""
    plan = region.plan
    fleet = _store_fleet(cfg, plan.stores[store_id] if plan is not None else None)
    couriers = {
        MODE_NAMES.index(name): CourierPool(
            env,
            hooks,
            MODE_NAMES.index(name),
            replace(getattr(cfg, name), vehicles=fleet[name]),
            index,
            store_id,
            region.tables,
            streams,
            waves,
            days,
        )
        for name in COURIER_MODES
        if fleet[name] > 0
    }
    drones = None
    if weather is not None and fleet["drone"] > 0:
        drones = DroneFleet(
            env,
            hooks,
            replace(cfg.drone, drones=fleet["drone"]),
            index,
            store_id,
            region.tables,
            weather,
            streams,
            days,
        )
        _check_range(region, index, drones, cfg.drone.range_km)
    return StoreLastMile(
        store_id,
        couriers,
        drones,
        AccessCodes(streams.get(f"delivery.{store_id}.codes")),
        make_sampler(cfg.inhome.extra_stop_s, streams.get(f"delivery.{store_id}.inhome")),
    )


def build_weather(cfg: WeatherConfig, streams: Streams, days: int) -> WeatherTrace:
    """The region's drone weather: always flyable, a Markov chain, or an hourly trace file."""
    if cfg.kind == "none":
        return WeatherTrace(np.zeros(24, dtype=bool), repeat=True)
    if cfg.kind == "trace":
        try:
            return WeatherTrace.from_csv(cfg.trace_csv, cfg.trace_column or None, repeat=True)
        except ValueError as exc:
            raise ConfigError(
                "delivery.drone.weather.trace_csv",
                cfg.trace_csv,
                "a readable hourly trace",
                str(exc),
            ) from None
    return WeatherTrace.markov(
        cfg.no_fly_share, cfg.mean_spell_h, days, streams.get("delivery.weather"), repeat=True
    )


def _check_range(region: Region, store_index: int, drones: DroneFleet, range_km: float) -> None:
    """Drones that can reach no customer zone are a config mistake, not a scenario."""
    if any(drones.in_range):
        return
    air = region.tables.zone_store_air_km[:, store_index]
    nearest = int(np.argmin(air))
    store_id = region.stores[store_index].id
    raise ConfigError(
        "delivery.drone.range_km",
        range_km,
        f"a round trip of at least {2 * air[nearest]:.3g} km, twice the straight line from "
        f"store {store_id} to its nearest customer zone {region.zones[nearest].id} "
        f"({air[nearest]:.3g} km)",
        "Raise the range, or set delivery.drone.drones=0 to run without drones.",
    )


def _store_fleet(cfg: DeliveryConfig, plan: Any) -> dict[str, int]:
    """Vehicles (drones) of each mode at one store: the plan's, or the configured counts."""
    if plan is None or "vans" not in plan.levels:
        return {mode: cfg.fleet(mode) for mode in ("van", "bike", "drone")}
    return {mode: plan.fleet(mode) for mode in ("van", "bike", "drone")}
