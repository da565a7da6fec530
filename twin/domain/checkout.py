"""Staffed checkout lanes and a self-checkout pod: the front end every format with tills shares.

Staffed lanes share one serpentine line or each have their own (join the shortest queue);
self-checkout kiosks share one line. Shoppers may balk on the visible line length and renege
when their patience runs out. Lanes open and close by hour. A format owns the shoppers'
journey up to the tills and hands each paying shopper to :meth:`CheckoutFront.pay`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import simpy

from twin.config.schema import CheckoutConfig, ServiceConfig
from twin.core.sampling import block_drawer
from twin.domain.servers import RENEGED, ServerPool
from twin.domain.site import StoreContext

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
class CheckoutLog:
    """Plain arrays a store's tills leave behind; several stores' logs concatenate."""

    arrivals_s: np.ndarray
    visits: np.ndarray  # rows of VISIT_COLUMNS, one per shopper who reached the tills
    lane_open: list[tuple[float, float]]  # one (start, end) per staffed lane-hour
    kiosk_open: list[tuple[float, float]]
    cashier_cost_per_h: float

    @staticmethod
    def concat(logs: list[CheckoutLog]) -> CheckoutLog:
        return CheckoutLog(
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


class CheckoutFront:
    """A store's tills, with every shopper's checkout attributes drawn at creation.

    Index ``i`` is the store's i-th arrival; ``units`` and ``revenue`` are per arrival (a
    shopper who never reaches the tills simply never calls :meth:`pay`). Call :meth:`start`
    once, after the format has started its arrivals, to run the hourly lane schedule.
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        checkout: CheckoutConfig,
        units: np.ndarray,
        revenue: np.ndarray,
    ) -> None:
        self.env = env
        self.context = context
        self.checkout = checkout
        n = units.size
        eligible = (units <= checkout.sco_max_items) & (checkout.sco_kiosks > 0)
        uses_sco = eligible & (context.stream("checkout.choice").random(n) < checkout.sco_share)
        staffed_s = service_times(checkout.staffed, context, "checkout.staffed", units)
        sco_s = service_times(checkout.self_checkout, context, "checkout.sco", units)
        patience = block_drawer(checkout.reneging.patience_s, context.stream("patience"))(n)
        balk_u = context.stream("balk").random(n)
        # Python lists: the visit process indexes them, cheaper than numpy scalars.
        self.units = units.tolist()
        self.revenue = revenue.tolist()
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

    def start(self) -> None:
        """Run the hourly lane schedule."""
        self.env.process(self._lane_schedule())

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

    def pay(self, i: int, arrive_s: float) -> ProcessGen:
        """Choose a checkout, maybe balk, queue (maybe renege), pay; one row in :attr:`visits`.

        Emits (after the run, from the visit log): checkout.wait_s, checkout.balked_frac,
        checkout.reneged_frac, checkout.lane_utilisation_frac and the other checkout KPIs.
        """
        env = self.env
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

    def visit_array(self) -> np.ndarray:
        """The visit rows as a float array of VISIT_COLUMNS (possibly empty)."""
        return np.array(self.visits, dtype=float).reshape(-1, len(VISIT_COLUMNS))

    def log(self, arrivals_s: np.ndarray, visits: np.ndarray) -> CheckoutLog:
        """The ``checkout`` KPI domain's log, from :meth:`visit_array`."""
        return CheckoutLog(
            arrivals_s,
            visits,
            self.context.open_intervals(self.checkout.lanes_by_hour or None, self.checkout.lanes),
            self.context.open_intervals(None, self.checkout.sco_kiosks),
            self.checkout.cashier_cost_per_h,
        )


def _renege(pool: ServerPool, request: simpy.Event, _timeout: simpy.Event) -> None:
    pool.renege(request)


def _pool_load(pool: ServerPool) -> int:
    return pool.busy + pool.waiting
