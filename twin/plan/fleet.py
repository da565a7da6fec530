"""Delivery fleets per store (vans, cargo bikes, drones) from its expected deliveries.

Each mode is sized for every delivery it could take (zones within its reach; drones also by
payload, opt-in and flyable weather): the busiest hour's expected work over the utilisation
target. A mode's trip time per order is its load and stop times plus its share of a round trip
to the store's zones, with batches as large as the orders that arrive within the mode's
``max_wait_s`` (at most ``batch_orders``) [assumption: a tour visits its stops half a round
trip apart]. Vans are the fallback of every order, so a store with deliveries keeps one.
"""

from __future__ import annotations

import numpy as np

from twin.config.delivery import CourierConfig, DeliveryConfig
from twin.config.orders import CHANNELS, TEMPERATURE_ZONES
from twin.config.schema import TwinConfig
from twin.core.sampling import block_drawer, dist_mean
from twin.network.regions import Region
from twin.plan.load import LOAD_SEED, OnlineLoad
from twin.plan.staffing import by_utilisation

FLEET_MODES = ("van", "bike", "drone")


def delivery_channels(config: TwinConfig, mode: str) -> list[int]:
    """Indices of the channels handed to the last mile whose modes include ``mode``."""
    delivery = config.delivery
    return [
        c
        for c, (name, channel) in enumerate(config.orders.channels())
        if channel.enabled
        and channel.handoff == "delivery"
        and mode in delivery.channel_modes.get(name, [])
    ]


def _courier_order_s(cfg: CourierConfig, km: float, orders_per_h: float) -> float:
    batch = float(np.clip(orders_per_h * cfg.max_wait_s / 3600.0, 1.0, cfg.batch_orders))
    travel_km = (2.0 * km + (batch - 1.0) * km / 2.0) / batch
    return dist_mean(cfg.load_s) + dist_mean(cfg.stop_s) + travel_km / cfg.speed_kmh * 3600.0


def drone_payload_fracs(config: TwinConfig) -> list[float]:
    """Per channel, the share of its orders light enough for the drones."""
    return [_drone_payload_frac(config, channel) for channel in CHANNELS]


def _drone_payload_frac(config: TwinConfig, channel: str) -> float:
    """Share of a channel's orders light enough for the drones (a fixed sample)."""
    drone = config.delivery.drone
    rng = np.random.default_rng(LOAD_SEED + 10 + CHANNELS.index(channel))
    units = np.maximum(
        1, np.round(block_drawer(getattr(config.orders, channel).basket_units, rng)(4000))
    )
    zones = config.orders.zones
    shares = np.array(zones.shares())
    kg_per_unit = float(
        sum(
            s * dist_mean(getattr(zones, z).weight_kg)
            for s, z in zip(shares, TEMPERATURE_ZONES, strict=True)
        )
        / shares.sum()
    )
    limit = drone.payload_kg * (drone.max_drones_per_order if drone.split != "none" else 1)
    return float(np.mean(units * kg_per_unit <= limit))


def fleet_needs(
    config: TwinConfig, region: Region, store: int, online: OnlineLoad, light: list[float]
) -> dict[str, tuple[int, int]]:
    """Per mode: (fleet, shortfall) for store index ``store``; ``light``: drone_payload_fracs."""
    orders_week = online.per_h[:, store]
    delivery: DeliveryConfig = config.delivery
    planner = config.planner.fleet
    tables = region.tables
    out: dict[str, tuple[int, int]] = {}
    any_delivery = any(delivery_channels(config, m) for m in FLEET_MODES)
    for mode in FLEET_MODES:
        channels = delivery_channels(config, mode)
        high = getattr(planner, f"max_{mode}s")
        if not channels:
            out[mode] = (0, 0)
            continue
        weights = online.zone_weights(store, channels)
        per_h = orders_week[channels].sum(axis=0)  # (7, 24)
        if mode == "drone":
            cfg_d = delivery.drone
            air = tables.zone_store_air_km[:, store]
            reach = 2.0 * air <= cfg_d.range_km
            light_frac = float(np.mean([light[c] for c in channels]))
            share = float(weights[reach].sum()) * light_frac * cfg_d.offer_frac
            share *= 1.0 - cfg_d.weather.no_fly_share if cfg_d.weather.kind != "none" else 1.0
            km = float((weights * air)[reach].sum() / max(weights[reach].sum(), 1e-12))
            flight_s = (
                dist_mean(cfg_d.load_s)
                + dist_mean(cfg_d.drop_s)
                + 2.0 * km * 1000.0 / cfg_d.cruise_speed_mps
            )
            work = per_h * share * flight_s / 3600.0
            low = 1 if share > 0 and per_h.any() else 0
            out[mode] = by_utilisation(float(work.max()), planner.utilisation_target, low, high)
            continue
        cfg: CourierConfig = getattr(delivery, mode)
        road_km = tables.zone_store_km[:, store]
        reach = road_km <= cfg.max_road_km if cfg.max_road_km > 0 else np.ones_like(road_km, bool)
        share = float(weights[reach].sum())
        km = float((weights * road_km)[reach].sum() / max(share, 1e-12))
        peak = float(per_h.max()) * share
        work = peak * _courier_order_s(cfg, km, peak) / 3600.0
        fallback = mode == "van" and any_delivery and per_h.any()
        low = 1 if fallback or (share > 0 and per_h.any()) else 0
        out[mode] = by_utilisation(work, planner.utilisation_target, low, high)
    return out
