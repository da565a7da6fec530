"""Sequential replications: add replications until one KPI is estimated precisely enough.

After the first ``run.replications``, the relative 95% half-width (half-width / |mean|) of
``run.precision.kpi``/``stat`` at the network level is compared with the target; while it is
too wide, more replications are run: as many as the usual n * (current / target)^2 estimate
asks for, at least one, never past ``max_replications``. Replication numbers continue where
they stopped, so a run with precision is a prefix-extension of the same seeds (its first n
replications are exactly those of a plain n-replication run).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twin.config.experiment import PrecisionConfig
from twin.config.schema import TwinConfig
from twin.errors import ConfigError
from twin.kpi.catalog import CATALOG
from twin.kpi.stats import t_interval
from twin.model import ALL, RegionResult

RunMore = Callable[[range], list[RegionResult]]  # replications -> their region results


@dataclass(frozen=True)
class PrecisionState:
    """Where the sequential procedure stands after ``n_reps`` replications."""

    n_reps: int
    mean: float
    half_width: float

    @property
    def relative_half_width(self) -> float:
        if math.isnan(self.half_width):
            return math.inf
        if self.mean == 0.0:
            return 0.0 if self.half_width == 0.0 else math.inf
        return self.half_width / abs(self.mean)


def check_target(precision: PrecisionConfig, key: str = "run.precision") -> None:
    """Fail before time 0 when the target KPI is not one the twin reports."""
    if precision.kpi and precision.kpi not in CATALOG:
        known = ", ".join(sorted(CATALOG)) or "(none registered)"
        raise ConfigError(f"{key}.kpi", precision.kpi, f"a KPI name, one of: {known}")


def extend_to_precision(
    config: TwinConfig, results: list[RegionResult], run_more: RunMore
) -> list[RegionResult]:
    """``results`` plus more replications until the precision target of ``config`` is met."""
    precision = config.run.precision
    if not precision.kpi:
        return results
    results = list(results)
    n_reps = config.run.replications
    state = precision_state(precision, results)
    while state.relative_half_width > precision.relative_half_width:
        if n_reps >= precision.max_replications:
            warnings.warn(
                f"run.precision: {precision.kpi} {precision.stat} has a relative 95% "
                f"half-width of {state.relative_half_width:.1%} after {n_reps} replications "
                f"(target {precision.relative_half_width:.1%}); raise "
                "run.precision.max_replications for a tighter estimate.",
                RuntimeWarning,
                stacklevel=2,
            )
            break
        target_n = next_replications(
            state, precision.relative_half_width, n_reps, precision.max_replications
        )
        results.extend(run_more(range(n_reps, target_n)))
        n_reps = target_n
        state = precision_state(precision, results)
    return results


def next_replications(state: PrecisionState, target: float, n_reps: int, maximum: int) -> int:
    """How many replications in all the next round should reach (at least one more)."""
    ratio = state.relative_half_width / target
    wanted = n_reps * ratio * ratio if math.isfinite(ratio) else 2 * n_reps
    return int(min(maximum, max(n_reps + 1, math.ceil(wanted))))


def precision_state(precision: PrecisionConfig, results: list[RegionResult]) -> PrecisionState:
    """Mean and half-width over replications of the target KPI at the network level."""
    regions = {result.region for result in results}
    scope = ALL if ALL in regions else min(regions)
    per_replication: dict[int, float] = {}
    for result in results:
        if result.region != scope:
            continue
        for region, store, kpi, stat, value, _unit in result.rows:
            if (
                kpi == precision.kpi
                and stat == precision.stat
                and store == precision.store
                and region == scope
            ):
                per_replication[result.replication] = value
    if not per_replication:
        raise ConfigError(
            "run.precision",
            f"{precision.kpi}:{precision.stat}@{precision.store}",
            "a KPI, statistic and store the run reports at the network level",
        )
    mean, half_width = t_interval(np.array(list(per_replication.values()), dtype=float))
    return PrecisionState(len(per_replication), mean, half_width)
