"""Checkout KPIs of grocery stores (and any format with staffed lanes), from a CheckoutLog."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from twin.domain.common import Series, Window, seconds_in
from twin.domain.stores.checkout import BALKED, RENEGED_OUTCOME, SELF_CHECKOUT, SERVED, CheckoutLog
from twin.domain.stores.staffing import roster_cost, roster_hours
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import level_from_intervals, level_stats

WAIT_S = define(
    "checkout.wait_s",
    "s",
    "tally",
    "Joining a checkout line to the start of service (served shoppers, all lanes).",
)
STAFFED_WAIT_S = define("checkout.staffed_wait_s", "s", "tally", "Wait at staffed lanes.")
SCO_WAIT_S = define("checkout.sco_wait_s", "s", "tally", "Wait at self-checkout.")
WAITED_FRAC = define(
    "checkout.waited_frac",
    "frac",
    "ratio",
    "Share of served shoppers who waited at all (P(wait) in Erlang C).",
)
BALKED_FRAC = define(
    "checkout.balked_frac",
    "frac",
    "ratio",
    "Shoppers who reached checkout but left on seeing the line.",
)
RENEGED_FRAC = define(
    "checkout.reneged_frac",
    "frac",
    "ratio",
    "Shoppers who joined a line but left when their patience ran out.",
)
LANE_UTILISATION = define(
    "checkout.lane_utilisation_frac",
    "frac",
    "ratio",
    "Busy staffed-lane time / open staffed-lane time.",
)
SCO_UTILISATION = define(
    "checkout.sco_utilisation_frac", "frac", "ratio", "Busy kiosk time / open kiosk time."
)
QUEUE_LEN = define(
    "checkout.queue_len_n",
    "shoppers",
    "level",
    "Shoppers waiting in checkout lines (time average and maximum).",
)
LANES_OPEN = define("checkout.lanes_open_n", "lanes", "level", "Staffed lanes open.")
LANE_HOURS = define("checkout.lane_h", "h", "total", "Staffed lane hours (labour).")
LABOUR_COST = define(
    "checkout.labour_cost_money",
    "currency",
    "total",
    "Staffed lane hours (overtime included) x cashier cost per hour.",
)
OVERTIME_LANE_HOURS = define(
    "checkout.overtime_lane_h",
    "h",
    "total",
    "Staffed lane hours after closing time, serving shoppers still inside (in lane_hours).",
)
SCO_SHARE = define(
    "checkout.sco_share_frac",
    "frac",
    "ratio",
    "Self-checkout transactions / all served transactions (FMI 2022: 29 %).",
)


def checkout_trim(log: CheckoutLog, window: Window) -> CheckoutLog:
    """What :func:`grocery_kpis` and :func:`grocery_series` read (KpiDomain.trim): a national
    day's pooled tills are 1.4 M rows; the columns no checkout KPI reads are left out, and the
    lane kinds and outcomes (small codes) are bytes, not doubles."""
    unread = np.zeros(0)
    return replace(
        log,
        arrivals_s=unread,
        shopper=unread,
        units=unread,
        revenue=unread,
        lane_kind=log.lane_kind.astype(np.int8),
        outcome=log.outcome.astype(np.int8),
    )


def grocery_kpis(rows: KpiRows, log: CheckoutLog, window: Window) -> None:
    """Checkout KPIs over ``window`` (visits count when they arrived inside it): the
    shoppers' waits and outcomes, the tills' utilisation, then their lines and labour (the
    registry's three parts)."""
    checkout_visit_kpis(rows, log, window)
    checkout_utilisation_kpis(rows, log, window)
    checkout_lines_kpis(rows, log, window)


def checkout_visit_kpis(rows: KpiRows, log: CheckoutLog, window: Window) -> None:
    """Waits and outcomes of the visits that arrived inside ``window``."""
    start, _ = window
    in_window = log.arrive_s >= start
    served = in_window & (log.outcome == SERVED)
    waits = (log.start_s - log.join_s)[served]
    is_sco = log.lane_kind == SELF_CHECKOUT
    served_sco = is_sco[served]
    rows.tally(WAIT_S, waits)
    rows.tally(STAFFED_WAIT_S, waits[~served_sco])
    rows.tally(SCO_WAIT_S, waits[served_sco])
    rows.ratio(WAITED_FRAC, np.count_nonzero(waits > 1e-9), waits.size)
    balked = np.count_nonzero(in_window & (log.outcome == BALKED))
    reneged = np.count_nonzero(in_window & (log.outcome == RENEGED_OUTCOME))
    rows.ratio(BALKED_FRAC, balked, np.count_nonzero(in_window))
    rows.ratio(SCO_SHARE, np.count_nonzero(served_sco), waits.size)
    rows.ratio(RENEGED_FRAC, reneged, np.count_nonzero(in_window) - balked)


def checkout_utilisation_kpis(rows: KpiRows, log: CheckoutLog, window: Window) -> None:
    """The staffed lanes' and the self-checkout kiosks' utilisation over ``window``."""
    lanes = log.lane_roster
    is_sco = log.lane_kind == SELF_CHECKOUT
    busy = log.outcome == SERVED
    staffed_busy, sco_busy = busy & ~is_sco, busy & is_sco
    rows.ratio(
        LANE_UTILISATION,
        seconds_in(log.start_s[staffed_busy], log.end_s[staffed_busy], window),
        seconds_in(lanes[:, 0], lanes[:, 1], window),
    )
    rows.ratio(
        SCO_UTILISATION,
        seconds_in(log.start_s[sco_busy], log.end_s[sco_busy], window),
        seconds_in(log.kiosk_roster[:, 0], log.kiosk_roster[:, 1], window),
    )


def checkout_lines_kpis(rows: KpiRows, log: CheckoutLog, window: Window) -> None:
    """Line length and lanes open over ``window``; lane hours, labour cost and overtime."""
    start, end = window
    lanes = log.lane_roster
    queued = log.outcome != BALKED
    rows.level(QUEUE_LEN, *level_stats(log.join_s[queued], log.start_s[queued], start, end))
    rows.level(LANES_OPEN, *level_stats(lanes[:, 0], lanes[:, 1], start, end))
    # Labour counts whole: the overtime of the last day runs past the horizon while the run
    # drains (twin.model.run_until_stores_empty), and it is paid all the same.
    paid = (start, np.inf)
    lane_h = roster_hours(lanes, paid)
    rows.value(LANE_HOURS, lane_h, "total")
    rows.value(LABOUR_COST, _labour_cost(lanes, lane_h, paid), "total")
    rows.value(OVERTIME_LANE_HOURS, roster_hours(log.overtime_roster, paid), "total")


def _labour_cost(lanes: np.ndarray, lane_h: float, window: Window) -> float:
    """Lane hours x the cashier rate; stores paying different rates pooled: each at its own."""
    rates = np.unique(lanes[:, 2])
    if rates.size == 1:
        return lane_h * float(rates[0])
    return roster_cost(lanes, window)


def grocery_series(log: CheckoutLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin checkout queue length and lanes open."""
    start, end = window
    queued = log.outcome != BALKED
    queue = level_from_intervals(log.join_s[queued], log.start_s[queued], start, end, bin_s)
    lanes = log.lane_roster
    lanes_open = level_from_intervals(lanes[:, 0], lanes[:, 1], start, end, bin_s)
    return [
        ("checkout_queue_len", queue.bin_avg, "shoppers"),
        ("lanes_open", lanes_open.bin_avg, "lanes"),
    ]
