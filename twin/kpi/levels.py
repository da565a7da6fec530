"""Time-weighted levels computed after the run from interval logs (vectorised, exact)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LevelSummary:
    """A level over an observation window: its time average, maximum and per-bin averages."""

    time_avg: float
    max: float
    bin_avg: np.ndarray  # mean level in each bin of the window


def level_from_intervals(
    starts: np.ndarray, ends: np.ndarray, window_start_s: float, window_end_s: float, bin_s: float
) -> LevelSummary:
    """Summarise the level L(t) = #{i : starts[i] <= t < ends[i]} over a window.

    Intervals are clipped to the window; open intervals (end = inf) count until its end.
    Bins start at ``window_start_s``; the last bin may be shorter and is averaged over its
    own length.
    """
    duration = window_end_s - window_start_s
    if duration <= 0:
        raise ValueError("window_end_s must be after window_start_s")
    n_bins = int(np.ceil(duration / bin_s))
    edges = window_start_s + bin_s * np.arange(n_bins + 1)
    edges[-1] = window_end_s
    s = np.clip(starts, window_start_s, window_end_s)
    e = np.clip(ends, window_start_s, window_end_s)
    keep = e > s
    s, e = s[keep], e[keep]
    if s.size == 0:
        return LevelSummary(0.0, 0.0, np.zeros(n_bins))
    time_avg = float(np.sum(e - s) / duration)
    s.sort()  # s and e are fresh copies (clip, mask); starts and ends pair no longer
    e.sort()
    # area in bins: integral of the count of intervals = integral of cumulative starts - ends
    area = _cumulative_area(s, edges) - _cumulative_area(e, edges)
    bin_avg = np.diff(area) / np.diff(edges)
    # The level peaks just after a start: after the k-th start (k from 1) it is k minus the
    # ends at or before that time (at equal times, leave before arrive).
    after_start = np.arange(1, s.size + 1) - np.searchsorted(e, s, side="right")
    level_max = float(np.max(after_start))
    return LevelSummary(time_avg, level_max, bin_avg)


def _cumulative_area(sorted_points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each edge x, the sum over points p <= x of (x - p); points sorted ascending."""
    prefix = np.concatenate([[0.0], np.cumsum(sorted_points)])
    counts = np.searchsorted(sorted_points, edges, side="right")
    return counts * edges - prefix[counts]


def bin_counts(
    at_s: np.ndarray, window_start_s: float, window_end_s: float, bin_s: float
) -> np.ndarray:
    """Number of events in each bin of the window."""
    n_bins = int(np.ceil((window_end_s - window_start_s) / bin_s))
    index = np.floor((at_s - window_start_s) / bin_s).astype(np.int64)
    index = index[(index >= 0) & (index < n_bins)]
    return np.bincount(index, minlength=n_bins).astype(float)
