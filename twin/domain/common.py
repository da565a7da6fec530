"""What every domain shares: the observation window, a time series, a process's type, the
time a set of intervals spends inside a window, open interval ends, and pooling logs.

Time-weighted rosters (who is on duty when, at what cost) are :mod:`twin.domain.stores.staffing`;
time-weighted levels are :func:`twin.kpi.levels.level_from_intervals`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import fields
from typing import Any, TypeVar

import numpy as np
import simpy

# (start_s, end_s) over which KPIs are computed: the run after its warm-up.
Window = tuple[float, float]
# A KPI domain's time series: (name, value per bin, unit).
Series = tuple[str, np.ndarray, str]
# A SimPy process written as a generator function.
ProcessGen = Generator[simpy.Event, Any, None]

LogT = TypeVar("LogT")


def seconds_in(
    starts: np.ndarray, ends: np.ndarray, window: Window, weights: np.ndarray | None = None
) -> float:
    """Total length of the intervals [start, end) inside the window (NaN ends count as open),
    each times its weight if ``weights`` is given (compartments a locker stay holds, say).

    >>> seconds_in(np.array([0.0, 50.0]), np.array([100.0, np.nan]), (10.0, 60.0))
    60.0
    >>> seconds_in(np.array([0.0, 50.0]), np.array([100.0, np.inf]), (10.0, 60.0), np.array([2, 3]))
    130.0
    """
    inside = np.where(np.isnan(ends), window[1], ends).astype(float, copy=False)
    np.clip(inside, *window, out=inside)  # worked in place: a national day's tills pooled
    inside -= np.clip(starts, *window)  # are a million rows; each new array is faulted in
    np.maximum(inside, 0.0, out=inside)
    return float(np.sum(inside if weights is None else inside * weights))


def open_ends(ends: np.ndarray) -> np.ndarray:
    """Interval ends with NaN (not happened by the end of the run) as inf, the open end
    :func:`twin.kpi.levels.level_from_intervals` counts until the window's end.

    >>> open_ends(np.array([5.0, np.nan])).tolist()
    [5.0, inf]
    """
    return np.where(np.isnan(ends), np.inf, ends)


def concat_logs(cls: type[LogT], logs: list[LogT]) -> LogT:
    """Pool logs of several stores: a dataclass whose fields are all numpy arrays."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(*(np.concatenate([getattr(log, name) for log in logs]) for name in names))


__all__ = ["ProcessGen", "Series", "Window", "concat_logs", "open_ends", "seconds_in"]
