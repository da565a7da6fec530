"""``plan.parquet``: the operations plan of a run as a tidy table (docs/CONTRACTS.md).

One row per (replication, store, resource, weekday, hour) with the planned ``level``. The plan
comes from expected load only, so every replication has the same rows; the table repeats them
per replication so a reader can join it with kpis.parquet on ``replication``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.network.regions import Network
from twin.run_files import PLAN


def plan_frame(network: Network, replications: int) -> pd.DataFrame:
    """The plan of every planned region of ``network`` for replications 0..n-1."""
    rows = [
        row for region in network.regions if region.plan is not None for row in region.plan.rows()
    ]
    if not rows:
        return PLAN.empty()
    stores, resources, weekdays, hours, levels = zip(*rows, strict=True)
    n = len(rows)
    return pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications, dtype=np.int64), n),
            "store": np.tile(np.array(stores, dtype=object), replications),
            "resource": np.tile(np.array(resources, dtype=object), replications),
            "weekday": np.tile(np.array(weekdays, dtype=np.int64), replications),
            "hour": np.tile(np.array(hours, dtype=np.int64), replications),
            "level": np.tile(np.array(levels, dtype=np.float64), replications),
        },
        columns=list(PLAN.columns),
    )
