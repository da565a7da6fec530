"""Checkout KPIs of grocery stores (and any format with staffed lanes), from a GroceryLog."""

from __future__ import annotations

import numpy as np

from twin.domain.grocery import BALKED, RENEGED_OUTCOME, SELF_CHECKOUT, SERVED, GroceryLog
from twin.domain.store_kpis import Series, Window
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import level_from_intervals

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


def _columns(log: GroceryLog) -> dict[str, np.ndarray]:
    v = log.visits
    return {
        "arrive": v[:, 1],
        "join": v[:, 2],
        "start": v[:, 3],
        "end": v[:, 4],
        "kind": v[:, 5],
        "outcome": v[:, 7],
        "revenue": v[:, 8],
    }


def grocery_kpis(rows: KpiRows, log: GroceryLog, window: Window) -> None:
    """Checkout KPIs over ``window`` (visits count when they arrived inside it)."""
    c = _columns(log)
    start, end = window
    in_window = c["arrive"] >= start
    served = in_window & (c["outcome"] == SERVED)
    waits = c["start"] - c["join"]
    is_sco = c["kind"] == SELF_CHECKOUT
    rows.tally(WAIT_S, waits[served])
    rows.tally(STAFFED_WAIT_S, waits[served & ~is_sco])
    rows.tally(SCO_WAIT_S, waits[served & is_sco])
    rows.ratio(WAITED_FRAC, np.count_nonzero(waits[served] > 1e-9), np.count_nonzero(served))
    balked = np.count_nonzero(in_window & (c["outcome"] == BALKED))
    reneged = np.count_nonzero(in_window & (c["outcome"] == RENEGED_OUTCOME))
    rows.ratio(BALKED_FRAC, balked, np.count_nonzero(in_window))
    rows.ratio(SCO_SHARE, np.count_nonzero(served & is_sco), np.count_nonzero(served))
    rows.ratio(RENEGED_FRAC, reneged, np.count_nonzero(in_window) - balked)

    lanes = _intervals(log.lane_open)
    kiosks = _intervals(log.kiosk_open)
    lane_s = _seconds_in(lanes, window)
    kiosk_s = _seconds_in(kiosks, window)
    busy = c["outcome"] == SERVED
    rows.ratio(
        LANE_UTILISATION,
        _seconds_in((c["start"][busy & ~is_sco], c["end"][busy & ~is_sco]), window),
        lane_s,
    )
    rows.ratio(
        SCO_UTILISATION,
        _seconds_in((c["start"][busy & is_sco], c["end"][busy & is_sco]), window),
        kiosk_s,
    )
    queued = c["outcome"] != BALKED
    queue = level_from_intervals(c["join"][queued], c["start"][queued], start, end, end - start)
    rows.level(QUEUE_LEN, queue.time_avg, queue.max)
    open_level = level_from_intervals(lanes[0], lanes[1], start, end, end - start)
    rows.level(LANES_OPEN, open_level.time_avg, open_level.max)
    # Labour counts whole: the overtime of the last day runs past the horizon while the run
    # drains (twin.model.run_until_stores_empty), and it is paid all the same.
    paid = (start, np.inf)
    lane_h = _seconds_in(lanes, paid) / 3600.0
    rows.value(LANE_HOURS, lane_h, "total")
    rows.value(LABOUR_COST, lane_h * log.cashier_cost_per_h, "total")
    rows.value(OVERTIME_LANE_HOURS, _seconds_in(_intervals(log.overtime), paid) / 3600.0, "total")


def grocery_series(log: GroceryLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin checkout queue length and lanes open."""
    c = _columns(log)
    start, end = window
    series: list[Series] = []
    queued = c["outcome"] != BALKED
    queue = level_from_intervals(c["join"][queued], c["start"][queued], start, end, bin_s)
    lanes = _intervals(log.lane_open)
    lanes_open = level_from_intervals(lanes[0], lanes[1], start, end, bin_s)
    series.append(("checkout_queue_len", queue.bin_avg, "shoppers"))
    series.append(("lanes_open", lanes_open.bin_avg, "lanes"))
    return series


def _intervals(pairs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray(pairs, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _seconds_in(intervals: tuple[np.ndarray, np.ndarray], window: Window) -> float:
    starts = np.clip(intervals[0], *window)
    ends = np.clip(intervals[1], *window)
    return float(np.sum(np.maximum(ends - starts, 0.0)))
