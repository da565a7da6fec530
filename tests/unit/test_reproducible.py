"""Same config and seed give identical KPI tables, serially and in parallel processes."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import twin
from twin.domain.registry import FORMATS, KPI_DOMAINS, whole_log
from twin.experiment.executors import EXECUTORS
from twin.experiment.replications import run_replications
from twin.network.build import build_network

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


def test_heaviest_regions_run_first_and_results_keep_task_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regions with the most expected shoppers start first (workers then finish together)."""
    config = twin.load_config(
        ["network=national", "network.n_regions=4", "run.replications=1", "orders.enabled=false"]
    )
    network = build_network(config.network, FORMATS.keys())
    started: list[str] = []

    def record(function, tasks, workers, address, progress):  # type: ignore[no-untyped-def]
        started.extend(task[1].name for task in tasks)
        return [function(task) for task in tasks]

    monkeypatch.setitem(EXECUTORS, "process", record)
    results = run_replications(config, network, range(1))
    scale = {name: getattr(config.formats, name).demand_scale for name in FORMATS}
    weight = {
        region.name: sum(scale[store.format] for store in region.stores)
        for region in network.regions
    }
    assert [weight[name] for name in started] == sorted(weight.values(), reverse=True)
    assert started != [region.name for region in network.regions]  # this network: reordered
    assert [result.region for result in results] == [r.name for r in network.regions] + ["all"]
