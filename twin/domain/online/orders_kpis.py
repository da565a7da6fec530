"""KPIs of online orders: volumes by channel, readiness against the promise, pickup waits,
expiries and refunds, and the hand-off to delivery (from an :class:`OrdersLog`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.domain.common import Series, Window
from twin.domain.online.orders import (
    COLLECTED,
    DELIVERY,
    EXPIRED,
    PENDING,
    PICKUP,
    REPLENISHMENT,
    Order,
)
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import bin_counts

ORDER_COLUMNS = (
    "order", "channel", "is_pickup", "created_s", "due_s", "picked_s", "ready_s", "arrived_s",
    "collected_s", "expired_s", "outcome", "units", "ambient_units", "chilled_units",
    "frozen_units", "weight_kg", "value", "overflowed", "at_counter", "method", "from_bar",
    "pick_started_s", "window", "zone",
)  # fmt: skip
EXPRESS, BOOKED, REFUSED = range(3)  # window codes: express, booked, asked express and refused
C = {name: i for i, name in enumerate(ORDER_COLUMNS)}

ORDERS_N = define("orders.n", "orders", "total", "Online orders placed (all channels).")
CHANNEL_N = {
    PICKUP: define("orders.pickup_n", "orders", "total", "Pickup (click-and-collect) orders."),
    DELIVERY: define("orders.delivery_n", "orders", "total", "Delivery orders."),
    REPLENISHMENT: define(
        "orders.replenishment_n",
        "orders",
        "total",
        "One-button / voice replenishment orders (small baskets).",
    ),
}
FROM_BAR_N = define(
    "orders.from_bar_n",
    "orders",
    "total",
    "Online orders placed with a kiosk-bar receipt code (also counted in orders.n and by "
    "channel); reported in regions with bars.",
)
CARRIED_OVER_N = define(
    "orders.carried_over_n",
    "orders",
    "total",
    "Orders placed in the window still in progress when the run ended (pickup: not collected "
    "or expired; delivery: not dispatched): carried over, not dropped.",
)
UNITS = define("orders.basket_units_n", "units", "tally", "Units per online order.")
WEIGHT = define("orders.weight_kg", "kg", "tally", "Weight per online order.")
REFUND = define(
    "orders.refund_money",
    "currency",
    "total",
    "Value of pickup orders returned to stock after the hold limit and refunded.",
)
PLACED_VALUE = define(
    "orders.placed_money",
    "currency",
    "total",
    "Value of the online orders placed (all channels); with store.revenue_money it gives "
    "orders.online_revenue_share_frac.",
)
ORDER_TO_READY = define(
    "pickup.order_to_ready_s",
    "s",
    "tally",
    "Pickup order placed -> collectable (in its lockers, at the counter, or staged for curbside).",
)
WITHIN_PROMISE = define(
    "pickup.ready_within_promise_frac",
    "frac",
    "ratio",
    "Pickup orders ready by their promise (express: created + promise_s; booked: the "
    "window's start); orders still not ready when their promise passed count as late.",
)
BOOKED_FRAC = define(
    "pickup.booked_frac",
    "frac",
    "ratio",
    "Pickup orders with a booked window later than express (by choice or because express "
    "was refused) / pickup orders placed (orders.pickup.slots).",
)
EXPRESS_REFUSED = define(
    "pickup.express_refused_frac",
    "frac",
    "ratio",
    "Pickup customers who asked for express but were offered a window (the store's idle "
    "pickers could not have the order ready in time) / those who asked (slots.express "
    "when_free).",
)
EXPRESS_WITHIN = define(
    "pickup.express_within_promise_frac",
    "frac",
    "ratio",
    "Express pickup orders (due promise_s after ordering) ready by then; late ones still "
    "not ready when their promise passed count as late.",
)
CUSTOMER_WAIT = define(
    "pickup.customer_wait_s",
    "s",
    "tally",
    "Pickup customer at the store -> order in hand: waiting for the order "
    "to be ready, then locker retrieval, counter or curbside handoff.",
)
EXPIRED_FRAC = define(
    "locker.expired_frac",
    "frac",
    "ratio",
    "Pickup orders not collected within the hold limit (45 min slot window, "
    "72 h ambient-only), returned to stock / ready pickup orders with an "
    "outcome (lockers and counter).",
)
DISPATCH_READY = define(
    "dispatch.order_to_ready_s",
    "s",
    "tally",
    "Delivery and replenishment order placed -> ready for dispatch.",
)
DISPATCH_WITHIN = define(
    "dispatch.ready_within_promise_frac",
    "frac",
    "ratio",
    "Orders for delivery ready for dispatch by their promise.",
)

# Where an order's lead time goes (means per order; the run report stacks them as bars).
STAGE_PICKER_WAIT = define(
    "orders.stage_picker_wait_s",
    "s",
    "mean",
    "Mean per order placed: placed -> a picker starts its first pick task (a booked pickup's "
    "tasks are held until booked_release_s before its window).",
)
STAGE_PICKING = define(
    "orders.stage_picking_s",
    "s",
    "mean",
    "Mean per order placed: first pick task started -> last one done (walking, picking, "
    "staging the totes).",
)
STAGE_STAGING = define(
    "orders.stage_staging_s",
    "s",
    "mean",
    "Mean per order placed: picked -> ready (pickup: waiting for a locker compartment or the "
    "counter; delivery orders are ready when picked, 0).",
)
STAGE_HANDOVER = define(
    "pickup.stage_handover_s",
    "s",
    "mean",
    "Mean per collected pickup order: customer at the store and order ready -> order in hand.",
)


@dataclass(slots=True)
class OrdersLog:
    """One row per online order of one or more stores (columns ORDER_COLUMNS; NaN = not yet).

    ``has_bars``: the region has kiosk bars, whose receipt codes become orders (the
    ``orders.from_bar_n`` KPI is reported only then).
    """

    orders: np.ndarray
    horizon_s: float
    has_bars: bool = False

    @staticmethod
    def concat(logs: list[OrdersLog]) -> OrdersLog:
        return OrdersLog(
            np.concatenate([log.orders for log in logs]),
            max(log.horizon_s for log in logs),
            any(log.has_bars for log in logs),
        )


def orders_log(
    orders: list[Order], method: int, horizon_s: float, has_bars: bool = False
) -> OrdersLog:
    rows = [
        (
            o.id,
            o.channel,
            o.is_pickup,
            o.created_s,
            o.due_s,
            o.picked_s,
            o.ready_s,
            o.arrived_s,
            o.collected_s,
            o.expired_s,
            o.outcome,
            sum(o.units),
            o.units[0],
            o.units[1],
            o.units[2],
            sum(o.weight_kg),
            o.value,
            o.overflowed,
            o.at_counter,
            method,
            o.is_from_bar,
            o.pick_started_s,
            REFUSED if o.express_refused else BOOKED if o.booked_lead_s == o.booked_lead_s else 0,
            o.zone,
        )
        for o in orders
    ]
    return OrdersLog(
        np.array(rows, dtype=float).reshape(-1, len(ORDER_COLUMNS)), horizon_s, has_bars
    )


def orders_kpis(rows: KpiRows, log: OrdersLog, window: Window) -> None:
    """Order KPIs over ``window`` (orders count when they were placed inside it)."""
    o = log.orders
    start, end = window
    placed = (o[:, C["created_s"]] >= start) & (o[:, C["created_s"]] < end)
    rows.value(ORDERS_N, float(np.count_nonzero(placed)), "total")
    for channel, name in CHANNEL_N.items():
        rows.value(name, float(np.count_nonzero(placed & (o[:, C["channel"]] == channel))), "total")
    if log.has_bars:
        from_bar = float(np.count_nonzero(placed & (o[:, C["from_bar"]] > 0)))
        rows.value(FROM_BAR_N, from_bar, "total")
    rows.value(PLACED_VALUE, float(o[placed, C["value"]].sum()), "total")
    pending = placed & (o[:, C["outcome"]] == PENDING)
    rows.value(CARRIED_OVER_N, float(np.count_nonzero(pending)), "total")
    rows.tally(UNITS, o[placed, C["units"]])
    rows.tally(WEIGHT, o[placed, C["weight_kg"]])
    pickup = placed & (o[:, C["is_pickup"]] > 0)
    _readiness(rows, o, pickup, log.horizon_s, ORDER_TO_READY, WITHIN_PROMISE)
    booked_as = o[:, C["window"]]
    rows.ratio(BOOKED_FRAC, np.count_nonzero(pickup & (booked_as > 0)), np.count_nonzero(pickup))
    refused = np.count_nonzero(pickup & (booked_as == REFUSED))
    rows.ratio(
        EXPRESS_REFUSED, refused, refused + np.count_nonzero(pickup & (booked_as == EXPRESS))
    )
    _in_time(rows, o, pickup & (booked_as == EXPRESS), log.horizon_s, EXPRESS_WITHIN)
    _readiness(
        rows,
        o,
        placed & (o[:, C["is_pickup"]] == 0),
        log.horizon_s,
        DISPATCH_READY,
        DISPATCH_WITHIN,
    )
    collected = pickup & (o[:, C["outcome"]] == COLLECTED)
    rows.tally(CUSTOMER_WAIT, o[collected, C["collected_s"]] - o[collected, C["arrived_s"]])
    _stages(rows, o, placed, collected)
    expired = pickup & (o[:, C["outcome"]] == EXPIRED)
    rows.ratio(EXPIRED_FRAC, np.count_nonzero(expired), np.count_nonzero(collected | expired))
    rows.value(REFUND, float(o[expired, C["value"]].sum()), "total")


def _stages(rows: KpiRows, o: np.ndarray, placed: np.ndarray, collected: np.ndarray) -> None:
    """Mean time per stage of the orders that reached its end (NaN when none did)."""
    started = o[:, C["pick_started_s"]]
    picked = o[:, C["picked_s"]]
    ready = o[:, C["ready_s"]]
    _mean(rows, STAGE_PICKER_WAIT, started - o[:, C["created_s"]], placed)
    _mean(rows, STAGE_PICKING, picked - started, placed)
    _mean(rows, STAGE_STAGING, ready - picked, placed)
    handed = o[:, C["collected_s"]] - np.fmax(o[:, C["arrived_s"]], ready)
    _mean(rows, STAGE_HANDOVER, handed, collected)


def _mean(rows: KpiRows, name: str, durations: np.ndarray, chosen: np.ndarray) -> None:
    values = durations[chosen & ~np.isnan(durations)]
    rows.value(name, float(values.mean()) if values.size else float("nan"))


def _readiness(
    rows: KpiRows, o: np.ndarray, chosen: np.ndarray, horizon_s: float, to_ready: str, within: str
) -> None:
    ready = o[:, C["ready_s"]]
    is_ready = chosen & ~np.isnan(ready)
    rows.tally(to_ready, ready[is_ready] - o[is_ready, C["created_s"]])
    _in_time(rows, o, chosen, horizon_s, within)


def _in_time(
    rows: KpiRows, o: np.ndarray, chosen: np.ndarray, horizon_s: float, within: str
) -> None:
    """Share of ``chosen`` orders ready by their due time."""
    ready = o[:, C["ready_s"]]
    due = o[:, C["due_s"]]
    is_ready = chosen & ~np.isnan(ready)
    on_time = np.count_nonzero(is_ready & (ready <= due + 1e-9))
    # an order not ready at the end counts once its promise has passed (it is late for sure)
    decided = np.count_nonzero(is_ready) + np.count_nonzero(
        chosen & np.isnan(ready) & (due < horizon_s)
    )
    rows.ratio(within, on_time, decided)


def orders_series(log: OrdersLog, window: Window, bin_s: float) -> list[Series]:
    """Online orders placed per bin."""
    o = log.orders
    return [("orders_n", bin_counts(o[:, C["created_s"]], window[0], window[1], bin_s), "orders")]
