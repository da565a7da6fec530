"""A grocery store: walk-in shoppers browse, choose staffed lanes or self-checkout, queue, pay.

The tills (staffed lanes, a self-checkout pod, balking, reneging, hourly lane schedule) are
:class:`twin.domain.stores.checkout.CheckoutFront`, shared with every format that keeps staffed
lanes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import GroceryConfig
from twin.domain.stores.basket import draw_shoppers
from twin.domain.stores.checkout import CheckoutFront
from twin.domain.stores.site import StoreContext, walk_in_arrivals
from twin.domain.stores.store_kpis import StoreLog


class GrocerySite:
    """One grocery store wired into an environment; :meth:`logs` gives its arrays after the run.

    The class is the ``grocery`` format's site builder (:data:`twin.domain.registry.FORMATS`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: GroceryConfig,
        demand: DemandConfig,
        run: RunConfig,
    ) -> None:
        self.env = env
        self.context = context
        self.arrivals_s = walk_in_arrivals(context, demand, run, fmt.demand_scale)
        draws = draw_shoppers(context, demand, self.arrivals_s.size)
        self.tills = CheckoutFront(env, context, fmt.checkout, draws.units, draws.revenue)
        # Browsing needs no events: each shopper reaches the tills at arrival + browse time.
        # Emits (from the logs): the checkout KPIs, store.time_in_store_s, store.occupancy_n,
        # store.shoppers_n, store.revenue_money.
        everyone = np.arange(self.arrivals_s.size)
        self.tills.drive(self.arrivals_s, self.arrivals_s + draws.browse_s, everyone)
        self.last_shopper_left = self.tills.all_left  # the run drains until it triggers

    def logs(self) -> dict[str, Any]:
        """The store's logs by domain: ``store`` (common) and ``checkout``."""
        tills = self.tills.log(self.arrivals_s)
        inside = np.ones(self.arrivals_s.size, dtype=bool)
        inside[tills.shopper] = False  # everyone else left the tills
        store = StoreLog(
            self.arrivals_s, tills.arrive_s, tills.end_s, tills.revenue, self.arrivals_s[inside]
        )
        return {"store": store, "checkout": tills}


__all__ = ["GrocerySite"]
