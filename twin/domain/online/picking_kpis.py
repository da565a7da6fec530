"""KPIs of in-store picking, from a :class:`twin.domain.online.picking.PickingLog`."""

from __future__ import annotations

import numpy as np

from twin.domain.common import Series, Window, seconds_in
from twin.domain.online.picking import RUN_COLUMNS, TASK_COLUMNS, PickingLog
from twin.kpi.catalog import KpiRows, define
from twin.kpi.levels import level_from_intervals, level_stats

T = {name: i for i, name in enumerate(TASK_COLUMNS)}
R = {name: i for i, name in enumerate(RUN_COLUMNS)}

UTILISATION = define(
    "picking.picker_utilisation_frac",
    "frac",
    "ratio",
    "Busy picker time (pick runs) / picker time on shift.",
)
WAIT_S = define(
    "picking.wait_s",
    "s",
    "tally",
    "Pick task queued -> a picker starts it (P(wait) and Wq of Erlang C).",
)
WAITED_FRAC = define(
    "picking.waited_frac",
    "frac",
    "ratio",
    "Share of started pick tasks that waited for a picker at all.",
)
RUN_S = define("picking.run_s", "s", "tally", "Duration of a pick run (walk, items, staging).")
TASKS_PER_RUN = define(
    "picking.tasks_n_per_run", "tasks", "ratio", "Pick tasks per run (mean; > 1 with batching)."
)
QUEUE_LEN = define("picking.queue_len_n", "tasks", "level", "Pick tasks waiting for a picker.")
PICKER_HOURS = define("picking.picker_h", "h", "total", "Picker hours on shift (labour).")
UNITS_PER_H = define(
    "picking.units_per_picker_h",
    "units/h",
    "ratio",
    "Units picked / picker hours on shift (Kroger target ~120 units/h).",
)


def picking_kpis(rows: KpiRows, log: PickingLog, window: Window) -> None:
    """Picking KPIs over ``window`` (tasks count when queued inside it, runs when started)."""
    start, end = window
    tasks = log.tasks
    queued = tasks[:, T["queued_s"]]
    started = tasks[:, T["started_s"]]
    in_window = (queued >= start) & (queued < end) & np.isfinite(started)
    waits = started[in_window] - queued[in_window]
    rows.tally(WAIT_S, waits)
    rows.ratio(WAITED_FRAC, np.count_nonzero(waits > 1e-9), waits.size)
    runs = log.runs
    run_in = (runs[:, R["start_s"]] >= start) & (runs[:, R["start_s"]] < end)
    rows.tally(RUN_S, runs[run_in, R["end_s"]] - runs[run_in, R["start_s"]])
    rows.ratio(TASKS_PER_RUN, float(runs[run_in, R["tasks"]].sum()), np.count_nonzero(run_in))
    shift_s = seconds_in(log.shift_start_s, log.shift_end_s, window)
    busy_s = seconds_in(runs[:, R["start_s"]], runs[:, R["end_s"]], window)
    rows.ratio(UTILISATION, busy_s, shift_s)
    rows.level(QUEUE_LEN, *level_stats(queued, started, start, end))
    rows.value(PICKER_HOURS, shift_s / 3600.0, "total")
    rows.ratio(UNITS_PER_H, float(runs[run_in, R["units"]].sum()), shift_s / 3600.0)


def picking_series(log: PickingLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin pick queue length."""
    start, end = window
    tasks = log.tasks
    queue = level_from_intervals(
        tasks[:, T["queued_s"]], tasks[:, T["started_s"]], start, end, bin_s
    )
    return [("picking_queue_len", queue.bin_avg, "tasks")]
