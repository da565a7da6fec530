"""Same config and seed give identical KPI tables, serially and in parallel processes."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import twin
from twin.domain.registry import KPI_DOMAINS, whole_log

pytestmark = pytest.mark.unit

SMALL_METRO = [
    "network=metro",
    "network.n_stores=3",
    "network.n_zones=6",
    "network.n_regions=2",
    "run.replications=3",
    "demand.daily_shoppers_per_store=400",
]


def test_serial_and_parallel_runs_are_identical() -> None:
    serial = twin.simulate(twin.load_config([*SMALL_METRO, "run.workers=1"]))
    parallel = twin.simulate(twin.load_config([*SMALL_METRO, "run.workers=2"]))
    pd.testing.assert_frame_equal(serial.kpis, parallel.kpis)
    pd.testing.assert_frame_equal(serial.timeseries, parallel.timeseries)
    assert set(serial.kpis["region"]) == {"R1", "R2", "all"}


def test_another_seed_gives_other_numbers() -> None:
    a = twin.simulate(twin.load_config(["network=single_store"]))
    b = twin.simulate(twin.load_config(["network=single_store", "run.seed=99"]))
    assert not a.kpis["value"].equals(b.kpis["value"])


def test_common_random_numbers_same_shoppers_across_scenarios() -> None:
    """More lanes change waits but not who arrives or what they buy."""
    a = twin.simulate(twin.load_config(["network=single_store"]))
    b = twin.simulate(
        twin.load_config(["network=single_store", "formats.grocery.checkout.lanes=3"])
    )
    pick = lambda r, k, s: r.kpis.query("kpi == @k and stat == @s and store == 'all'")["value"]  # noqa: E731
    assert (
        pick(a, "store.shoppers_n", "total").tolist()
        == pick(b, "store.shoppers_n", "total").tolist()
    )
    assert (
        pick(a, "checkout.wait_s", "mean").tolist() != pick(b, "checkout.wait_s", "mean").tolist()
    )


def test_trimmed_logs_give_the_same_network_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regions hand over only what the window's KPIs read (KpiDomain.trim): same numbers."""
    overrides = [
        "network=national",
        "network.n_regions=2",
        "run.warmup_s=7200",
        "run.workers=2",  # network rows on two threads
    ]
    trimmed = twin.simulate(twin.load_config(overrides))
    for name, domain in list(KPI_DOMAINS.items()):
        monkeypatch.setitem(KPI_DOMAINS, name, dataclasses.replace(domain, trim=whole_log))
    whole = twin.simulate(twin.load_config([*overrides, "run.workers=1"]))
    assert (KPI_DOMAINS["coldchain"].trim is whole_log) and len(trimmed.kpis) > 1000
    network = trimmed.kpis.query("region == 'all'")
    assert set(network["kpi"].str.split(".").str[0]) >= {"coldchain", "store", "checkout"}
    pd.testing.assert_frame_equal(trimmed.kpis, whole.kpis)
    pd.testing.assert_frame_equal(trimmed.timeseries, whole.timeseries)
