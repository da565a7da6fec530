"""Order rates: which stores offer a channel, and its orders per second by zone and hour.

Each channel's volume is given per store offering it and spread over the region's customer
zones by population, by the channel's hour-of-day profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.config.fulfilment import FulfilmentConfig
from twin.config.orders import CHANNELS, ChannelConfig, OrdersConfig
from twin.core.arrivals import hourly_rates_per_s
from twin.network.regions import Region


@dataclass(frozen=True, slots=True)
class ChannelRates:
    """Hourly order rates (per s) of one channel in each customer zone of a region."""

    channel: int
    per_zone: np.ndarray  # (zones, hours of the horizon)


def offering_stores(region: Region, fulfilment: FulfilmentConfig, channel: str) -> np.ndarray:
    """Boolean mask over the region's stores: which offer ``channel``."""
    return np.array(
        [fulfilment.offers(store.format, channel) for store in region.stores], dtype=bool
    )


def channel_rates(
    region: Region,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
    channel: str,
    days: int,
    start_weekday: int,
) -> ChannelRates:
    """Order rates of ``channel`` by zone and hour: volume per offering store, by population."""
    config: ChannelConfig = getattr(orders, channel)
    n_zones = len(region.zones)
    hours = days * 24
    n_stores = int(offering_stores(region, fulfilment, channel).sum())
    if not (orders.enabled and config.enabled) or n_stores == 0 or n_zones == 0:
        return ChannelRates(CHANNELS.index(channel), np.zeros((n_zones, hours)))
    population = np.array([zone.population for zone in region.zones], dtype=float)
    total = population.sum()
    weights = population / total if total > 0 else np.full(n_zones, 1 / n_zones)
    daily = config.daily_orders_per_store * orders.demand_scale * n_stores
    profile = hourly_rates_per_s(
        daily,
        config.hour_shares,
        config.hour_shares,
        orders.day_factors,
        config.open_hour,
        config.close_hour,
        days,
        start_weekday,
    )
    return ChannelRates(CHANNELS.index(channel), np.outer(weights, profile))
