"""KPIs every store format has: shoppers, time in store, occupancy, revenue."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.domain.common import Series, Window, concat_logs
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import Intervals, bin_counts, level_from_intervals, level_stats

SHOPPERS_N = define("store.shoppers_n", "shoppers", "total", "Walk-in shoppers who arrived.")
TIME_IN_STORE_S = define(
    "store.time_in_store_s", "s", "tally", "Arrival to leaving the store, for visits that ended."
)
OCCUPANCY = define(
    "store.occupancy_n",
    "shoppers",
    "level",
    "Shoppers inside the store (time average over the window, and maximum).",
)
STILL_INSIDE_N = define(
    "store.still_inside_n",
    "shoppers",
    "total",
    "Shoppers who arrived in the window and were still inside when the run ended (the run "
    "drains until the last shopper leaves, so 0 unless the drain limit cut it short).",
)
REVENUE = define("store.revenue_money", "currency", "total", "Walk-in sales (visits that paid).")


@dataclass(slots=True)
class StoreLog:
    """Walk-in visits of one or more stores, any format."""

    arrivals_s: np.ndarray  # every arrival
    arrive_s: np.ndarray  # visits that ended: arrival time
    leave_s: np.ndarray  # ... and leaving time
    revenue: np.ndarray  # ... and what they paid
    inside_arrive_s: np.ndarray  # arrival times of shoppers still inside at the end

    @staticmethod
    def concat(logs: list[StoreLog]) -> StoreLog:
        return concat_logs(StoreLog, logs)

    def inside(self) -> Intervals:
        """Each visit's stay in the store; the shoppers still inside stay to the end."""
        return (
            np.concatenate([self.arrive_s, self.inside_arrive_s]),
            np.concatenate([self.leave_s, np.full(self.inside_arrive_s.size, np.inf)]),
        )


def store_kpis(rows: KpiRows, log: StoreLog, window: Window) -> None:
    """Common store KPIs over ``window``; visits count when they arrived inside it. The
    shoppers and their time inside, then occupancy and revenue (the registry's two parts)."""
    store_visit_kpis(rows, log, window)
    store_occupancy_kpis(rows, log, window)


def store_visit_kpis(rows: KpiRows, log: StoreLog, window: Window) -> None:
    """Shoppers who arrived inside ``window``, their time in store, those still inside."""
    start, end = window
    arrived = np.count_nonzero((log.arrivals_s >= start) & (log.arrivals_s < end))
    rows.value(SHOPPERS_N, float(arrived), "total")
    rows.tally(TIME_IN_STORE_S, (log.leave_s - log.arrive_s)[log.arrive_s >= start])
    rows.value(STILL_INSIDE_N, float(np.count_nonzero(log.inside_arrive_s >= start)), "total")


def store_occupancy_kpis(rows: KpiRows, log: StoreLog, window: Window) -> None:
    """Shoppers inside over ``window``; revenue of the visits that arrived inside it."""
    start, end = window
    rows.level(OCCUPANCY, *level_stats(*log.inside(), start, end))
    rows.value(REVENUE, float(log.revenue[log.arrive_s >= start].sum()), "total")


def store_series(log: StoreLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin arrivals and mean occupancy."""
    start, end = window
    return [
        ("arrivals_n", bin_counts(log.arrivals_s, start, end, bin_s), "shoppers"),
        ("occupancy", level_from_intervals(*log.inside(), start, end, bin_s).bin_avg, "shoppers"),
    ]
