"""Per-entity records (``run.records=true``): a store's logs as the operations-data tables.

Off by default: at national scale they are millions of rows, and the KPIs and time series
are exact without them. :func:`store_records` turns one store's logs into the tables of
:mod:`twin.data.schema` in numeric form (times in seconds since day 0, categories as their
index, NaN = empty); :mod:`twin.data.write` then gives them timestamps and words. Every
walk-in shopper appears, including those still inside when the run ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from twin.domain.orders_kpis import C as ORDER
from twin.domain.store_kpis import StoreLog

RecordTable = tuple[tuple[str, ...], np.ndarray]

VISIT_FIELDS = (
    "shopper", "arrival", "leave", "items", "spend", "checkout_kind",
    "queue_join", "service_start", "service_end", "outcome",
)  # fmt: skip
INSIDE, LEFT = 3, 4  # VISIT_OUTCOMES codes the tills never write
ORDER_FIELDS = (
    "order", "channel", "mode", "placed", "promised", "pick_end", "ready", "handed_over",
    "outcome", "ambient_units", "chilled_units", "frozen_units", "weight_kg", "value",
)  # fmt: skip
ROSTER_FIELDS = ("resource", "start", "end", "level")


def _till_visits(arrivals_s: np.ndarray, visits: np.ndarray) -> np.ndarray:
    """Rows of VISIT_FIELDS from a checkout log: every arrival, the tills' rows first."""
    rows = np.full((arrivals_s.size, len(VISIT_FIELDS)), np.nan)
    shopper = visits[:, 0].astype(np.int64)
    rows[:, 0] = np.arange(arrivals_s.size)
    rows[:, 1] = arrivals_s
    rows[:, 9] = INSIDE
    # visits columns: shopper arrive join start end lane_kind units outcome revenue
    rows[shopper, 2] = visits[:, 4]
    rows[shopper, 3] = visits[:, 6]
    rows[shopper, 4] = visits[:, 8]
    rows[shopper, 5] = visits[:, 5]
    rows[shopper, 6:9] = visits[:, 2:5]
    rows[shopper, 9] = visits[:, 7]
    return rows


def _store_visits(log: StoreLog) -> np.ndarray:
    """Rows of VISIT_FIELDS from a format without tills (arrival, leave, spend only)."""
    done, inside = log.arrive_s.size, log.inside_arrive_s.size
    rows = np.full((done + inside, len(VISIT_FIELDS)), np.nan)
    rows[:, 0] = np.arange(done + inside)
    rows[:, 1] = np.concatenate([log.arrive_s, log.inside_arrive_s])
    rows[:done, 2] = log.leave_s
    rows[:done, 4] = log.revenue
    rows[:, 9] = np.where(np.arange(done + inside) < done, LEFT, INSIDE)
    return rows


def _orders(orders: np.ndarray) -> np.ndarray:
    o = orders
    return np.column_stack(
        [
            o[:, ORDER["order"]],
            o[:, ORDER["channel"]],
            1.0 - o[:, ORDER["is_pickup"]],  # mode: 0 pickup, 1 delivery
            o[:, ORDER["created_s"]],
            o[:, ORDER["due_s"]],
            o[:, ORDER["picked_s"]],
            o[:, ORDER["ready_s"]],
            o[:, ORDER["collected_s"]],
            o[:, ORDER["outcome"]],
            o[:, ORDER["ambient_units"]],
            o[:, ORDER["chilled_units"]],
            o[:, ORDER["frozen_units"]],
            o[:, ORDER["weight_kg"]],
            o[:, ORDER["value"]],
        ]
    ).reshape(-1, len(ORDER_FIELDS))


def _roster(resource: int, intervals: list[tuple[float, float]]) -> np.ndarray:
    """One row per distinct (start, end) interval, its level = how many units share it."""
    if not intervals:
        return np.empty((0, len(ROSTER_FIELDS)))
    pairs, counts = np.unique(np.asarray(intervals, dtype=float), axis=0, return_counts=True)
    return np.column_stack([np.full(counts.size, resource), pairs, counts.astype(float)])


def checkout_visits(checkout: Any) -> RecordTable:
    """The ``visits`` table of a store with tills (its checkout log)."""
    return VISIT_FIELDS, _till_visits(checkout.arrivals_s, checkout.visits)


def checkout_rosters(checkout: Any) -> RecordTable:
    """The ``rosters`` table of a store with tills: staffed lanes (0), self-checkout (1)."""
    return ROSTER_FIELDS, np.vstack(
        [_roster(0, checkout.lane_open), _roster(1, checkout.kiosk_open)]
    )


def store_visits(store: StoreLog) -> RecordTable:
    """The ``visits`` table of a format without tills (its store log)."""
    return VISIT_FIELDS, _store_visits(store)


def order_records(orders: Any) -> RecordTable:
    """The ``orders`` table of a store taking online orders (its orders log)."""
    return ORDER_FIELDS, _orders(orders.orders)


# (record table, KPI domain whose log it is made from, maker); listed in twin/domain/registry.py
RecordMaker = tuple[str, str, Callable[[Any], RecordTable]]


def store_records(logs: dict[str, Any], makers: Sequence[RecordMaker]) -> dict[str, RecordTable]:
    """One store's logs by KPI domain -> its record tables (table name -> columns, rows).

    ``makers`` are tried in order; a table comes from the first maker whose KPI domain the
    store logged (a store with tills: its ``visits`` from the tills, not from the door).
    """
    tables: dict[str, RecordTable] = {}
    for table, domain, make in makers:
        if table not in tables and domain in logs:
            tables[table] = make(logs[domain])
    return tables
