"""Cold-chain KPIs from a :class:`ColdChainLog`: freshness at handover, breaches, write-offs.

*Perishable* items are those of chilled and frozen categories; the freshness, breach and
spoilage KPIs count them (ambient items are tracked too, and their rare write-offs go into
waste and refunds). Orders, their items and expired orders count when they were placed inside
the window (as in the orders domain); the handover itself may come after the horizon (a
doorstep wait, say).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.domain.coldchain.environment import STAGES
from twin.domain.common import Window
from twin.kpi.catalog import KpiRows, define
from twin.kpi.columns import StackedColumns

ORDER_COLUMNS = (
    "order",
    "created_s",
    "handover_s",
    "perishable_items",
    "breach_stage",
    "time_above_safe_s",
)
ITEM_COLUMNS = (
    "order",
    "created_s",
    "handover_s",
    "category",
    "is_perishable",
    "is_chilled",
    "left_frac",
    "lost_frac",
    "handover_temp_c",
    "is_breached",
    "is_written_off",
    "weight_kg",
    "value",
)
EXPIRED_COLUMNS = ("order", "created_s", "expired_s", "items", "weight_kg", "value")
NO_BREACH = -1

# column index by name
ORDER = {name: i for i, name in enumerate(ORDER_COLUMNS)}
ITEM = {name: i for i, name in enumerate(ITEM_COLUMNS)}
EXPIRED = {name: i for i, name in enumerate(EXPIRED_COLUMNS)}

ORDERS_N = define(
    "coldchain.orders_n",
    "orders",
    "total",
    "Online orders with chilled or frozen items handed over (collected, or delivered: last-mile "
    "cold legs ended).",
)
SHELF_LIFE_LEFT = define(
    "coldchain.shelf_life_left_frac",
    "frac",
    "tally",
    "Remaining share of the reference shelf life of each perishable item at handover (age at "
    "pick and the online chain from storage to handover taken off).",
)
SHELF_LIFE_LOST = define(
    "coldchain.shelf_life_lost_frac",
    "frac",
    "tally",
    "Share of the reference shelf life of each perishable item used up between leaving "
    "storage and handover (its p95 / max show the worst handled items).",
)
HANDOVER_TEMP = define(
    "coldchain.chilled_handover_temp_c",
    "C",
    "tally",
    "Product temperature of each chilled item at handover.",
)
TIME_ABOVE_SAFE = define(
    "coldchain.time_above_safe_s",
    "s",
    "tally",
    "Per order handed over with perishable items: the longest time any of its perishable "
    "categories spent above its safe temperature.",
)
BREACH = define(
    "coldchain.breach_frac",
    "frac",
    "ratio",
    "Orders with at least one item above its safe temperature for longer than allowed / "
    "orders handed over with perishable items.",
)
SPOILED = define(
    "coldchain.spoiled_frac",
    "frac",
    "ratio",
    "Perishable items written off at handover (breached, or less shelf life left than "
    "coldchain.write_off_below_remaining_frac) / perishable items handed over.",
)
WASTE_KG = define(
    "coldchain.waste_kg",
    "kg",
    "total",
    "Weight written off: items spoiled at handover plus the chilled and frozen items of "
    "expired (uncollected) pickup orders.",
)
EXPIRED_WASTE_KG = define(
    "coldchain.expired_waste_kg",
    "kg",
    "total",
    "Weight of the chilled and frozen items of expired pickup orders (part of waste_kg).",
)
REFUND_VALUE = define(
    "coldchain.refund_money",
    "currency",
    "total",
    "Retail value refunded for items spoiled at handover (expired orders are refunded in the "
    "orders domain).",
)
WRITE_OFF_VALUE = define(
    "coldchain.write_off_money",
    "currency",
    "total",
    "Retail value of everything written off (spoiled at handover and expired chilled / frozen).",
)
BREACHES_BY_STAGE = {
    stage: define(
        f"coldchain.breaches_{stage}_n",
        "orders",
        "total",
        f"Orders whose first cold-chain breach happened during {stage} "
        "(picking: storage to staging; staging: locker, counter or dispatch desk; vehicle: "
        "van, bike tote or drone box; doorstep: doorstep, in-home or redirected locker wait).",
    )
    for stage in STAGES
}


@dataclass(slots=True)
class ColdChainLog:
    """Assessed orders and items, and the write-offs of expired orders, of one or more stores."""

    orders: np.ndarray  # rows of ORDER_COLUMNS
    # rows of ITEM_COLUMNS; pooled (:meth:`concat`), read a column at a time
    items: np.ndarray | StackedColumns
    expired: np.ndarray  # rows of EXPIRED_COLUMNS
    # run.records: one store's hourly sensor readings (sensor, at_s, air_c); not pooled
    readings: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))

    @staticmethod
    def concat(logs: list[ColdChainLog]) -> ColdChainLog:
        """The stores' tables stacked. Orders and write-offs are stacked column by column in
        memory (Fortran order), since the KPIs read whole columns. The items, the long table
        (a national day: 1.2 M rows x 13 columns), are stacked a column at a time as the KPI
        parts first read them, on the parts' threads (:class:`~twin.kpi.columns.StackedColumns`;
        the domain's longest path on the network rows' threads 0.13-0.15 -> 0.08-0.09 s of
        CPU). The same values either way."""
        return ColdChainLog(
            _stacked([log.orders for log in logs]),
            StackedColumns([np.asarray(log.items) for log in logs]),
            _stacked([log.expired for log in logs]),
        )

    def trim(self, window: Window) -> ColdChainLog:
        """The rows :func:`coldchain_kpis` reads over ``window``: of the items, only the
        perishable, chilled or written-off ones placed inside it (most ambient items count in
        no cold-chain KPI)."""
        i = np.asarray(self.items)
        counted = _inside(i[:, ITEM["created_s"]], *window) & (
            (i[:, ITEM["is_perishable"]] > 0)
            | (i[:, ITEM["is_chilled"]] > 0)
            | (i[:, ITEM["is_written_off"]] > 0)
        )
        return ColdChainLog(self.orders, i[counted], self.expired)

    @staticmethod
    def empty() -> ColdChainLog:
        return ColdChainLog(
            np.zeros((0, len(ORDER_COLUMNS))), _no_items(), np.zeros((0, len(EXPIRED_COLUMNS)))
        )


def coldchain_kpis(rows: KpiRows, log: ColdChainLog, window: Window) -> None:
    """Cold-chain KPIs over ``window``: the orders and their items' shelf life, then the
    breaches, spoilage and waste (the registry's two parts)."""
    coldchain_shelf_life_kpis(rows, log, window)
    coldchain_loss_kpis(rows, log, window)


def coldchain_shelf_life_kpis(rows: KpiRows, log: ColdChainLog, window: Window) -> None:
    """Orders with perishables placed inside ``window``; their items' shelf life left, lost."""
    o, i = log.orders, log.items
    rows.value(ORDERS_N, float(np.count_nonzero(_perishable_orders(o, window))), "total")
    perishable = _inside(i[:, ITEM["created_s"]], *window) & (i[:, ITEM["is_perishable"]] > 0)
    rows.tally(SHELF_LIFE_LEFT, i[perishable, ITEM["left_frac"]])
    rows.tally(SHELF_LIFE_LOST, i[perishable, ITEM["lost_frac"]])


def coldchain_loss_kpis(rows: KpiRows, log: ColdChainLog, window: Window) -> None:
    """Handover temperatures, time above safe, breaches, spoilage, waste and write-offs of
    the orders and items placed inside ``window``."""
    # Column masks and column gathers only (in both parts): the item table can hold millions
    # of rows, and copying whole rows for every filter costs more than all the KPIs together.
    o, i, x = log.orders, log.items, log.expired
    # The item columns only this part reads come first: on the network's pooled items,
    # stacked as first read, the shelf-life part meanwhile stacks the two both parts read.
    temp_c, weight_kg, value = (i[:, ITEM[c]] for c in ("handover_temp_c", "weight_kg", "value"))
    is_chilled, is_written_off = i[:, ITEM["is_chilled"]] > 0, i[:, ITEM["is_written_off"]] > 0
    in_orders = _perishable_orders(o, window)
    in_expired = _inside(x[:, EXPIRED["created_s"]], *window)
    in_items = _inside(i[:, ITEM["created_s"]], *window)
    perishable = in_items & (i[:, ITEM["is_perishable"]] > 0)
    chilled = in_items & is_chilled
    written_off = in_items & is_written_off
    stage = o[in_orders, ORDER["breach_stage"]]
    rows.tally(HANDOVER_TEMP, temp_c[chilled])
    rows.tally(TIME_ABOVE_SAFE, o[in_orders, ORDER["time_above_safe_s"]])
    rows.ratio(BREACH, np.count_nonzero(stage != NO_BREACH), int(np.count_nonzero(in_orders)))
    rows.ratio(SPOILED, np.count_nonzero(perishable & written_off), np.count_nonzero(perishable))
    expired_kg = float(x[in_expired, EXPIRED["weight_kg"]].sum())
    rows.value(WASTE_KG, float(weight_kg[written_off].sum()) + expired_kg, "total")
    rows.value(EXPIRED_WASTE_KG, expired_kg, "total")
    refund = float(value[written_off].sum())
    rows.value(REFUND_VALUE, refund, "total")
    rows.value(WRITE_OFF_VALUE, refund + float(x[in_expired, EXPIRED["value"]].sum()), "total")
    for code, name in enumerate(STAGES):
        rows.value(BREACHES_BY_STAGE[name], float(np.count_nonzero(stage == code)), "total")


def _perishable_orders(orders: np.ndarray, window: Window) -> np.ndarray:
    return _inside(orders[:, ORDER["created_s"]], *window) & (
        orders[:, ORDER["perishable_items"]] > 0
    )


def _no_items() -> np.ndarray:
    return np.zeros((0, len(ITEM_COLUMNS)))


def _stacked(tables: list[np.ndarray]) -> np.ndarray:
    rows = sum(table.shape[0] for table in tables)
    out = np.empty((rows, tables[0].shape[1]), dtype=tables[0].dtype, order="F")
    return np.concatenate(tables, out=out)


def _inside(times: np.ndarray, start: float, end: float) -> np.ndarray:
    return (times >= start) & (times < end)
