"""A kiosk bar: a recommendation kiosk, a counter with bartenders, and online orders later.

A shopper queues for a recommendation kiosk (one line, ``kiosks`` servers) and interacts with
it. With probability ``p_accept`` the shopper accepts the recommendation and the kiosk prints a
receipt; the shopper then queues at the counter (one line, ``bartenders`` servers), is served
and pays, and stays a while. A shopper who declines leaves. Some receipt codes later become
online orders (``p_online_order``, ``online_delay_s`` after printing): they are logged with
their creation time and value (:meth:`BarSite.online_orders`) and counted as ``bar.*`` KPIs,
and at that time every ``on_code_redeemed`` callback gets the visitor's index; the region's
online orders subscribe and place the order (:mod:`twin.domain.online.bar_orders`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import BarConfig
from twin.core.sampling import block_drawer
from twin.domain.common import ProcessGen, concat_logs
from twin.domain.servers import ServerPool
from twin.domain.stores.site import StoreContext, start_visits, walk_in_arrivals
from twin.domain.stores.staffing import roster
from twin.domain.stores.store_kpis import StoreLog


@dataclass(slots=True)
class BarLog:
    """Per-visitor arrays of one or more bars (NaN: did not happen by the end of the run)."""

    arrive_s: np.ndarray
    kiosk_start_s: np.ndarray
    kiosk_end_s: np.ndarray  # the receipt is printed now, if accepted
    accepts: np.ndarray  # 0/1, drawn at creation
    counter_start_s: np.ndarray
    counter_end_s: np.ndarray
    leave_s: np.ndarray
    order_value: np.ndarray
    goes_online: np.ndarray  # 0/1, drawn at creation (meaningful with a receipt)
    online_order_s: np.ndarray  # receipt time + delay, NaN without an online order
    online_value: np.ndarray
    kiosk_roster: np.ndarray  # (k, 3) rows of (start_s, end_s, cost_per_h), see staffing.py
    bartender_roster: np.ndarray

    @staticmethod
    def concat(logs: list[BarLog]) -> BarLog:
        return concat_logs(BarLog, logs)


class BarSite:
    """One kiosk bar wired into an environment; :meth:`logs` gives its arrays after the run.

    The class is the ``bar`` format's site builder (:data:`twin.domain.registry.FORMATS`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: BarConfig,
        demand: DemandConfig,
        run: RunConfig,
    ) -> None:
        self.env = env
        self.context = context
        self.fmt = fmt
        self.arrivals_s = walk_in_arrivals(context, demand, run, fmt.demand_scale)
        n = self.arrivals_s.size
        self.accepts = context.stream("bar.accept").random(n) < fmt.p_accept
        self.goes_online = context.stream("bar.online").random(n) < fmt.p_online_order
        self.online_delay_s = block_drawer(fmt.online_delay_s, context.stream("bar.online.delay"))(
            n
        )
        self.online_value = block_drawer(
            fmt.online_order_value, context.stream("bar.online.value")
        )(n)
        self.order_value = block_drawer(fmt.order_value, context.stream("bar.order_value"))(n)
        # Python lists: the visit process indexes them, cheaper than numpy scalars.
        self.interaction_s = block_drawer(fmt.interaction_s, context.stream("bar.kiosk"))(
            n
        ).tolist()
        self.pour_s = block_drawer(fmt.pour_s, context.stream("bar.pour"))(n).tolist()
        self.stay_s = block_drawer(fmt.stay_s, context.stream("bar.stay"))(n).tolist()
        self.is_accepting = self.accepts.tolist()
        # a receipt code that becomes an online order (meaningful once the receipt is printed)
        self.converts = self.accepts & self.goes_online
        self.is_converting = self.converts.tolist()
        self.online_delay_list_s = self.online_delay_s.tolist()
        # called with the visitor's index when its code is redeemed (the online order is placed)
        self.on_code_redeemed: list[Callable[[int], None]] = []
        self.kiosk_start_s = [math.nan] * n
        self.kiosk_end_s = [math.nan] * n
        self.counter_start_s = [math.nan] * n
        self.counter_end_s = [math.nan] * n
        self.leave_s = [math.nan] * n
        self.kiosks = ServerPool(env, fmt.kiosks)
        self.counter = ServerPool(env, fmt.bartenders)
        env.process(start_visits(env, self.arrivals_s, self._visit))

    def _visit(self, i: int) -> ProcessGen:
        """Kiosk; accept (receipt) or leave; counter; stay; leave.

        Emits (after the run): bar.kiosk_wait_s, bar.counter_wait_s, bar.acceptance_frac,
        bar.online_conversion_frac, bar.online_orders_n, and the store KPIs.
        """
        env = self.env
        kiosks = self.kiosks
        yield kiosks.request()
        self.kiosk_start_s[i] = env.now
        yield env.timeout(self.interaction_s[i])
        kiosks.release()
        self.kiosk_end_s[i] = env.now
        if not self.is_accepting[i]:
            self.leave_s[i] = env.now
            return
        if self.is_converting[i] and self.on_code_redeemed:
            env.timeout(self.online_delay_list_s[i], i).callbacks.append(self._redeem)
        counter = self.counter
        yield counter.request()
        self.counter_start_s[i] = env.now
        yield env.timeout(self.pour_s[i])
        counter.release()
        self.counter_end_s[i] = env.now
        yield env.timeout(self.stay_s[i])
        self.leave_s[i] = env.now

    def _redeem(self, event: simpy.Event) -> None:
        visitor: int = event.value  # type: ignore[assignment]
        for hook in self.on_code_redeemed:
            hook(visitor)

    def online_orders(self) -> list[tuple[float, float]]:
        """(created_s, value) of the online orders placed with receipt codes of this bar."""
        log = self.bar_log()
        placed = ~np.isnan(log.online_order_s)
        times = log.online_order_s[placed].tolist()
        return list(zip(times, log.online_value[placed].tolist(), strict=True))

    def logs(self) -> dict[str, Any]:
        """The store's logs by domain: ``store`` (common) and ``bar``."""
        log = self.bar_log()
        ended = ~np.isnan(log.leave_s)
        paid = np.where(np.isnan(log.counter_end_s), 0.0, log.order_value)
        store = StoreLog(
            self.arrivals_s,
            self.arrivals_s[ended],
            log.leave_s[ended],
            paid[ended],
            self.arrivals_s[~ended],
        )
        return {"store": store, "bar": log}

    def bar_log(self) -> BarLog:
        kiosk_end_s = np.asarray(self.kiosk_end_s, dtype=float)
        has_receipt = self.accepts & ~np.isnan(kiosk_end_s)
        online = has_receipt & self.goes_online
        context = self.context
        open_hours = range(context.open_hour, context.close_hour)
        return BarLog(
            self.arrivals_s,
            np.asarray(self.kiosk_start_s, dtype=float),
            kiosk_end_s,
            self.accepts.astype(float),
            np.asarray(self.counter_start_s, dtype=float),
            np.asarray(self.counter_end_s, dtype=float),
            np.asarray(self.leave_s, dtype=float),
            self.order_value,
            self.goes_online.astype(float),
            np.where(online, kiosk_end_s + self.online_delay_s, math.nan),
            self.online_value,
            roster(context.horizon_s, open_hours, None, self.fmt.kiosks),
            roster(context.horizon_s, open_hours, None, self.fmt.bartenders),
        )


__all__ = ["BarLog", "BarSite"]
