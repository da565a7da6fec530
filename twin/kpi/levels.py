"""Time-weighted levels computed after the run from interval logs (vectorised, exact).

A KPI needs a level's time average and maximum over the window (:func:`level_stats`); a
time series needs its average in each bin as well (:func:`level_from_intervals`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

Intervals = tuple[np.ndarray, np.ndarray]  # (starts, ends) of the intervals a level counts


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
    s, e, time_avg = _inside(starts, ends, window_start_s, window_end_s)
    n_bins = int(np.ceil((window_end_s - window_start_s) / bin_s))
    edges = window_start_s + bin_s * np.arange(n_bins + 1)
    edges[-1] = window_end_s
    if s.size == 0:
        return LevelSummary(0.0, 0.0, np.zeros(n_bins))
    s.sort()  # s and e are fresh copies (clip, mask); starts and ends pair no longer
    e.sort()
    # area in bins: integral of the count of intervals = integral of cumulative starts - ends
    area = _cumulative_area(s, edges) - _cumulative_area(e, edges)
    bin_avg = np.diff(area) / np.diff(edges)
    return LevelSummary(time_avg, float(_max_after_starts(s, e)), bin_avg)


class LevelStats(NamedTuple):
    """A level over an observation window: its time average and maximum."""

    time_avg: float
    max: float


def level_stats(
    starts: np.ndarray, ends: np.ndarray, window_start_s: float, window_end_s: float
) -> LevelStats:
    """The time average and maximum of L(t) = #{i : starts[i] <= t < ends[i]} over a window,
    the same floats as :func:`level_from_intervals` gives, without sorting every interval.

    Intervals are clipped to the window; open intervals (end = inf) count until its end.
    """
    s, e, time_avg = _inside(starts, ends, window_start_s, window_end_s)
    if s.size == 0:
        return LevelStats(0.0, 0.0)
    return LevelStats(time_avg, float(_max_level(s, e, window_start_s, window_end_s)))


def _inside(
    starts: np.ndarray, ends: np.ndarray, window_start_s: float, window_end_s: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """The intervals clipped to the window, those left non-empty (fresh arrays), and the
    level's time average over the window (0.0 when none is left)."""
    duration = window_end_s - window_start_s
    if duration <= 0:
        raise ValueError("window_end_s must be after window_start_s")
    s = np.clip(starts, window_start_s, window_end_s)
    e = np.clip(ends, window_start_s, window_end_s)
    keep = e > s
    s, e = s[keep], e[keep]
    return s, e, float(np.sum(e - s) / duration) if s.size else 0.0


_STARTS_PER_BIN = 8  # coarse bins for the maximum's bounds: a few starts each
_SORT_BELOW = 2_048  # intervals: fewer are sorted whole (measured crossing: ~2,000)


def _max_level(s: np.ndarray, e: np.ndarray, window_start_s: float, window_end_s: float) -> int:
    """max over starts v of #{s <= v} - #{e <= v}: the level just after a start (at equal
    times, leave before arrive), as :func:`level_from_intervals` counts it.

    Sorting every start and end costs O(n log n): a national network's pooled store visits
    took 0.25 s. Instead, times fall into coarse bins by a monotone index (so a bin is an
    interval of time and the counts of earlier bins are exact); the level just after a bin
    is a lower bound of the maximum wherever the bin has a start, the level before it plus
    its starts an upper bound within it. Only the bins whose bound reaches the best lower
    bound (a few, near the peak) are sorted and counted exactly, within the bin. Below some
    2,000 intervals sorting them all is quicker than the bins' bookkeeping, and so it is when
    most bins are candidates (a level that stays at its peak: lockers full all day).
    """
    n_bins = max(1, s.size // _STARTS_PER_BIN)
    scale = n_bins / (window_end_s - window_start_s)
    if s.size < _SORT_BELOW or not math.isfinite(scale):  # (a window too short for bins)
        return _sorted_max_level(s, e)

    def bin_of(times: np.ndarray) -> np.ndarray:
        offset = np.subtract(times, window_start_s, dtype=float)  # times may be integers
        offset *= scale  # in place: one new array fewer to fault in
        index = offset.astype(np.int64)  # monotone in times
        return np.minimum(index, n_bins, out=index)  # the window's end: a bin of its own

    s_bin, e_bin = bin_of(s), bin_of(e)
    s_n = np.bincount(s_bin, minlength=n_bins + 1)
    e_n = np.bincount(e_bin, minlength=n_bins + 1)
    before = np.cumsum(s_n) - s_n - (np.cumsum(e_n) - e_n)  # the level just before each bin
    has_start = s_n > 0
    lower = np.max((before + s_n - e_n)[has_start])
    candidate = has_start & (before + s_n >= lower)
    if 2 * np.sum(s_n[candidate]) > s.size:
        return _sorted_max_level(s, e)
    # within the candidate bins, exactly: their starts and ends in time order
    s_in = np.sort(s[candidate[s_bin]])
    e_in = np.sort(e[candidate[e_bin]])
    s_kept = np.where(candidate, s_n, 0)
    e_kept = np.where(candidate, e_n, 0)
    s_earlier = np.cumsum(s_kept) - s_kept  # candidate starts in earlier candidate bins
    e_earlier = np.cumsum(e_kept) - e_kept
    bins = bin_of(s_in)
    starts_so_far = np.arange(1, s_in.size + 1) - s_earlier[bins]
    ends_so_far = np.searchsorted(e_in, s_in, side="right") - e_earlier[bins]
    return int(np.max(before[bins] + starts_so_far - ends_so_far))


def _sorted_max_level(s: np.ndarray, e: np.ndarray) -> int:
    """:func:`_max_level` by sorting every start and end."""
    return _max_after_starts(np.sort(s), np.sort(e))


def _max_after_starts(sorted_starts: np.ndarray, sorted_ends: np.ndarray) -> int:
    """The level's maximum, which it reaches just after a start: after the k-th start (k from
    1) it is k minus the ends at or before that time (at equal times, leave before arrive)."""
    ends_before = np.searchsorted(sorted_ends, sorted_starts, side="right")
    return int(np.max(np.arange(1, sorted_starts.size + 1) - ends_before))


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
