"""Regions of one run fan out to an existing distributed engine, with identical results."""

from __future__ import annotations

import importlib.util

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


def test_unknown_executor_is_a_config_error() -> None:
    with pytest.raises(twin.ConfigError, match=r"run\.executor = 'spark'; expected one of process"):
        twin.load_config(["run.executor=spark"])
