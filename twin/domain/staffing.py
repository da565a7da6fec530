"""Staffed hours as plain arrays: who is on duty when, what it costs, and how busy they were.

A roster is an ``(k, 3)`` float array of ``(start_s, end_s, cost_per_h)`` rows, one per
person-hour (or server-hour) on duty. Rosters of several stores concatenate, and hours and
costs inside an observation window come out exactly, even when rates differ by store.
"""

from __future__ import annotations

import numpy as np

from twin.core.arrivals import DAY_S, HOUR_S

Window = tuple[float, float]


def roster(
    horizon_s: float,
    hours: range,
    count_by_hour: list[int] | None,
    count: int,
    cost_per_h: float = 0.0,
) -> np.ndarray:
    """One row per unit on duty per hour of ``hours`` (e.g. ``range(7, 22)``) of every day.

    ``count_by_hour`` (24 values) overrides ``count`` when given.
    """
    rows: list[tuple[float, float, float]] = []
    days = round(horizon_s / DAY_S)
    for day in range(days):
        for hour in hours:
            units = count_by_hour[hour] if count_by_hour else count
            start = day * DAY_S + hour * HOUR_S
            rows.extend([(start, start + HOUR_S, cost_per_h)] * units)
    return np.asarray(rows, dtype=float).reshape(-1, 3)


def seconds_in(starts: np.ndarray, ends: np.ndarray, window: Window) -> float:
    """Total length of the intervals [start, end) inside the window (NaN ends count as open)."""
    ends = np.where(np.isnan(ends), window[1], ends)
    clipped_starts = np.clip(starts, *window)
    clipped_ends = np.clip(ends, *window)
    return float(np.sum(np.maximum(clipped_ends - clipped_starts, 0.0)))


def roster_hours(rows: np.ndarray, window: Window) -> float:
    """Hours on duty inside the window."""
    return seconds_in(rows[:, 0], rows[:, 1], window) / HOUR_S


def roster_cost(rows: np.ndarray, window: Window) -> float:
    """Cost of the hours on duty inside the window, each at its own rate."""
    starts = np.clip(rows[:, 0], *window)
    ends = np.clip(rows[:, 1], *window)
    return float(np.sum(np.maximum(ends - starts, 0.0) / HOUR_S * rows[:, 2]))
