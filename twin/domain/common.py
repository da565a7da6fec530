"""What every domain shares: the observation window, a time series, a process's type, and the
time a set of intervals spends inside a window.

Time-weighted rosters (who is on duty when, at what cost) are :mod:`twin.domain.stores.staffing`;
time-weighted levels are :func:`twin.kpi.levels.level_from_intervals`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

# (start_s, end_s) over which KPIs are computed: the run after its warm-up.
Window = tuple[float, float]
# A KPI domain's time series: (name, value per bin, unit).
Series = tuple[str, np.ndarray, str]
# A SimPy process written as a generator function.
ProcessGen = Generator[simpy.Event, Any, None]


def seconds_in(starts: np.ndarray, ends: np.ndarray, window: Window) -> float:
    """Total length of the intervals [start, end) inside the window (NaN ends count as open).

    >>> seconds_in(np.array([0.0, 50.0]), np.array([100.0, np.nan]), (10.0, 60.0))
    60.0
    """
    ends = np.where(np.isnan(ends), window[1], ends)
    clipped_starts = np.clip(starts, *window)
    clipped_ends = np.clip(ends, *window)
    return float(np.sum(np.maximum(clipped_ends - clipped_starts, 0.0)))


__all__ = ["ProcessGen", "Series", "Window", "seconds_in"]
