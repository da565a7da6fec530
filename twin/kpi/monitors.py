"""Monitors used inside the event loop: each update is O(1) and does no formatting.

- :class:`Tally` collects observations (a wait, a time in store) into a list.
- :class:`Counter` counts events (arrivals, balks).
- :class:`IntervalLog` records (start, end) pairs; time-weighted levels (occupancy, queue
  length, busy servers) and their time series are computed from it after the run, so the
  loop never integrates anything.
"""

from __future__ import annotations

import numpy as np


class Tally:
    """Observations of one quantity, with the simulation time each was made at."""

    __slots__ = ("at_s", "values")

    def __init__(self) -> None:
        self.values: list[float] = []
        self.at_s: list[float] = []

    def add(self, value: float, at_s: float) -> None:
        self.values.append(value)
        self.at_s.append(at_s)

    def arrays(self, since_s: float = 0.0) -> np.ndarray:
        """Observations made at or after ``since_s`` (the warm-up)."""
        values = np.asarray(self.values, dtype=float)
        if since_s <= 0:
            return values
        return values[np.asarray(self.at_s, dtype=float) >= since_s]


class Counter:
    """A count of events, each stamped with its time so warm-up can be excluded."""

    __slots__ = ("at_s",)

    def __init__(self) -> None:
        self.at_s: list[float] = []

    def add(self, at_s: float) -> None:
        self.at_s.append(at_s)

    def count(self, since_s: float = 0.0) -> int:
        if since_s <= 0:
            return len(self.at_s)
        return int(np.count_nonzero(np.asarray(self.at_s, dtype=float) >= since_s))


class IntervalLog:
    """Intervals [start, end) during which one unit of a level was present.

    Call :meth:`open` when the unit arrives and :meth:`close` when it leaves; the handle
    returned by ``open`` is an index, so both are O(1) list operations.
    """

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []

    def open(self, at_s: float) -> int:
        self.starts.append(at_s)
        self.ends.append(np.inf)
        return len(self.starts) - 1

    def close(self, handle: int, at_s: float) -> None:
        self.ends[handle] = at_s

    def add(self, start_s: float, end_s: float) -> None:
        """Record a whole interval at once (when the start is known at the end)."""
        self.starts.append(start_s)
        self.ends.append(end_s)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.starts, dtype=float), np.asarray(self.ends, dtype=float)
