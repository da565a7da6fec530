"""Statistics for KPI tables: per-replication summaries and confidence intervals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

TALLY_STATS = ("mean", "p50", "p90", "p95", "max", "n")


def tally_summary(values: np.ndarray) -> dict[str, float]:
    """mean, p50, p90, p95, max and n of a set of observations (NaN when there are none)."""
    n = int(values.size)
    if n == 0:
        return {
            "mean": math.nan,
            "p50": math.nan,
            "p90": math.nan,
            "p95": math.nan,
            "max": math.nan,
            "n": 0.0,
        }
    p50, p90, p95 = np.percentile(values, [50, 90, 95])
    return {
        "mean": float(values.mean()),
        "p50": float(p50),
        "p90": float(p90),
        "p95": float(p95),
        "max": float(values.max()),
        "n": float(n),
    }


def t_quantile(quantile: float, df: Any) -> Any:
    """Student's t quantile, as ``scipy.stats.t.ppf(quantile, df)`` (the same floats: it is
    what that evaluates) without importing ``scipy.stats``; ``df`` may be an array (NaN or
    below 1 gives NaN). scipy.special is imported on first use, off the path of ``--help``."""
    from scipy.special import stdtrit

    return stdtrit(df, quantile)


def t_interval(samples: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Mean and t-based half-width of a confidence interval (half-width NaN for n < 2)."""
    samples = np.asarray(samples, dtype=float)
    samples = samples[~np.isnan(samples)]
    n = samples.size
    if n == 0:
        return math.nan, math.nan
    mean = float(samples.mean())
    if n < 2:
        return mean, math.nan
    sd = float(samples.std(ddof=1))
    t = float(t_quantile(0.5 + confidence / 2, n - 1))
    return mean, t * sd / math.sqrt(n)
