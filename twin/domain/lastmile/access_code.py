"""One-time access codes for in-home delivery.

Each delivery gets a 6-digit code (an int in ``[0, 999999]``; show it zero-padded) valid only
within its delivery window and only once. :meth:`AccessCodes.verify` is a dict look-up and
counts every outcome, so the refusal mix is a KPI for free.

>>> import numpy as np
>>> codes = AccessCodes(np.random.default_rng(1))
>>> code = codes.issue(window_start_s=600.0, window_end_s=2400.0, now_s=0.0)
>>> codes.verify(code, at_s=300.0).name, codes.verify(code, at_s=900.0).name
('REFUSED_OUTSIDE_WINDOW', 'ACCEPTED')
>>> codes.verify(code, at_s=950.0).name
'REFUSED_USED'
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum

import numpy as np

__all__ = ["CODE_SPACE", "AccessCodes", "AccessOutcome"]

CODE_SPACE = 1_000_000
"""Codes are drawn uniformly from ``range(CODE_SPACE)``: six decimal digits."""

_MAX_LIVE_SHARE = 0.5  # beyond this, drawing a free code would take many tries


class AccessOutcome(IntEnum):
    """What happened when a courier entered a code."""

    ACCEPTED = 0
    REFUSED_OUTSIDE_WINDOW = 1
    REFUSED_USED = 2
    REFUSED_UNKNOWN = 3


class _Grant:
    __slots__ = ("is_used", "window_end_s", "window_start_s")

    def __init__(self, window_start_s: float, window_end_s: float) -> None:
        self.window_start_s = window_start_s
        self.window_end_s = window_end_s
        self.is_used = False


class AccessCodes:
    """Issues and checks one-time codes; every operation is O(1) (amortised).

    A code is *live* from issue until its window ends; a new code never equals a live one.
    Outcomes of :meth:`verify` are checked in this order: unknown code, already used, outside
    the window, accepted. Codes whose window ended are forgotten from time to time (then they
    read as unknown), which keeps memory bounded by the codes live at once.
    """

    __slots__ = ("_counts", "_draws", "_grants", "_next_purge", "block")

    def __init__(self, rng: np.random.Generator, block: int = 1024) -> None:
        if block < 1:
            raise ValueError(f"block must be >= 1, got {block}")
        self.block = block
        self._draws = _endless_codes(rng, block)
        self._grants: dict[int, _Grant] = {}
        self._counts = [0] * len(AccessOutcome)
        self._next_purge = 2 * block

    def issue(self, window_start_s: float, window_end_s: float, now_s: float) -> int:
        """A fresh code valid for ``window_start_s <= t <= window_end_s``, issued at ``now_s``."""
        if not window_start_s <= window_end_s:
            raise ValueError(
                f"access window must have start <= end, got [{window_start_s}, {window_end_s}]"
            )
        if window_end_s < now_s:
            raise ValueError(
                f"access window [{window_start_s}, {window_end_s}] has already ended at "
                f"now_s = {now_s}"
            )
        if len(self._grants) >= self._next_purge:
            self._purge(now_s)
        grants = self._grants
        draws = self._draws
        while True:
            code = next(draws)
            held = grants.get(code)
            if held is None or held.window_end_s < now_s:
                break
        grants[code] = _Grant(window_start_s, window_end_s)
        return code

    def verify(self, code: int, at_s: float) -> AccessOutcome:
        """Check ``code`` at time ``at_s``; on acceptance the code is used up."""
        grant = self._grants.get(code)
        if grant is None:
            outcome = AccessOutcome.REFUSED_UNKNOWN
        elif grant.is_used:
            outcome = AccessOutcome.REFUSED_USED
        elif not grant.window_start_s <= at_s <= grant.window_end_s:
            outcome = AccessOutcome.REFUSED_OUTSIDE_WINDOW
        else:
            grant.is_used = True
            outcome = AccessOutcome.ACCEPTED
        self._counts[outcome] += 1
        return outcome

    @property
    def counts(self) -> dict[AccessOutcome, int]:
        """How many times each outcome occurred."""
        return {outcome: self._counts[outcome] for outcome in AccessOutcome}

    def live_count(self, now_s: float) -> int:
        """Codes issued whose window has not ended by ``now_s`` (O(n); for checks, not the loop)."""
        return sum(1 for grant in self._grants.values() if grant.window_end_s >= now_s)

    def _purge(self, now_s: float) -> None:
        self._grants = {
            code: grant for code, grant in self._grants.items() if grant.window_end_s >= now_s
        }
        live = len(self._grants)
        if live >= _MAX_LIVE_SHARE * CODE_SPACE:
            raise ValueError(
                f"{live} access codes are live at once, too many for {CODE_SPACE} six-digit "
                "codes; use one AccessCodes per store or shorten the access windows"
            )
        # Amortised O(1): the next purge waits until the dict has doubled again.
        self._next_purge = max(2 * live, 2 * self.block)


def _endless_codes(rng: np.random.Generator, block: int) -> Iterator[int]:
    while True:
        yield from rng.integers(0, CODE_SPACE, block).tolist()
