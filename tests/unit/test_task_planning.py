"""Each (replication, region) task computes its region's travel tables and plan: the same
tables and plans as building them up front, the same KPIs, and the shortfalls still warned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import twin
from twin.domain.registry import FORMATS
from twin.experiment.plan_table import plan_frame
from twin.network.build import build_network
from twin.network.tables import travel_tables
from twin.plan.plan import plan_network

pytestmark = pytest.mark.unit

SMALL_METRO = [
    "network=metro",
    "network.n_stores=3",
    "network.n_zones=6",
    "network.n_regions=2",
    "run.replications=2",
    "demand.daily_shoppers_per_store=400",
]


def test_travel_tables_are_computed_on_first_use_and_equal_the_eager_ones() -> None:
    config = twin.load_config(SMALL_METRO)
    region = build_network(config.network, FORMATS.keys()).regions[0]
    assert region.travel is None  # the parent of a parallel run never computes them
    eager = travel_tables(region.graph, [s.id for s in region.stores], [z.id for z in region.zones])
    lazy = region.tables
    assert region.travel is lazy and region.tables is lazy  # once
    for name in ("zone_store_s", "zone_store_km", "zone_store_air_km", "store_store_s"):
        np.testing.assert_array_equal(getattr(lazy, name), getattr(eager, name))
    np.testing.assert_array_equal(lazy.zone_zone_km, eager.zone_zone_km)


@pytest.mark.parametrize("workers", [1, 2])
def test_plans_made_in_the_tasks_equal_the_plans_made_up_front(workers: int) -> None:
    config = twin.load_config([*SMALL_METRO, f"run.workers={workers}"])
    result = twin.simulate(config)
    up_front = plan_network(config, build_network(config.network, FORMATS.keys()))
    assert all(region.plan is not None for region in result.network.regions)
    pd.testing.assert_frame_equal(plan_frame(result.network, 2), plan_frame(up_front, 2))
    # and a network planned up front simulates to the same KPIs
    again = twin.simulate(config, up_front)
    pd.testing.assert_frame_equal(result.kpis, again.kpis)


def test_shortfalls_found_in_the_tasks_are_warned_about() -> None:
    config = twin.load_config([*SMALL_METRO, "planner.pickers.max_pickers=1", "run.workers=2"])
    with pytest.warns(RuntimeWarning, match=r"planner\.pickers\.max_pickers = 1 .*short by"):
        twin.simulate(config)
