"""Per-entity records (``run.records=true``): the logs behind the KPIs, one row per entity.

Off by default: at national scale they are millions of rows, and the KPIs and time series
are exact without them. Each entry turns one store's log of a KPI domain into
(column names, 2-D array).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from twin.domain.checkout import VISIT_COLUMNS
from twin.domain.orders_kpis import ORDER_COLUMNS

RecordTable = tuple[tuple[str, ...], np.ndarray]


def _visits(log: Any) -> RecordTable:
    return VISIT_COLUMNS, log.visits


def _store(log: Any) -> RecordTable:
    return ("arrive_s", "leave_s", "revenue"), np.column_stack(
        [log.arrive_s, log.leave_s, log.revenue]
    )


def _orders(log: Any) -> RecordTable:
    return ORDER_COLUMNS, log.orders


# KPI domain -> its record table; records_<domain>.parquet in the run folder
RECORD_TABLES: dict[str, Callable[[Any], RecordTable]] = {
    "store": _store,
    "checkout": _visits,
    "orders": _orders,
}
