"""Walk-in shopper attributes drawn in blocks at creation: basket units, browse time, spend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.config.schema import DemandConfig
from twin.core.sampling import block_drawer
from twin.domain.stores.site import StoreContext


@dataclass(frozen=True, slots=True)
class ShopperDraws:
    """Per-shopper random attributes, index i = the i-th arrival of the store."""

    units: np.ndarray
    browse_s: np.ndarray
    revenue: np.ndarray


def draw_shoppers(context: StoreContext, demand: DemandConfig, n: int) -> ShopperDraws:
    """Basket units (quick/stock-up mixture), browse time growing with units, and spend."""
    basket = demand.basket
    is_quick = context.stream("basket.kind").random(n) < basket.quick_share
    quick = block_drawer(basket.quick_units, context.stream("basket.quick"))(n)
    stockup = block_drawer(basket.stockup_units, context.stream("basket.stockup"))(n)
    units = np.maximum(1.0, np.round(np.where(is_quick, quick, stockup)))
    if demand.source == "trace":  # recorded baskets where the log has them (same draws else)
        from twin.data.trace import store_trace

        items = store_trace(demand.trace, context.store_id, context.horizon_s).items
        if items.size == n:
            units = np.where(np.isfinite(items), np.maximum(items, 1.0), units)
    browse_fixed = block_drawer(demand.browse_fixed_s, context.stream("browse.fixed"))(n)
    browse_per_item = block_drawer(demand.browse_per_item_s, context.stream("browse.per_item"))(n)
    spend = block_drawer(demand.spend_per_item, context.stream("spend"))(n)
    return ShopperDraws(units, browse_fixed + browse_per_item * units, spend * units)
