"""Store occupancy: Little's law L = lambda W, and M/G/inf with no checkout waits."""

from __future__ import annotations

import numpy as np
import pytest

import twin
from tests.support import PLANNER_FIXED, kpi_values, poisson_store_overrides
from twin.kpi.stats import t_interval

pytestmark = pytest.mark.analytic

G = "formats.grocery.checkout"


def _mginf_config(arrivals_per_h: float) -> twin.TwinConfig:
    # 10 units per basket, browse lognormal 600 s + 30 s/unit, service 28 + 30 s, many lanes
    return twin.load_config(
        [
            *poisson_store_overrides(arrivals_per_h, replications=10),
            "demand.basket.quick_share=1",
            "demand.basket.quick_units={kind:fixed,mean:10}",
            "demand.browse_fixed_s={kind:lognormal,mean:600,cv:0.5}",
            "demand.browse_per_item_s={kind:fixed,mean:30}",
            f"{G}.lanes=60",
            f"{G}.sco_kiosks=0",
            f"{G}.staffed.fixed_s={{kind:fixed,mean:0}}",
            f"{G}.staffed.per_item_s={{kind:gamma,mean:2.8,cv:0.3}}",
            f"{G}.staffed.payment_s={{kind:gamma,mean:30,cv:0.3}}",
        ]
    )


def test_occupancy_matches_mginf_mean() -> None:
    arrivals_per_h = 60.0
    result = twin.simulate(_mginf_config(arrivals_per_h))
    mean_time_s = 600 + 30 * 10 + 2.8 * 10 + 30
    theory = arrivals_per_h / 3600 * mean_time_s
    occupancy, half_width = t_interval(kpi_values(result, "store.occupancy_n").to_numpy())
    assert abs(occupancy - theory) <= half_width, (occupancy, half_width, theory)
    waits = kpi_values(result, "checkout.wait_s", "max").to_numpy()
    assert np.all(waits == 0.0)  # 60 lanes: nobody waits, so the store is M/G/inf


def test_littles_law_per_replication() -> None:
    """L = lambda W on each sample path (the default store: queues, balking, reneging on)."""
    cfg = twin.load_config(["network=single_store", *PLANNER_FIXED, "run.replications=5"])
    result = twin.simulate(cfg)
    occupancy = kpi_values(result, "store.occupancy_n").to_numpy()
    time_in_store = kpi_values(result, "store.time_in_store_s").to_numpy()
    shoppers = kpi_values(result, "store.shoppers_n", "total").to_numpy()
    little = shoppers / 86400.0 * time_in_store
    np.testing.assert_allclose(occupancy, little, rtol=0.01)
