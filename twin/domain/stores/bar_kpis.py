"""KPIs of kiosk bars, from a :class:`twin.domain.stores.bar.BarLog`.

Visitors count when they arrived inside the window; utilisations are time-based.
"""

from __future__ import annotations

import numpy as np

from twin.domain.common import Series, Window, open_ends, seconds_in
from twin.domain.stores.bar import BarLog
from twin.domain.stores.staffing import roster_hours
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import LevelSummary, level_from_intervals

KIOSK_WAIT_S = define(
    "bar.kiosk_wait_s", "s", "tally", "Arrival to the start of the kiosk interaction."
)
COUNTER_WAIT_S = define(
    "bar.counter_wait_s", "s", "tally", "Receipt printed to the start of pouring (accepted)."
)
ACCEPTANCE_FRAC = define(
    "bar.acceptance_frac", "frac", "ratio", "Kiosk interactions whose recommendation was accepted."
)
ONLINE_ORDERS_N = define(
    "bar.online_orders_n",
    "orders",
    "total",
    "Receipt codes (printed in the window) later turned into online orders.",
)
ONLINE_CONVERSION_FRAC = define(
    "bar.online_conversion_frac", "frac", "ratio", "Online orders / receipts printed."
)
ONLINE_ORDER_VALUE = define(
    "bar.online_orders_money", "currency", "total", "Value of those online orders."
)
KIOSK_UTILISATION = define(
    "bar.kiosk_utilisation_frac", "frac", "ratio", "Busy kiosk time / open kiosk time."
)
BARTENDER_UTILISATION = define(
    "bar.bartender_utilisation_frac", "frac", "ratio", "Busy bartender time / bartender time."
)


def _queue(starts: np.ndarray, served: np.ndarray, window: Window, bin_s: float) -> LevelSummary:
    joined = ~np.isnan(starts)
    ends = open_ends(served)[joined]
    return level_from_intervals(starts[joined], ends, window[0], window[1], bin_s)


def bar_kpis(rows: KpiRows, log: BarLog, window: Window) -> None:
    """Kiosk, counter and online-conversion KPIs over ``window``."""
    start, end = window
    arrived = (log.arrive_s >= start) & (log.arrive_s < end)
    at_kiosk = arrived & ~np.isnan(log.kiosk_start_s)
    rows.tally(KIOSK_WAIT_S, (log.kiosk_start_s - log.arrive_s)[at_kiosk])
    interacted = arrived & ~np.isnan(log.kiosk_end_s)
    receipts = interacted & (log.accepts > 0)
    at_counter = receipts & ~np.isnan(log.counter_start_s)
    rows.tally(COUNTER_WAIT_S, (log.counter_start_s - log.kiosk_end_s)[at_counter])
    n_receipts = np.count_nonzero(receipts)
    rows.ratio(ACCEPTANCE_FRAC, n_receipts, np.count_nonzero(interacted))
    online = receipts & ~np.isnan(log.online_order_s)
    n_online = np.count_nonzero(online)
    rows.value(ONLINE_ORDERS_N, float(n_online), "total")
    rows.ratio(ONLINE_CONVERSION_FRAC, n_online, n_receipts)
    rows.value(ONLINE_ORDER_VALUE, float(log.online_value[online].sum()), "total")
    used = ~np.isnan(log.kiosk_start_s)
    kiosk_busy = seconds_in(log.kiosk_start_s[used], log.kiosk_end_s[used], window)
    rows.ratio(KIOSK_UTILISATION, kiosk_busy, roster_hours(log.kiosk_roster, window) * 3600.0)
    poured = ~np.isnan(log.counter_start_s)
    pour_busy = seconds_in(log.counter_start_s[poured], log.counter_end_s[poured], window)
    bartender_s = roster_hours(log.bartender_roster, window) * 3600.0
    rows.ratio(BARTENDER_UTILISATION, pour_busy, bartender_s)


def bar_series(log: BarLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin kiosk and counter line lengths."""
    accepted_end = np.where(log.accepts > 0, log.kiosk_end_s, np.nan)
    return [
        (
            "bar_kiosk_queue_len",
            _queue(log.arrive_s, log.kiosk_start_s, window, bin_s).bin_avg,
            "shoppers",
        ),
        (
            "bar_counter_queue_len",
            _queue(accepted_end, log.counter_start_s, window, bin_s).bin_avg,
            "shoppers",
        ),
    ]
