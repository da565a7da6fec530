"""A grocery store: walk-in shoppers browse, choose staffed lanes or self-checkout, queue, pay.

Staffed lanes share one serpentine line or each have their own (join the shortest queue);
self-checkout kiosks share one line. Shoppers may balk on the visible line length and renege
when their patience runs out. Lanes open and close by hour.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import simpy

from twin.config.schema import CheckoutConfig, DemandConfig, GroceryConfig, RunConfig, ServiceConfig
from twin.core.sampling import block_drawer
from twin.domain.basket import draw_shoppers
from twin.domain.servers import RENEGED, ServerPool
from twin.domain.site import StoreContext, walk_in_arrivals
from twin.domain.store_kpis import StoreLog

STAFFED, SELF_CHECKOUT = 0, 1
SERVED, BALKED, RENEGED_OUTCOME = 0, 1, 2
VISIT_COLUMNS = (
    "shopper",
    "arrive_s",
    "join_s",
    "start_s",
    "end_s",
    "lane_kind",
    "units",
    "outcome",
    "revenue",
)
MAX_VISIBLE_LINE = 500

ProcessGen = Generator[simpy.Event, Any, None]


@dataclass(slots=True)
class GroceryLog:
    """Plain arrays a grocery store leaves behind; several stores' logs concatenate."""

    arrivals_s: np.ndarray
    visits: np.ndarray  # rows of VISIT_COLUMNS, one per finished visit
    lane_open: list[tuple[float, float]]  # one (start, end) per staffed lane-hour
    kiosk_open: list[tuple[float, float]]
    cashier_cost_per_h: float

    @staticmethod
    def concat(logs: list[GroceryLog]) -> GroceryLog:
        return GroceryLog(
            np.concatenate([log.arrivals_s for log in logs]),
            np.concatenate([log.visits for log in logs]),
            [iv for log in logs for iv in log.lane_open],
            [iv for log in logs for iv in log.kiosk_open],
            float(np.mean([log.cashier_cost_per_h for log in logs])),
        )


def service_times(
    service: ServiceConfig, context: StoreContext, prefix: str, units: np.ndarray
) -> np.ndarray:
    """fixed + per-item x units + payment, each from its own stream."""
    n = units.size
    fixed = block_drawer(service.fixed_s, context.stream(f"{prefix}.fixed"))(n)
    per_item = block_drawer(service.per_item_s, context.stream(f"{prefix}.per_item"))(n)
    payment = block_drawer(service.payment_s, context.stream(f"{prefix}.payment"))(n)
    return fixed + per_item * units + payment


def balk_probabilities(checkout: CheckoutConfig) -> list[float]:
    """P(balk) for each visible line length 0..MAX_VISIBLE_LINE (a lookup, not exp in the loop)."""
    balking = checkout.balking
    if not balking.enabled:
        return [0.0] * (MAX_VISIBLE_LINE + 1)
    return [
        balking.max_prob / (1.0 + math.exp(-(length - balking.midpoint_len) / balking.scale_len))
        for length in range(MAX_VISIBLE_LINE + 1)
    ]


class GrocerySite:
    """One grocery store wired into an environment; :meth:`log` gives its arrays after the run."""

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: GroceryConfig,
        demand: DemandConfig,
        run: RunConfig,
    ) -> None:
        checkout = fmt.checkout
        self.env = env
        self.context = context
        self.checkout = checkout
        self.arrivals_s = walk_in_arrivals(context, demand, run, fmt.demand_scale)
        n = self.arrivals_s.size
        draws = draw_shoppers(context, demand, n)
        eligible = (draws.units <= checkout.sco_max_items) & (checkout.sco_kiosks > 0)
        uses_sco = eligible & (context.stream("checkout.choice").random(n) < checkout.sco_share)
        staffed_s = service_times(checkout.staffed, context, "checkout.staffed", draws.units)
        sco_s = service_times(checkout.self_checkout, context, "checkout.sco", draws.units)
        patience = block_drawer(checkout.reneging.patience_s, context.stream("patience"))(n)
        balk_u = context.stream("balk").random(n)
        # Python lists: the visit process indexes them, cheaper than numpy scalars.
        self.browse_s = draws.browse_s.tolist()
        self.units = draws.units.tolist()
        self.revenue = draws.revenue.tolist()
        self.uses_sco = uses_sco.tolist()
        self.service_s = np.where(uses_sco, sco_s, staffed_s).tolist()
        self.patience_s = patience.tolist() if checkout.reneging.enabled else None
        self.balk_u = balk_u.tolist()
        self.balk_prob = balk_probabilities(checkout)
        self.visits: list[tuple[float, ...]] = []

        self.lanes_by_hour = [self._lanes_at_hour(h) for h in range(24)]
        if checkout.discipline == "shared":
            self.shared_line: ServerPool | None = ServerPool(env, self.lanes_by_hour[0])
            self.lanes: list[ServerPool] = []
        else:
            self.shared_line = None
            self.lanes = [ServerPool(env, 1) for _ in range(checkout.lanes)]
        self.lanes_open = self.lanes_by_hour[0]
        self.kiosks = ServerPool(env, checkout.sco_kiosks)
        env.process(self._arrivals())
        env.process(self._lane_schedule())

    def _lanes_at_hour(self, hour: int) -> int:
        if not self.context.open_hour <= hour < self.context.close_hour:
            return 0
        by_hour = self.checkout.lanes_by_hour
        return by_hour[hour] if by_hour else self.checkout.lanes

    def _lane_schedule(self) -> ProcessGen:
        """Open and close staffed lanes on the hour (a closing lane serves its customer first)."""
        env = self.env
        hour = 0
        while True:
            yield env.timeout(3600.0)
            hour = (hour + 1) % 24
            lanes = self.lanes_by_hour[hour]
            if lanes == self.lanes_open:
                continue
            self.lanes_open = lanes
            if self.shared_line is not None:
                self.shared_line.set_capacity(lanes)

    def _staffed_pool(self) -> ServerPool:
        if self.shared_line is not None:
            return self.shared_line
        open_lanes = self.lanes[: self.lanes_open] or self.lanes
        return min(open_lanes, key=_pool_load)

    def _arrivals(self) -> ProcessGen:
        env = self.env
        visit = self._visit
        for index, at_s in enumerate(self.arrivals_s.tolist()):
            yield env.timeout(at_s - env.now)
            env.process(visit(index))

    def _visit(self, i: int) -> ProcessGen:
        """Browse, choose a checkout, maybe balk, queue (maybe renege), pay, leave.

        Emits (after the run, from the visit log): checkout.wait_s, checkout.balked_frac,
        checkout.reneged_frac, checkout.lane_utilisation_frac, store.time_in_store_s,
        store.occupancy, store.shoppers_n, store.revenue.
        """
        env = self.env
        arrive_s = env.now
        yield env.timeout(self.browse_s[i])
        is_sco = self.uses_sco[i]
        pool = self.kiosks if is_sco else self._staffed_pool()
        join_s = env.now
        if self.balk_u[i] < self.balk_prob[min(pool.waiting, MAX_VISIBLE_LINE)]:
            self.visits.append(
                (i, arrive_s, join_s, join_s, join_s, is_sco, self.units[i], BALKED, 0.0)
            )
            return
        request = pool.request()
        if self.patience_s is not None and not request.triggered:
            env.timeout(self.patience_s[i]).callbacks.append(partial(_renege, pool, request))
        if (yield request) == RENEGED:
            now = env.now
            self.visits.append(
                (i, arrive_s, join_s, now, now, is_sco, self.units[i], RENEGED_OUTCOME, 0.0)
            )
            return
        start_s = env.now
        yield env.timeout(self.service_s[i])
        pool.release()
        self.visits.append(
            (i, arrive_s, join_s, start_s, env.now, is_sco, self.units[i], SERVED, self.revenue[i])
        )

    def logs(self) -> dict[str, Any]:
        """The store's logs by domain: ``store`` (common) and ``checkout``."""
        visits = np.array(self.visits, dtype=float).reshape(-1, len(VISIT_COLUMNS))
        inside = np.ones(self.arrivals_s.size, dtype=bool)
        inside[visits[:, 0].astype(np.int64)] = False
        store = StoreLog(
            self.arrivals_s, visits[:, 1], visits[:, 4], visits[:, 8], self.arrivals_s[inside]
        )
        return {"store": store, "checkout": self._checkout_log(visits)}

    def _checkout_log(self, visits: np.ndarray) -> GroceryLog:
        return GroceryLog(
            self.arrivals_s,
            visits,
            self.context.open_intervals(self.checkout.lanes_by_hour or None, self.checkout.lanes),
            self.context.open_intervals(None, self.checkout.sco_kiosks),
            self.checkout.cashier_cost_per_h,
        )


def _renege(pool: ServerPool, request: simpy.Event, _timeout: simpy.Event) -> None:
    pool.renege(request)


def _pool_load(pool: ServerPool) -> int:
    return pool.busy + pool.waiting


def grocery_site(
    env: simpy.Environment,
    context: StoreContext,
    fmt: GroceryConfig,
    demand: DemandConfig,
    run: RunConfig,
) -> GrocerySite:
    return GrocerySite(env, context, fmt, demand, run)


__all__ = ["VISIT_COLUMNS", "CheckoutConfig", "GroceryLog", "GrocerySite", "grocery_site"]
