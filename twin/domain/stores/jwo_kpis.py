"""KPIs of just-walk-out stores, from a :class:`twin.domain.stores.jwo.JwoLog`.

Parties count when they arrived inside the window; levels, utilisations and staffed hours are
time-based and clipped to the window. Labour (gate attendants, reviewers, dispute handling) is
comparable with ``checkout.lane_h`` and ``checkout.labour_cost_money`` of stores with tills.
"""

from __future__ import annotations

import numpy as np

from twin.domain.common import Series, Window, open_ends, seconds_in
from twin.domain.stores.jwo import ADMITTED, GAVE_UP, JwoLog
from twin.domain.stores.staffing import roster_cost, roster_hours
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import Intervals, level_from_intervals, level_stats

GATE_WAIT_S = define(
    "jwo.gate_wait_s", "s", "tally", "Admitted to the start of the gate scan (admitted parties)."
)
OUTSIDE_WAIT_S = define(
    "jwo.outside_wait_s",
    "s",
    "tally",
    "Arrival at the door to admission, 0 when not full (admitted parties).",
)
TURNED_AWAY_FRAC = define(
    "jwo.turned_away_frac",
    "frac",
    "ratio",
    "Parties who never got in: turned away when full, or gave up waiting outside.",
)
GAVE_UP_FRAC = define(
    "jwo.gave_up_frac", "frac", "ratio", "Parties who gave up waiting in the outside line."
)
INSIDE_PEOPLE = define(
    "jwo.inside_people_n",
    "people",
    "level",
    "People inside (guests included; the occupancy cap applies to this).",
)
OUTSIDE_LINE_LEN = define(
    "jwo.outside_line_len_n",
    "parties",
    "level",
    "Parties waiting outside until the store has room.",
)
GATE_UTILISATION = define(
    "jwo.gate_utilisation_frac", "frac", "ratio", "Busy gate time / open gate time."
)
REVIEW_FRAC = define(
    "jwo.review_frac", "frac", "ratio", "Visits (walked out) whose basket went to human review."
)
REVIEW_WAIT_S = define(
    "jwo.review_wait_s", "s", "tally", "A reviewed basket waiting for a free reviewer."
)
RECEIPT_DELAY_S = define(
    "jwo.receipt_delay_s", "s", "tally", "Walking out to the receipt (visits with a receipt)."
)
RECEIPTS_PENDING_N = define(
    "jwo.receipts_pending_n",
    "visits",
    "total",
    "Visits that walked out but had no receipt by the end of the run.",
)
REVIEWER_UTILISATION = define(
    "jwo.reviewer_utilisation_frac", "frac", "ratio", "Busy reviewer time / reviewer time on duty."
)
LEAKAGE_VALUE = define(
    "jwo.leakage_money", "currency", "total", "Value of items taken but not charged (missed)."
)
LEAKAGE_FRAC = define(
    "jwo.leakage_frac", "frac", "ratio", "Leakage value / value of the baskets that walked out."
)
FALSE_CHARGE_FRAC = define(
    "jwo.false_charge_frac",
    "frac",
    "ratio",
    "Visits charged for at least one item not taken (refunded after a dispute).",
)
REFUND_VALUE = define(
    "jwo.refund_money", "currency", "total", "Value refunded for items falsely charged."
)
ATTENDANT_HOURS = define("jwo.attendant_h", "h", "total", "Gate attendant hours on duty (labour).")
REVIEWER_HOURS = define("jwo.reviewer_h", "h", "total", "Reviewer hours on duty (labour).")
DISPUTE_HOURS = define(
    "jwo.dispute_h", "h", "total", "Support hours handling false-charge disputes (labour)."
)
LABOUR_COST = define(
    "jwo.labour_cost_money",
    "currency",
    "total",
    "Attendant, reviewer and dispute hours x their cost per hour (cf. checkout.labour_cost_money).",
)


def _people_inside(log: JwoLog) -> Intervals:
    admitted = log.outcome == ADMITTED
    people = log.people[admitted].astype(np.int64)
    return (
        np.repeat(log.door_s[admitted], people),
        np.repeat(open_ends(log.exit_s[admitted]), people),
    )


def _outside_line(log: JwoLog) -> Intervals:
    return log.arrive_s, open_ends(log.door_s)


def _review_backlog(log: JwoLog) -> Intervals:
    joined = ~np.isnan(log.review_join_s)
    return log.review_join_s[joined], open_ends(log.review_start_s[joined])


def jwo_kpis(rows: KpiRows, log: JwoLog, window: Window) -> None:
    """Door, gate, recognition, review and labour KPIs over ``window``."""
    start, end = window
    arrived = (log.arrive_s >= start) & (log.arrive_s < end)
    decided = arrived & ~np.isnan(log.outcome)
    admitted = decided & (log.outcome == ADMITTED)
    at_gate = admitted & ~np.isnan(log.gate_start_s)
    rows.tally(GATE_WAIT_S, (log.gate_start_s - log.door_s)[at_gate])
    rows.tally(OUTSIDE_WAIT_S, (log.door_s - log.arrive_s)[admitted])
    n_decided = np.count_nonzero(decided)
    rows.ratio(TURNED_AWAY_FRAC, n_decided - np.count_nonzero(admitted), n_decided)
    rows.ratio(GAVE_UP_FRAC, np.count_nonzero(decided & (log.outcome == GAVE_UP)), n_decided)
    rows.level(INSIDE_PEOPLE, *level_stats(*_people_inside(log), start, end))
    rows.level(OUTSIDE_LINE_LEN, *level_stats(*_outside_line(log), start, end))
    scanned = ~np.isnan(log.gate_start_s)
    gate_busy = seconds_in(log.gate_start_s[scanned], log.gate_end_s[scanned], window)
    rows.ratio(GATE_UTILISATION, gate_busy, roster_hours(log.gate_roster, window) * 3600.0)

    out = arrived & ~np.isnan(log.exit_s)
    n_out = np.count_nonzero(out)
    reviewed = out & (log.is_reviewed > 0)
    rows.ratio(REVIEW_FRAC, np.count_nonzero(reviewed), n_out)
    started = reviewed & ~np.isnan(log.review_start_s)
    rows.tally(REVIEW_WAIT_S, (log.review_start_s - log.review_join_s)[started])
    has_receipt = out & ~np.isnan(log.receipt_s)
    rows.tally(RECEIPT_DELAY_S, (log.receipt_s - log.exit_s)[has_receipt])
    rows.value(RECEIPTS_PENDING_N, float(n_out - np.count_nonzero(has_receipt)), "total")
    in_review = ~np.isnan(log.review_start_s)
    review_busy = seconds_in(log.review_start_s[in_review], log.receipt_s[in_review], window)
    reviewer_hours = roster_hours(log.reviewer_roster, window)
    rows.ratio(REVIEWER_UTILISATION, review_busy, reviewer_hours * 3600.0)

    leak = float(log.leak_value[out].sum())
    rows.value(LEAKAGE_VALUE, leak, "total")
    rows.ratio(LEAKAGE_FRAC, leak, float(log.basket_value[out].sum()))
    rows.ratio(FALSE_CHARGE_FRAC, np.count_nonzero(out & (log.false_items > 0)), n_out)
    rows.value(REFUND_VALUE, float(log.refund_value[out].sum()), "total")

    attendant_hours = roster_hours(log.attendant_roster, window)
    dispute_hours = float(log.dispute_s[out].sum()) / 3600.0
    rows.value(ATTENDANT_HOURS, attendant_hours, "total")
    rows.value(REVIEWER_HOURS, reviewer_hours, "total")
    rows.value(DISPUTE_HOURS, dispute_hours, "total")
    cost = (
        roster_cost(log.attendant_roster, window)
        + roster_cost(log.reviewer_roster, window)
        + float(log.dispute_cost[out].sum())
    )
    rows.value(LABOUR_COST, cost, "total")


def jwo_series(log: JwoLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin people inside, parties waiting outside, and baskets waiting for review."""
    return [
        (
            "jwo_inside_people",
            level_from_intervals(*_people_inside(log), *window, bin_s).bin_avg,
            "people",
        ),
        (
            "jwo_outside_line_len",
            level_from_intervals(*_outside_line(log), *window, bin_s).bin_avg,
            "parties",
        ),
        (
            "jwo_review_backlog",
            level_from_intervals(*_review_backlog(log), *window, bin_s).bin_avg,
            "visits",
        ),
    ]
