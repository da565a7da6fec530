"""``plan.parquet``: the operations plan of a run as a tidy table (docs/CONTRACTS.md).

One row per (replication, store, resource, weekday, hour) with the planned ``level``. The plan
comes from expected load only, so every replication has the same rows; the table repeats them
per replication so a reader can join it with kpis.parquet on ``replication``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.network.regions import Network
from twin.plan.load import WEEK
from twin.plan.plan import RESOURCES
from twin.run_files import PLAN


def plan_frame(network: Network, replications: int) -> pd.DataFrame:
    """The plan of every planned region of ``network`` for replications 0..n-1.

    Rows in the order of :meth:`twin.plan.plan.RegionPlan.rows` (store, resource, weekday,
    hour), built a whole week at a time.
    """
    stores: list[str] = []
    resources: list[str] = []
    weeks: list[np.ndarray] = []
    for region in network.regions:
        if region.plan is None:
            continue
        for store_id, plan in region.plan.stores.items():
            for resource in RESOURCES:
                week = plan.levels.get(resource)
                if week is not None:
                    stores.append(store_id)
                    resources.append(resource)
                    weeks.append(np.asarray(week, dtype=np.float64).reshape(WEEK))
    if not weeks:
        return PLAN.empty()
    hours_per_week = WEEK[0] * WEEK[1]
    n = len(weeks) * hours_per_week
    weekday = np.repeat(np.arange(WEEK[0], dtype=np.int64), WEEK[1])
    hour = np.tile(np.arange(WEEK[1], dtype=np.int64), WEEK[0])
    return pd.DataFrame(
        {
            "replication": np.repeat(np.arange(replications, dtype=np.int64), n),
            "store": np.tile(
                np.repeat(np.array(stores, dtype=object), hours_per_week), replications
            ),
            "resource": np.tile(
                np.repeat(np.array(resources, dtype=object), hours_per_week), replications
            ),
            "weekday": np.tile(weekday, len(weeks) * replications),
            "hour": np.tile(hour, len(weeks) * replications),
            "level": np.tile(np.concatenate(weeks).reshape(-1), replications),
        },
        columns=list(PLAN.columns),
    )
