"""The two comparison layers of a baseline check, on per-replication KPI values.

1. **Exact**: the same seed and the same numeric stack must reproduce every per-replication
   value to a relative tolerance of ``exact_rel`` (1e-9): any unintended change shows at once.
2. **Statistical**: a KPI has drifted when its new mean differs from the old by more than
   *both* the simulation noise and a practical margin::

       |new - old| > max(h, rel * |old| + abs)

   where ``h`` is the half-width of a ``1 - alpha/m`` confidence interval of the difference
   (so the interval excludes zero) and ``m`` the number of KPIs of the baseline that vary
   between replications (Bonferroni: at most ``alpha`` false alarms per baseline check, fewer
   since KPIs are correlated). The interval is a paired t-interval on the per-replication
   differences when both runs used the same seed and replication count (common random
   numbers), else a Welch interval.

Neither layer imports pandas: values come in as plain dicts of arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.experiment.baseline_spec import BaselineTolerance
from twin.kpi.stats import t_quantile

KpiKey = tuple[str, str, str, str]  # region, store, kpi, stat
Values = Mapping[KpiKey, np.ndarray]  # per-replication values, replication order, NaN allowed


@dataclass(frozen=True)
class ExactMismatch:
    key: KpiKey
    old_mean: float
    new_mean: float
    max_rel_diff: float  # largest relative difference of one replication's value


@dataclass(frozen=True)
class KpiDifference:
    """The statistical comparison of one KPI: new minus old, with its interval and verdict."""

    key: KpiKey
    old_mean: float
    new_mean: float
    diff: float
    half_width: float  # NaN when fewer than 2 values on a side
    margin: float  # the practical margin rel * |old| + abs
    method: str  # paired | welch | constant | undefined
    is_drift: bool

    @property
    def rel_diff(self) -> float:
        if self.old_mean == 0:
            return 0.0 if self.diff == 0 else math.copysign(math.inf, self.diff)
        return self.diff / abs(self.old_mean)


def membership(old: Values, new: Values) -> tuple[list[KpiKey], list[KpiKey]]:
    """KPIs the new run no longer has (missing) and KPIs it has in addition (new), sorted."""
    return sorted(set(old) - set(new)), sorted(set(new) - set(old))


def exact_mismatches(
    old: Values, new: Values, rel: float = 1e-9, abs_tol: float = 1e-12
) -> list[ExactMismatch]:
    """KPIs (present in both) whose per-replication values are not the same to ``rel``."""
    out = []
    for key in sorted(set(old) & set(new)):
        a, b = np.asarray(old[key], dtype=float), np.asarray(new[key], dtype=float)
        if a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=abs_tol, equal_nan=True):
            continue
        out.append(ExactMismatch(key, _nanmean(a), _nanmean(b), _max_rel_diff(a, b)))
    return out


def compare_statistical(
    old: Values, new: Values, tolerance: BaselineTolerance, is_paired: bool
) -> list[KpiDifference]:
    """The difference of every KPI present in both runs, with its drift verdict."""
    keys = sorted(set(old) & set(new))
    varying = sum(1 for key in keys if _varies(old[key]) or _varies(new[key]))
    per_kpi_alpha = tolerance.alpha / max(varying, 1)
    return [
        _difference(
            key,
            np.asarray(old[key], dtype=float),
            np.asarray(new[key], dtype=float),
            tolerance,
            per_kpi_alpha,
            is_paired,
        )
        for key in keys
    ]


def _difference(
    key: KpiKey,
    old: np.ndarray,
    new: np.ndarray,
    tolerance: BaselineTolerance,
    alpha: float,
    is_paired: bool,
) -> KpiDifference:
    a, b = old[~np.isnan(old)], new[~np.isnan(new)]
    old_mean, new_mean = _nanmean(a), _nanmean(b)
    if a.size == 0 or b.size == 0:
        # Undefined on one side only (e.g. a wait with no waiting shopper any more) is drift.
        is_drift = a.size != b.size
        return KpiDifference(
            key, old_mean, new_mean, math.nan, math.nan, math.nan, "undefined", is_drift
        )
    margin = tolerance.rel * abs(old_mean) + tolerance.abs
    if is_paired and old.shape == new.shape:
        both = ~np.isnan(old) & ~np.isnan(new)
        diff, half, method = _paired(new[both] - old[both], alpha)
        diff = new_mean - old_mean  # report the difference of the means over all replications
    else:
        diff, half, method = _welch(a, b, alpha)
    # Too few values for a variance: only the practical margin decides.
    noise = 0.0 if math.isnan(half) else half
    is_drift = abs(diff) > max(noise, margin)
    return KpiDifference(key, old_mean, new_mean, diff, half, margin, method, is_drift)


def _paired(d: np.ndarray, alpha: float) -> tuple[float, float, str]:
    n = d.size
    if n < 2:
        return (float(d.mean()) if n else math.nan), math.nan, "paired"
    sd = float(d.std(ddof=1))
    if sd == 0:
        return float(d.mean()), 0.0, "constant"
    t = float(t_quantile(1 - alpha / 2, n - 1))
    return float(d.mean()), t * sd / math.sqrt(n), "paired"


def _welch(a: np.ndarray, b: np.ndarray, alpha: float) -> tuple[float, float, str]:
    diff = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return diff, math.nan, "welch"
    va, vb = float(a.var(ddof=1)) / a.size, float(b.var(ddof=1)) / b.size
    se2 = va + vb
    if se2 == 0:
        return diff, 0.0, "constant"
    df = se2**2 / ((va**2 / (a.size - 1) if va else 0.0) + (vb**2 / (b.size - 1) if vb else 0.0))
    t = float(t_quantile(1 - alpha / 2, df))
    return diff, t * math.sqrt(se2), "welch"


def _varies(values: np.ndarray) -> bool:
    finite = np.asarray(values, dtype=float)
    finite = finite[~np.isnan(finite)]
    return finite.size > 1 and bool(np.ptp(finite) > 0)


def _nanmean(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if finite.size else math.nan


def _max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(b - a) / np.maximum(np.abs(a), np.abs(b))
    rel = np.where(np.isnan(a) & np.isnan(b), 0.0, rel)
    rel = np.where(np.isnan(a) ^ np.isnan(b), np.inf, rel)
    rel = np.where((a == b), 0.0, rel)
    return float(np.max(rel)) if rel.size else 0.0
