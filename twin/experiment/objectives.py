"""The values a job hands to an optimising sweeper (Optuna): ``experiment.objectives``.

Each objective is ``"kpi:stat"`` read from the run's summary at the network level (region
``all``, or the only region; store ``all``), as the mean over replications.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from twin.errors import ConfigError


def objective_values(
    objectives: Sequence[str], summary: pd.DataFrame
) -> float | tuple[float, ...] | None:
    """None without objectives, one float for one, a tuple for several (multi-objective)."""
    if not objectives:
        return None
    rows = summary[summary["store"] == "all"]
    regions = set(rows["region"])
    rows = rows[rows["region"] == ("all" if "all" in regions else min(regions, default=""))]
    values = []
    for index, objective in enumerate(objectives):
        kpi, _, stat = objective.partition(":")
        match = rows[(rows["kpi"] == kpi) & (rows["stat"] == stat)]
        if match.empty:
            raise ConfigError(
                f"experiment.objectives[{index}]",
                objective,
                "a kpi:stat the run reports at the network level",
            )
        values.append(float(match["mean"].iloc[0]))
    if any(math.isnan(v) for v in values):
        return None  # the sweeper records a failed trial rather than optimising on NaN
    return values[0] if len(values) == 1 else tuple(values)
