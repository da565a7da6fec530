"""Drone flyability: an hourly no-fly indicator, built before the run, read in O(1) during it.

Hour ``h`` covers ``[h * 3600, (h + 1) * 3600)`` seconds of simulation time. The indicator
comes either from a two-state Markov chain (:meth:`WeatherTrace.markov`: a stationary no-fly
share and a mean no-fly spell length, as in the sweep ranges of Gao et al. 2021) or from an
hourly trace file (:meth:`WeatherTrace.from_csv`).

>>> trace = WeatherTrace([False, True, True, False])
>>> trace.is_flyable(3600.0), trace.next_flyable_s(4000.0), trace.no_fly_share
(False, 10800.0, 0.5)
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["HOUR_S", "WeatherTrace"]

HOUR_S = 3600.0

_NO_FLY_WORDS = {"1": True, "0": False, "true": True, "false": False}


class WeatherTrace:
    """An hourly no-fly indicator with O(1) look-ups.

    ``no_fly[h]`` is True when drones may not fly during hour ``h``. Times past the end of the
    trace raise ``ValueError`` (build the trace to cover the run), unless ``repeat`` is set, in
    which case the trace repeats (e.g. one typical day or week).
    """

    __slots__ = (
        "_first_flyable_h",
        "_first_no_fly_h",
        "_flyable",
        "_next_flyable_h",
        "_next_no_fly_h",
        "hours",
        "no_fly",
        "no_fly_share",
        "repeat",
    )

    def __init__(self, no_fly: Sequence[bool | int] | np.ndarray, *, repeat: bool = False) -> None:
        indicator = np.asarray(no_fly)
        if indicator.ndim != 1 or indicator.size == 0:
            raise ValueError(
                f"a weather trace needs a non-empty 1-D hourly indicator, got shape "
                f"{indicator.shape}"
            )
        if indicator.dtype != bool:
            if not np.isin(indicator, (0, 1)).all():
                raise ValueError(
                    "a weather trace's no-fly indicator must hold only 0/1 or booleans"
                )
            indicator = indicator.astype(bool)
        self.no_fly: np.ndarray = indicator.copy()
        self.no_fly.setflags(write=False)
        self.hours: int = int(indicator.size)
        self.repeat = repeat
        self.no_fly_share: float = float(indicator.mean())
        # Plain lists: indexing them is cheaper than numpy scalar indexing inside the loop.
        self._flyable: list[bool] = (~indicator).tolist()
        self._next_flyable_h: list[int] = _next_true(~indicator).tolist()
        self._next_no_fly_h: list[int] = _next_true(indicator).tolist()
        self._first_flyable_h = self._next_flyable_h[0]
        self._first_no_fly_h = self._next_no_fly_h[0]

    @classmethod
    def markov(
        cls,
        no_fly_share: float,
        mean_spell_h: float,
        days: int,
        rng: np.random.Generator,
        *,
        repeat: bool = False,
    ) -> WeatherTrace:
        """A trace from a stationary two-state hourly Markov chain.

        The chain leaves no-fly with probability ``1 / mean_spell_h`` per hour, and enters it
        with the probability that makes ``no_fly_share`` its long-run share. Spells are
        geometric (whole hours), so no-fly spells average ``mean_spell_h`` hours and flyable
        spells ``mean_spell_h * (1 - share) / share`` hours; both must be at least one hour.
        """
        if not 0 <= no_fly_share <= 1:
            raise ValueError(f"no_fly_share must be in [0, 1], got {no_fly_share!r}")
        if not (math.isfinite(mean_spell_h) and mean_spell_h >= 1):
            raise ValueError(
                f"mean_spell_h must be a number of hours >= 1 (the trace is hourly), "
                f"got {mean_spell_h!r}"
            )
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"days must be an integer >= 1, got {days!r}")
        hours = days * 24
        if no_fly_share in (0, 1):
            return cls(np.full(hours, bool(no_fly_share)), repeat=repeat)
        leave_no_fly = 1 / mean_spell_h
        enter_no_fly = leave_no_fly * no_fly_share / (1 - no_fly_share)
        if enter_no_fly > 1:
            raise ValueError(
                f"no_fly_share {no_fly_share:g} with no-fly spells of mean {mean_spell_h:g} h "
                f"needs flyable spells of mean {1 / enter_no_fly:.3g} h, shorter than the "
                f"one-hour step; raise mean_spell_h to at least "
                f"{no_fly_share / (1 - no_fly_share):.3g}"
            )
        indicator = np.empty(hours, dtype=bool)
        # Geometric spells are memoryless, so a stationary first state followed by whole
        # spells is exactly the stationary chain.
        state = bool(rng.random() < no_fly_share)
        hour = 0
        while hour < hours:
            length = int(rng.geometric(leave_no_fly if state else enter_no_fly))
            indicator[hour : hour + length] = state
            hour += length
            state = not state
        return cls(indicator, repeat=repeat)

    @classmethod
    def from_csv(
        cls, path: str | Path, column: str | None = None, *, repeat: bool = False
    ) -> WeatherTrace:
        """A trace from a CSV file with a header row and one row per consecutive hour.

        ``column`` holds the no-fly indicator: ``1``/``true`` means no flying that hour,
        ``0``/``false`` means flyable (case-insensitive). It may be omitted when the file
        has a single column.
        """
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"weather trace {path}: no such file")
        values: list[bool] = []
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"weather trace {path}: the file is empty")
            header = [name.strip() for name in header]
            if column is None:
                if len(header) != 1:
                    raise ValueError(
                        f"weather trace {path}: has columns {header}; name the no-fly column"
                    )
                column = header[0]
            if column not in header:
                raise ValueError(
                    f"weather trace {path}: no column {column!r}; the columns are {header}"
                )
            index = header.index(column)
            for row in reader:
                if not row:
                    continue
                cell = row[index].strip().lower() if index < len(row) else ""
                if cell not in _NO_FLY_WORDS:
                    raise ValueError(
                        f"weather trace {path}, row {reader.line_num}: column {column!r} is "
                        f"{cell!r}; expected 0/1 or true/false"
                    )
                values.append(_NO_FLY_WORDS[cell])
        if not values:
            raise ValueError(f"weather trace {path}: no hourly rows after the header")
        return cls(values, repeat=repeat)

    @property
    def horizon_s(self) -> float:
        """Simulation time covered by one pass of the trace."""
        return self.hours * HOUR_S

    def _hour(self, t_s: float) -> tuple[int, float]:
        """The hour index within the trace and the start time of the pass holding ``t_s``."""
        hour = int(t_s // HOUR_S)
        if 0 <= hour < self.hours:
            return hour, 0.0
        if t_s < 0:
            raise ValueError(f"weather look-up at negative time t_s = {t_s!r}")
        if not self.repeat:
            raise ValueError(
                f"weather look-up at t_s = {t_s!r} is past the trace's {self.hours} h; "
                "build a longer trace or set repeat=True"
            )
        passes = hour // self.hours
        return hour - passes * self.hours, passes * self.horizon_s

    def is_flyable(self, t_s: float) -> bool:
        """Whether drones may fly at time ``t_s``."""
        hour, _ = self._hour(t_s)
        return self._flyable[hour]

    def next_flyable_s(self, t_s: float) -> float:
        """The earliest time >= ``t_s`` when drones may fly (``t_s`` itself if they may now).

        ``inf`` when no flyable hour follows (to the end of the trace, or ever when repeating).
        """
        hour, pass_start_s = self._hour(t_s)
        if self._flyable[hour]:
            return t_s
        return self._next_change_s(self._next_flyable_h[hour], self._first_flyable_h, pass_start_s)

    def next_no_fly_s(self, t_s: float) -> float:
        """The earliest time >= ``t_s`` when flying stops (``t_s`` itself if it is stopped now).

        ``inf`` when no no-fly hour follows (to the end of the trace, or ever when repeating).
        """
        hour, pass_start_s = self._hour(t_s)
        if not self._flyable[hour]:
            return t_s
        return self._next_change_s(self._next_no_fly_h[hour], self._first_no_fly_h, pass_start_s)

    def _next_change_s(self, next_h: int, first_h: int, pass_start_s: float) -> float:
        if next_h < self.hours:
            return pass_start_s + next_h * HOUR_S
        if self.repeat and first_h < self.hours:
            return pass_start_s + self.horizon_s + first_h * HOUR_S
        return math.inf

    def __repr__(self) -> str:
        return (
            f"WeatherTrace(hours={self.hours}, no_fly_share={self.no_fly_share:.3f}, "
            f"repeat={self.repeat})"
        )


def _next_true(flags: np.ndarray) -> np.ndarray:
    """For each index, the smallest index >= it where ``flags`` is True (``len`` if none)."""
    size = flags.size
    positions = np.where(flags, np.arange(size), size)
    return np.minimum.accumulate(positions[::-1])[::-1]
