"""Rules across sections that would otherwise run silently into empty KPIs.

Called from ``TwinConfig.check`` (twin/config/schema.py) before time 0; each names the key to
change.
"""

from __future__ import annotations

from typing import Any

from twin.errors import ConfigError


def orders_are_placed(orders: Any) -> bool:
    """True when some online channel takes orders at all."""
    if not orders.enabled or orders.demand_scale <= 0 or sum(orders.day_factors) <= 0:
        return False
    return any(c.enabled and c.daily_orders_per_store > 0 for _, c in orders.channels())


def check_orders_have_pickers(orders: Any, fulfilment: Any) -> None:
    """Orders on, but no picker in any hour: every order would wait forever, unpicked."""
    if not orders_are_placed(orders):
        return
    picking = fulfilment.store.picking
    if not any(picking.by_hour()):
        key = "pickers_by_hour" if picking.pickers_by_hour else "pickers"
        raise ConfigError(
            f"fulfilment.store.picking.{key}",
            picking.pickers_by_hour or picking.pickers,
            "at least one picker in some hour while online orders are on",
            "Set orders.enabled=false for a run without online orders.",
        )
    for store_id, override in fulfilment.store_overrides.items():
        if override.pickers == 0:
            raise ConfigError(
                f"fulfilment.store_overrides.{store_id}.pickers",
                0,
                "at least 1 picker (-1 keeps fulfilment.store.picking) while online orders are on",
            )
