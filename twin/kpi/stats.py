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
    p50, p90, p95 = percentiles_linear(values, _TALLY_QUANTILES)
    return {
        "mean": float(values.mean()),
        "p50": float(p50),
        "p90": float(p90),
        "p95": float(p95),
        "max": float(values.max()),
        "n": float(n),
    }


_TALLY_QUANTILES = (0.5, 0.9, 0.95)  # np.true_divide([50, 90, 95], 100)


def percentiles_linear(values: np.ndarray, quantiles: tuple[float, ...]) -> list[float]:
    """``np.percentile(values, 100 * quantiles)`` (method linear) of a non-empty 1-D float array,
    to the last bit: the same order statistics (one ``np.partition``) and numpy's own
    interpolation steps (``_get_indexes``, ``_get_gamma``, ``_lerp``) on Python floats, without
    ``np.percentile``'s 30 µs of set-up, paid once per tally (a region's run summarises some
    20,000). Any NaN makes every percentile NaN, as in numpy."""
    n = int(values.size)
    picks: list[tuple[int, int, float]] = []  # (previous index, next index, gamma)
    for quantile in quantiles:
        virtual = (n - 1) * quantile
        if virtual >= n - 1:  # numpy takes the last value, as index -1 (gamma from -1 too)
            picks.append((-1, -1, virtual + 1))
        else:
            previous = math.floor(virtual)
            picks.append((previous, previous + 1, virtual - previous))
    # numpy's partition points, in its order (equal values, e.g. 0.0 and -0.0, then land
    # where they land in np.percentile)
    kth = sorted({0, -1, *(i for pick in picks for i in pick[:2])})
    ordered = np.partition(values, kth)
    if math.isnan(ordered[-1]):  # NaN sorts last
        return [math.nan] * len(quantiles)
    out = []
    for previous, following, gamma in picks:
        a, b = float(ordered[previous]), float(ordered[following])
        diff_b_a = b - a
        out.append(b - diff_b_a * (1 - gamma) if gamma >= 0.5 else a + diff_b_a * gamma)
    return out


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
