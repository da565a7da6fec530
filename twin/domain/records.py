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

from twin.domain.lastmile.delivery_log import ORDER_COL as DELIVERY
from twin.domain.online.orders_kpis import C as ORDER
from twin.domain.stores.checkout import CheckoutLog
from twin.domain.stores.store_kpis import StoreLog

RecordTable = tuple[tuple[str, ...], np.ndarray]

VISIT_FIELDS = (
    "shopper", "arrival", "leave", "items", "spend", "checkout_kind",
    "queue_join", "service_start", "service_end", "outcome",
)  # fmt: skip
INSIDE, LEFT = 3, 4  # VISIT_OUTCOMES codes the tills never write
ORDER_FIELDS = (
    "order", "channel", "mode", "zone", "placed", "promised", "pick_start", "pick_end", "ready",
    "handed_over", "returned", "slot_end", "delivered", "vehicle", "attempts", "failed_attempts",
    "outcome", "ambient_units", "chilled_units", "frozen_units", "weight_kg", "value", "source",
)  # fmt: skip
ROSTER_FIELDS = ("resource", "start", "end", "level")
JWO_FIELDS = (
    "party", "arrival", "people", "outcome", "door", "gate_start", "gate_end", "leave",
    "receipt", "value", "refund",
)  # fmt: skip
OUTSIDE = 3  # DOOR_OUTCOMES code of a party still outside at the end
STAY_FIELDS = ("zone", "size_class", "compartments", "placed", "released")
TRIP_FIELDS = ("mode", "vehicle", "start", "depart", "end", "km", "orders", "stops")
READING_FIELDS = ("sensor", "at", "temperature_c")


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


def _delivered(order_ids: np.ndarray, delivery: Any) -> np.ndarray:
    """Per order: slot end, door time, vehicle mode, attempts and failed attempts of its
    delivery (NaN: none)."""
    out = np.full((order_ids.size, 5), np.nan)
    if delivery is None or not delivery.orders.size:
        return out
    d = delivery.orders
    ids = d[:, DELIVERY["order"]]
    order = np.argsort(ids, kind="stable")
    at = np.clip(np.searchsorted(ids[order], order_ids), 0, ids.size - 1)
    found = ids[order][at] == order_ids
    rows = d[order[at]]
    for k, name in enumerate(("slot_end_s", "door_s", "mode", "attempts", "failed")):
        out[:, k] = np.where(found, rows[:, DELIVERY[name]], np.nan)
    return out


def _orders(orders: np.ndarray, delivery: Any = None) -> np.ndarray:
    o = orders
    delivered = _delivered(o[:, ORDER["order"]], delivery)
    return np.column_stack(
        [
            o[:, ORDER["order"]],
            o[:, ORDER["channel"]],
            1.0 - o[:, ORDER["is_pickup"]],  # mode: 0 pickup, 1 delivery
            o[:, ORDER["zone"]],  # index in the region: the run's zone ids replace it
            o[:, ORDER["created_s"]],
            o[:, ORDER["due_s"]],
            o[:, ORDER["pick_started_s"]],
            o[:, ORDER["picked_s"]],
            o[:, ORDER["ready_s"]],
            o[:, ORDER["collected_s"]],
            o[:, ORDER["expired_s"]],
            delivered,
            o[:, ORDER["outcome"]],
            o[:, ORDER["ambient_units"]],
            o[:, ORDER["chilled_units"]],
            o[:, ORDER["frozen_units"]],
            o[:, ORDER["weight_kg"]],
            o[:, ORDER["value"]],
            o[:, ORDER["from_bar"]],  # source: 0 a customer zone, 1 a bar's receipt code
        ]
    ).reshape(-1, len(ORDER_FIELDS))


def _roster(resource: int, roster: np.ndarray) -> np.ndarray:
    """One row per distinct (start, end) of a roster (staffing.py), its level = how many
    units share it."""
    if roster.shape[0] == 0:
        return np.empty((0, len(ROSTER_FIELDS)))
    pairs, counts = np.unique(roster[:, :2], axis=0, return_counts=True)
    return np.column_stack([np.full(counts.size, resource), pairs, counts.astype(float)])


def checkout_visits(logs: dict[str, Any]) -> RecordTable:
    """The ``visits`` table of a store with tills (its checkout log)."""
    return VISIT_FIELDS, _till_visits(logs["checkout"])


def checkout_rosters(logs: dict[str, Any]) -> RecordTable:
    """The ``rosters`` table of a store with tills: staffed lanes (0), self-checkout (1)."""
    checkout: CheckoutLog = logs["checkout"]
    return ROSTER_FIELDS, np.vstack(
        [_roster(0, checkout.lane_roster), _roster(1, checkout.kiosk_roster)]
    )


def store_visits(logs: dict[str, Any]) -> RecordTable | None:
    """The ``visits`` table of a format without tills (its store log)."""
    store = logs["store"]
    return (VISIT_FIELDS, _store_visits(store)) if isinstance(store, StoreLog) else None


def order_records(logs: dict[str, Any]) -> RecordTable:
    """The ``orders`` table of a store taking online orders (its orders log, with the last
    mile's delivery times and vehicles where it delivers)."""
    return ORDER_FIELDS, _orders(logs["orders"].orders, logs.get("delivery"))


def jwo_visits(logs: dict[str, Any]) -> RecordTable:
    """The ``jwo_visits`` table of a just-walk-out store (one row per party)."""
    return JWO_FIELDS, _jwo(logs["jwo"])


def locker_stays(logs: dict[str, Any]) -> RecordTable:
    """The ``locker_stays`` table (a stay still in the locker at the end: released empty)."""
    stays = logs["lockers"].stays.copy()
    stays[:, 4] = np.where(np.isinf(stays[:, 4]), np.nan, stays[:, 4])
    return STAY_FIELDS, stays.reshape(-1, len(STAY_FIELDS))


def vehicle_trips(logs: dict[str, Any]) -> RecordTable:
    """The ``trips`` table of the store's vans, bikes and drones."""
    return TRIP_FIELDS, logs["delivery"].trips.reshape(-1, len(TRIP_FIELDS))


def temperatures(logs: dict[str, Any]) -> RecordTable | None:
    """The optional ``temperatures`` table: the store's hourly sensor readings, if kept."""
    readings = getattr(logs["coldchain"], "readings", None)
    return (READING_FIELDS, readings) if readings is not None and readings.size else None


# (record table, KPI domain whose log triggers it, maker of the store's logs -> table or None);
# listed in twin/domain/registry.py
RecordMaker = tuple[str, str, Callable[[dict[str, Any]], RecordTable | None]]


def store_records(logs: dict[str, Any], makers: Sequence[RecordMaker]) -> dict[str, RecordTable]:
    """One store's logs by KPI domain -> its record tables (table name -> columns, rows).

    ``makers`` are tried in order; a table comes from the first maker whose KPI domain the
    store logged and that makes it (a store with tills: its ``visits`` from the tills, not
    from the door).
    """
    tables: dict[str, RecordTable] = {}
    for table, domain, make in makers:
        if table not in tables and domain in logs:
            made = make(logs)
            if made is not None:
                tables[table] = made
    return tables


def _jwo(log: Any) -> np.ndarray:
    """Rows of JWO_FIELDS from a JwoLog (one per party)."""
    n = log.arrive_s.size
    outcome = np.where(np.isnan(log.outcome), OUTSIDE, log.outcome)
    return np.column_stack(
        [
            np.arange(n, dtype=float),
            log.arrive_s,
            log.people,
            outcome,
            log.door_s,
            log.gate_start_s,
            log.gate_end_s,
            log.exit_s,
            log.receipt_s,
            log.basket_value,
            log.refund_value,
        ]
    ).reshape(-1, len(JWO_FIELDS))
