"""Kiosk-bar receipt codes that become online orders of the region.

Before time 0 every visitor of a bar gets the online order its receipt code would become,
drawn from the bar's streams ``store.<bar>.bar.online.order.<name>`` (one per visitor, so a
visitor keeps its order whatever ``p_accept`` or ``p_online_order``: common random numbers):
the channel (delivery with ``online_delivery_share``, else pickup), the basket (a drinks bundle:
``online_basket_units`` split by ``online_zone_shares``, items of ``online_item_weight_kg`` and
``online_item_volume_l``), pick, staging and collection times as for any order, and the value
``online_order_value`` (the bar's own draw). Only the codes that convert keep their order.

In the loop the bar calls back when a code is redeemed (``online_delay_s`` after the receipt);
:class:`twin.domain.online.region.OnlineOrders` then creates the order (with its channel's promise)
in the customer zone nearest the bar and assigns it like any other order.
"""

from __future__ import annotations

import numpy as np

from twin.config.fulfilment import FulfilmentConfig
from twin.config.orders import OrdersConfig
from twin.config.store_formats import BarConfig
from twin.core.streams import Streams
from twin.domain.online.orders import DELIVERY, N_ZONES, PICKUP, Order
from twin.domain.online.orders_draws import draw_attributes, orders_of
from twin.network.regions import Region


def nearest_zone(region: Region, store_index: int) -> int:
    """The customer zone nearest (by road time) to a store: where its codes' orders start."""
    return int(np.argmin(region.tables.zone_store_s[:, store_index]))


def draw_receipt_orders(
    streams: Streams,
    store_id: str,
    fmt: BarConfig,
    online_value: np.ndarray,
    zone_index: int,
    orders: OrdersConfig,
    fulfilment: FulfilmentConfig,
) -> list[Order]:
    """One order per bar visitor (``online_value`` holds their values), not yet created:
    ``created_s`` and ``due_s`` are NaN until the code is redeemed."""
    prefix = f"store.{store_id}.bar.online.order"
    n = online_value.size
    is_delivery = streams.get(f"{prefix}.channel").random(n) < fmt.online_delivery_share
    draws = draw_attributes(
        streams,
        prefix,
        np.full(n, np.nan),
        fmt.online_basket_units,
        fmt.online_zone_shares,
        [(fmt.online_item_weight_kg, fmt.online_item_volume_l)] * N_ZONES,
        lambda total_units: online_value,
        fulfilment,
        orders.pickup.slots,
    )
    # built as pickup orders (due: NaN until placed), then each visitor's channel is set
    built = orders_of(draws, PICKUP, True, zone_index, orders.pickup, fulfilment, streams, prefix)
    for order, delivered in zip(built, is_delivery.tolist(), strict=True):
        order.is_from_bar = True
        if delivered:
            order.channel = DELIVERY
            order.is_pickup = False
            order.booked_lead_s = order.fallback_lead_s = float("nan")
    return built


__all__ = ["draw_receipt_orders", "nearest_zone"]
