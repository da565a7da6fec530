"""Regions of one run fan out to an existing distributed engine, with identical results."""

from __future__ import annotations

import importlib.util
import os

import pandas as pd
import pytest

import twin

pytestmark = pytest.mark.e2e

SMALL = [
    "network=metro",
    "network.n_stores=2",
    "network.n_zones=4",
    "network.n_regions=3",
    "demand.daily_shoppers_per_store=300",
    "run.replications=2",
]


@pytest.fixture(scope="module")
def serial() -> twin.SimulationResult:
    return twin.simulate(twin.load_config(SMALL))


def test_dask_local_cluster_gives_the_serial_kpis(serial: twin.SimulationResult) -> None:
    pytest.importorskip("dask.distributed")
    result = twin.simulate(twin.load_config([*SMALL, "run.executor=dask", "run.workers=2"]))
    pd.testing.assert_frame_equal(result.kpis, serial.kpis)
    pd.testing.assert_frame_equal(result.timeseries, serial.timeseries)


@pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="ray is an optional extra (pip install 'twin[ray]')",
)
def test_ray_local_gives_the_serial_kpis(serial: twin.SimulationResult) -> None:
    result = twin.simulate(twin.load_config([*SMALL, "run.executor=ray", "run.workers=2"]))
    pd.testing.assert_frame_equal(result.kpis, serial.kpis)


# The national network's own regions (12 stores of every format, online orders, fleets, cold
# chain), 3 of its 42, over 2 days: as much of the national week as the suite can afford.
NATIONAL_SLICE = ["network=national", "network.n_regions=3", "run.days=2"]


@pytest.fixture(scope="module")
def national_local() -> twin.SimulationResult:
    return twin.simulate(twin.load_config([*NATIONAL_SLICE, "run.workers=2"]))


def test_national_regions_over_days_give_the_local_kpis_on_dask(
    national_local: twin.SimulationResult,
) -> None:
    """Ray is checked on the small network above: its start-up (~20 s) is the costly part."""
    pytest.importorskip("dask.distributed")
    overrides = [*NATIONAL_SLICE, "run.executor=dask", "run.workers=2"]
    result = twin.simulate(twin.load_config(overrides))
    kpis = national_local.kpis
    assert {
        "orders.n",
        "coldchain.spoiled_frac",
        "delivery.on_time_frac",
        "jwo.gate_wait_s",
    } <= set(kpis["kpi"])
    assert set(kpis["region"]) == {"R1", "R2", "R3", "all"} and kpis["store"].nunique() == 37
    pd.testing.assert_frame_equal(result.kpis, kpis)
    pd.testing.assert_frame_equal(result.timeseries, national_local.timeseries)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("TWIN_NATIONAL_WEEK") != "1",
    reason="the whole national week (~5 min CPU x 2): set TWIN_NATIONAL_WEEK=1 to run it",
)
def test_the_national_week_gives_the_local_kpis_on_dask() -> None:
    """504 stores x 7 days, local processes against a local Dask cluster (issue 21 item 5)."""
    week = ["network=national", "run.days=7", "run.workers=2"]
    local = twin.simulate(twin.load_config(week))
    cluster = twin.simulate(twin.load_config([*week, "run.executor=dask"]))
    assert local.kpis["store"].nunique() == 505  # 504 stores and "all"
    pd.testing.assert_frame_equal(cluster.kpis, local.kpis)
    pd.testing.assert_frame_equal(cluster.timeseries, local.timeseries)


def test_unknown_executor_is_a_config_error() -> None:
    with pytest.raises(twin.ConfigError, match=r"run\.executor = 'spark'; expected one of process"):
        twin.load_config(["run.executor=spark"])
