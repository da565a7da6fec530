"""Per-entity records (``run.records=true``): a store's logs as the operations-data tables.

Off by default: at national scale they are millions of rows, and the KPIs and time series
are exact without them. :func:`store_records` turns one store's logs into the tables of
:mod:`twin.data.schema` in numeric form (times in seconds since day 0, categories as their
index, NaN = empty); :mod:`twin.data.write` then gives them timestamps and words. Every
walk-in shopper appears, including those still inside when the run ends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.domain.checkout import CheckoutLog
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


def _till_visits(log: CheckoutLog) -> np.ndarray:
    """Rows of VISIT_FIELDS from a checkout log: every arrival, the tills' visits filled in."""
    rows = np.full((log.arrivals_s.size, len(VISIT_FIELDS)), np.nan)
    shopper = log.shopper
    rows[:, 0] = np.arange(log.arrivals_s.size)
    rows[:, 1] = log.arrivals_s
    rows[:, 9] = INSIDE
    rows[shopper, 2] = log.end_s
    rows[shopper, 3] = log.units
    rows[shopper, 4] = log.revenue
    rows[shopper, 5] = log.lane_kind
    rows[shopper, 6] = log.join_s
    rows[shopper, 7] = log.start_s
    rows[shopper, 8] = log.end_s
    rows[shopper, 9] = log.outcome
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


def _roster(resource: int, roster: np.ndarray) -> np.ndarray:
    """One row per distinct (start, end) of a roster (staffing.py), its level = how many
    units share it."""
    if roster.shape[0] == 0:
        return np.empty((0, len(ROSTER_FIELDS)))
    pairs, counts = np.unique(roster[:, :2], axis=0, return_counts=True)
    return np.column_stack([np.full(counts.size, resource), pairs, counts.astype(float)])


def store_records(logs: dict[str, Any]) -> dict[str, RecordTable]:
    """One store's logs by KPI domain -> its record tables (table name -> columns, rows)."""
    tables: dict[str, RecordTable] = {}
    checkout = logs.get("checkout")
    if checkout is not None:
        tables["visits"] = VISIT_FIELDS, _till_visits(checkout)
        roster = np.vstack([_roster(0, checkout.lane_roster), _roster(1, checkout.kiosk_roster)])
        tables["rosters"] = ROSTER_FIELDS, roster
    elif isinstance(logs.get("store"), StoreLog):
        tables["visits"] = VISIT_FIELDS, _store_visits(logs["store"])
    if "orders" in logs:
        tables["orders"] = ORDER_FIELDS, _orders(logs["orders"].orders)
    return tables
