"""Staffed hours as plain arrays: who is on duty when, what it costs, and how busy they were.

A roster is an ``(k, 3)`` float array of ``(start_s, end_s, cost_per_h)`` rows, one per
person-hour (or server-hour) on duty. Rosters of several stores concatenate, and hours and
costs inside an observation window come out exactly, even when rates differ by store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.common import Window, seconds_in


def roster(
    horizon_s: float,
    hours: range,
    count_by_hour: Sequence[int] | None,
    count: int,
    cost_per_h: float = 0.0,
) -> np.ndarray:
    """One row per unit on duty per hour of ``hours`` (e.g. ``range(7, 22)``) of every day.

    ``count_by_hour`` overrides ``count`` when given: 24 values (every day alike), or one per
    hour of the horizon (a plan, :mod:`twin.plan`).

    >>> roster(86_400.0, range(7, 9), [0] * 7 + [2, 1] + [0] * 15, 0, 18.0).tolist()
    [[25200.0, 28800.0, 18.0], [25200.0, 28800.0, 18.0], [28800.0, 32400.0, 18.0]]
    """
    rows: list[tuple[float, float, float]] = []
    days = round(horizon_s / DAY_S)
    by_horizon_hour = count_by_hour is not None and len(count_by_hour) > 24
    for day in range(days):
        for hour in hours:
            if count_by_hour:
                units = count_by_hour[day * 24 + hour if by_horizon_hour else hour]
            else:
                units = count
            start = day * DAY_S + hour * HOUR_S
            rows.extend([(start, start + HOUR_S, cost_per_h)] * units)
    return np.asarray(rows, dtype=float).reshape(-1, 3)


def spans_roster(spans: list[tuple[float, float]], cost_per_h: float = 0.0) -> np.ndarray:
    """Roster rows for ``(start_s, end_s)`` spans on duty (overtime, say), each at one rate."""
    pairs = np.asarray(spans, dtype=float).reshape(-1, 2)
    return np.column_stack([pairs, np.full(pairs.shape[0], cost_per_h)])


def roster_hours(rows: np.ndarray, window: Window) -> float:
    """Hours on duty inside the window."""
    return seconds_in(rows[:, 0], rows[:, 1], window) / HOUR_S


def roster_cost(rows: np.ndarray, window: Window) -> float:
    """Cost of the hours on duty inside the window, each at its own rate."""
    starts = np.clip(rows[:, 0], *window)
    ends = np.clip(rows[:, 1], *window)
    return float(np.sum(np.maximum(ends - starts, 0.0) / HOUR_S * rows[:, 2]))


__all__ = ["roster", "roster_cost", "roster_hours", "spans_roster"]
