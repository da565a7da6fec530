"""Durations still open when a run ends (right-censored): the Kaplan-Meier restricted mean.

A mean over the durations that ended leaves out the long ones still running at the end, so it
reads low. The Kaplan-Meier estimator uses the open ones as "at least this long": its restricted
mean (the area under the survival curve up to the longest duration seen) has no such bias as
long as the longest durations ended (e.g. a locker stay is cut off at the hold limit).
"""

from __future__ import annotations

import numpy as np


def km_restricted_mean(durations: np.ndarray, ended: np.ndarray) -> float:
    """Area under the Kaplan-Meier survival curve up to the longest duration (NaN if none).

    ``durations[i]`` is the full duration when ``ended[i]``, else the time it had been open
    when observation stopped. Ties: ended durations count before open ones of the same length.
    """
    durations = np.asarray(durations, dtype=float)
    ended = np.asarray(ended, dtype=bool)
    if durations.size == 0:
        return float("nan")
    order = np.lexsort((~ended, durations))
    t = durations[order]
    at_risk = durations.size - np.arange(durations.size)
    survival = np.cumprod(np.where(ended[order], 1.0 - 1.0 / at_risk, 1.0))
    before_t = np.concatenate(([0.0], t[:-1]))
    survival_before = np.concatenate(([1.0], survival[:-1]))
    return float(np.sum((t - before_t) * survival_before))
