"""Test helpers for the last mile: delivery orders only, ready at once, simple fleets."""

from __future__ import annotations

from typing import Any

import numpy as np

import twin
from tests.support import PLANNER_FIXED
from twin.domain.lastmile.delivery_log import DeliveryLog
from twin.domain.lastmile.dispatcher import LastMile
from twin.model import run_region
from twin.network.build import build_network
from twin.network.regions import Region

FLAT_24H = "[" + ",".join(["1"] * 24) + "]"
PICKING = "fulfilment.store.picking"
DRONE = "delivery.drone"


def delivery_only_overrides(
    orders_per_h: float, replications: int = 1, warmup_s: float = 7200.0, days: int = 1
) -> list[str]:
    """One store, delivery orders only (Poisson, around the clock), no walk-ins, no in-home.

    Every order is one ambient item, picked in one second by one of many pickers, so orders
    are ready for dispatch one second after they are placed (a Poisson stream at the desk).
    """
    return [
        "network=single_store",
        *PLANNER_FIXED,
        f"run.replications={replications}",
        f"run.warmup_s={warmup_s}",
        f"run.days={days}",
        "formats.grocery.demand_scale=0",
        "orders.pickup.enabled=false",
        "orders.replenishment.enabled=false",
        "orders.delivery.open_hour=0",
        "orders.delivery.close_hour=24",
        f"orders.delivery.hour_shares={FLAT_24H}",
        f"orders.delivery.daily_orders_per_store={orders_per_h * 24}",
        "orders.delivery.basket_units={kind:fixed,mean:1}",
        "orders.zones.ambient.share=1",
        "orders.zones.chilled.share=0",
        "orders.zones.frozen.share=0",
        f"{PICKING}.start_hour=0",
        f"{PICKING}.end_hour=24",
        f"{PICKING}.pickers=50",
        f"{PICKING}.per_item_s.ambient={{kind:fixed,mean:1}}",
        f"{PICKING}.walk_s={{kind:fixed,mean:0}}",
        f"{PICKING}.stage_s={{kind:fixed,mean:0}}",
        "delivery.inhome.share=0",
        "delivery.not_home_prob=0",
        "delivery.van.start_hour=0",
        "delivery.van.end_hour=24",
        "delivery.bike.vehicles=0",
    ]


def single_drone_overrides(
    load_s: float, drop_s: float, swap_s: float, payload_kg: float = 100.0
) -> list[str]:
    """One drone with fixed turnaround times, packs never short, always flyable, no limits."""
    return [
        "delivery.channel_modes.delivery=[drone,van]",
        f"{DRONE}.drones=1",
        f"{DRONE}.packs=20",
        f"{DRONE}.payload_kg={payload_kg}",
        f"{DRONE}.range_km=1000",
        f"{DRONE}.split=none",
        f"{DRONE}.offer_frac=1",
        f"{DRONE}.max_queue_per_drone=0",
        f"{DRONE}.start_hour=0",
        f"{DRONE}.end_hour=24",
        f"{DRONE}.weather.kind=none",
        f"{DRONE}.load_s={{kind:fixed,mean:{load_s}}}",
        f"{DRONE}.drop_s={{kind:fixed,mean:{drop_s}}}",
        f"{DRONE}.swap_s={{kind:fixed,mean:{swap_s}}}",
        f"{DRONE}.charge_s={{kind:fixed,mean:600}}",
    ]


def run_with_logs(
    overrides: list[str], replication: int = 0
) -> tuple[twin.TwinConfig, Region, DeliveryLog, LastMile]:
    """Simulate the first region once; its pooled delivery log and the last-mile object."""
    config = twin.load_config(overrides)
    region = build_network(config.network, list(vars(config.formats))).regions[0]
    captured: list[LastMile] = []
    from twin.domain.lastmile.dispatcher import build_last_mile
    from twin.domain.registry import DISPATCHERS

    def capture(*args: Any) -> LastMile:
        last_mile = build_last_mile(*args)
        captured.append(last_mile)
        return last_mile

    position = DISPATCHERS.index(build_last_mile)
    DISPATCHERS[position] = capture
    try:
        result = run_region(config, region, replication, keep_logs=True)
    finally:
        DISPATCHERS[position] = build_last_mile
    log = DeliveryLog.concat(result.logs["delivery"])
    return config, region, log, captured[0]


def population_weights(region: Region) -> np.ndarray:
    population = np.array([zone.population for zone in region.zones], dtype=float)
    return population / population.sum()
