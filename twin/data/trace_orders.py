"""Trace replay of online orders: the recorded orders of a region, placed when they were.

With ``demand.source=trace`` the ``orders`` table of ``demand.trace`` (when it has one) is the
region's online demand: each recorded order is placed at its recorded time, in its recorded
channel, from its recorded customer zone, at its recorded store; where the log has units by
temperature zone they are its basket. Everything else (item weights, volumes and picking
times, walk and staging times, the customer's arrival, the value where not logged) is drawn
from the streams ``orders.<zone>.<channel>.<name>`` the modelled orders use, so what-ifs on
the replayed days share their random numbers. The promise is the twin's (a policy, so a
what-if may change it). All of it happens before time 0: the event loop only walks the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.config.orders import CHANNELS, TEMPERATURE_ZONES, OrdersConfig
from twin.core.sampling import block_drawer
from twin.core.streams import Streams
from twin.data.read import LogError, read_logs
from twin.domain.online.bar_orders import nearest_zone
from twin.domain.online.orders import Order
from twin.domain.online.orders_draws import draw_attributes, orders_of
from twin.domain.online.orders_rates import offering_stores
from twin.errors import ConfigError
from twin.network.regions import Region

UNIT_COLUMNS = tuple(f"{zone}_units" for zone in TEMPERATURE_ZONES)


@dataclass(frozen=True, slots=True)
class ReplayedOrders:
    """The region's recorded orders by placed time (ids 0..n-1) and each one's store index."""

    orders: list[Order]
    store_index: list[int]


def recorded_orders(folder: str, horizon_s: float) -> pd.DataFrame | None:
    """The logs' ``orders`` table placed within the horizon (None: the logs have none)."""
    try:
        logs = read_logs(Path(folder))
    except LogError as exc:
        raise ConfigError("demand.trace", folder, f"a readable logs folder ({exc})") from None
    orders = logs.tables.get("orders")
    if orders is None:
        return None
    placed = orders["placed"].to_numpy(dtype=float)
    return orders[(placed >= 0) & (placed < horizon_s)]


def _zone_indices(region: Region, zones: pd.Series, stores: np.ndarray) -> np.ndarray:
    """Recorded zone ids -> the region's zone indices; a zone the region does not have (or
    none logged) -> the zone nearest the order's store."""
    index_of = {zone.id: i for i, zone in enumerate(region.zones)}
    known = zones.map(index_of).to_numpy(dtype=float)
    nearest = np.array([nearest_zone(region, s) for s in range(len(region.stores))], dtype=float)
    return np.where(np.isfinite(known), known, nearest[stores]).astype(np.int64)


def replay_orders(
    region: Region, config: Any, streams: Streams, recorded: pd.DataFrame
) -> ReplayedOrders:
    """Order entities for the region's ``recorded`` orders (stores of other regions skipped)."""
    orders_config: OrdersConfig = config.orders
    fulfilment = config.fulfilment
    store_of = {store.id: i for i, store in enumerate(region.stores)}
    mine = recorded[recorded["store"].isin(store_of)]
    stores = mine["store"].map(store_of).to_numpy(dtype=np.int64)
    zones = _zone_indices(region, mine["zone"], stores)
    channels = mine["channel"].map({c: i for i, c in enumerate(CHANNELS)}).to_numpy(np.int64)
    placed = mine["placed"].to_numpy(dtype=float)
    units = np.column_stack([mine[c].to_numpy(dtype=float) for c in UNIT_COLUMNS]).reshape(-1, 3)
    value = mine["value"].to_numpy(dtype=float)
    from_bar = (
        mine["source"].eq("bar_code").fillna(False).to_numpy(dtype=bool)
        if "source" in mine
        else np.zeros(len(mine), dtype=bool)
    )
    built: list[tuple[float, int, int, int, int, Order]] = []
    # rows grouped by (channel, zone), each group by placed time: one pass, not zones x rows
    n_zones = len(region.zones)
    by_group = np.lexsort((placed, channels * n_zones + zones))
    keys = (channels * n_zones + zones)[by_group]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    groups = {int(g[0]): by_group[s:e] for s, e, g in _spans(keys, cuts)}
    for c, channel in enumerate(CHANNELS):
        offered = offering_stores(region, fulfilment, channel)
        refused = (channels == c) & ~offered[stores]
        if refused.any():
            store = region.stores[int(stores[np.flatnonzero(refused)[0]])].id
            raise ConfigError(
                "demand.trace",
                config.demand.trace,
                f"logs whose {channel} orders go to stores offering {channel} ({store} does not)",
            )
        channel_config = getattr(orders_config, channel)
        for z, zone in enumerate(region.zones):
            rows = groups.get(c * n_zones + z)
            if rows is None:
                continue
            prefix = f"orders.{zone.id}.{channel}"
            logged_units = units[rows]
            has_units = bool(np.isfinite(logged_units).all() and (logged_units.sum(1) > 0).all())
            spend = block_drawer(orders_config.spend_per_item, streams.get(f"{prefix}.spend"))
            logged_value = value[rows]

            def value_of(
                total: np.ndarray, logged: np.ndarray = logged_value, spend: Any = spend
            ) -> np.ndarray:
                drawn = spend(total.size) * total
                return np.where(np.isfinite(logged), logged, drawn)

            draws = draw_attributes(
                streams,
                prefix,
                placed[rows],
                channel_config.basket_units,
                orders_config.zones.shares(),
                [
                    (
                        getattr(orders_config.zones, n).weight_kg,
                        getattr(orders_config.zones, n).volume_l,
                    )
                    for n in TEMPERATURE_ZONES
                ],
                value_of,
                fulfilment,
                slots=channel_config.slots,
                units_by_zone=np.round(logged_units).astype(np.int64) if has_units else None,
            )
            entities = orders_of(
                draws,
                c,
                channel_config.handoff == "pickup",
                z,
                channel_config,
                fulfilment,
                streams,
                prefix,
            )
            for row, order in zip(rows.tolist(), entities, strict=True):
                order.is_from_bar = bool(from_bar[row])  # a bar's receipt code, as recorded
                built.append((order.created_s, z, c, row, int(stores[row]), order))
    built.sort(key=lambda item: item[:4])
    for index, item in enumerate(built):
        item[5].id = index
    return ReplayedOrders([item[5] for item in built], [item[4] for item in built])


def _spans(keys: np.ndarray, cuts: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(start, end, keys[start:end]) of each run of equal ``keys`` (cut at ``cuts``)."""
    starts = np.concatenate([[0], cuts]).astype(np.int64).tolist() if keys.size else []
    ends = np.concatenate([cuts, [keys.size]]).astype(np.int64).tolist() if keys.size else []
    return [(s, e, keys[s:e]) for s, e in zip(starts, ends, strict=True)]
