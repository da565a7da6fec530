"""The network's series are the sums of the regions' series (twin.model.network_series)."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import twin
from twin.domain.registry import FORMATS, KPI_DOMAINS, KpiPart
from twin.kpi.catalog import KpiRows
from twin.kpi.columns import StackedColumns
from twin.model import ALL, _scope, network_series, planned_region, run_region, window_of
from twin.network.build import build_network

pytestmark = pytest.mark.unit


def test_summed_region_series_equal_the_series_of_the_pooled_logs() -> None:
    """Every domain's series (counts per bin, levels' time averages per bin) adds over
    stores: the regions' sum is the series of all their logs pooled, to rounding."""
    config = twin.load_config(
        ["network=national", "network.n_regions=3", "run.warmup_s=7200", "run.workers=1"]
    )
    network = build_network(config.network, FORMATS.keys())
    regions = [planned_region(config, region) for region in network.regions[:3]]
    results = [run_region(config, region, 0, keep_logs=True) for region in regions]
    pooled: dict[str, list[object]] = {}
    for result in results:
        for domain, logs in result.logs.items():
            pooled.setdefault(domain, []).extend(logs)
    expected: list[tuple[str, str, str, np.ndarray, str]] = []
    for domain, logs in pooled.items():
        merged = {domain: KPI_DOMAINS[domain].concat(logs)}
        _scope(config, ALL, ALL, merged, window_of(config), [], expected)

    summed = network_series(results)

    assert [row[2] for row in summed] == [row[2] for row in expected]
    assert {row[2] for row in summed} >= {"arrivals_n", "occupancy", "checkout_queue_len"}
    assert {row[2] for row in summed} >= {"orders_n", "picking_queue_len", "lockers_occupied"}
    for got, want in zip(summed, expected, strict=True):
        assert got[:3] == want[:3] and got[4] == want[4]
        np.testing.assert_allclose(got[3], want[3], rtol=1e-7, atol=1e-9, err_msg=got[2])
    # and not a sum that holds whatever the regions are: one region's series is smaller
    arrivals = next(values for _, _, name, values, _ in summed if name == "arrivals_n")
    first = next(v for _, s, n, v, _ in results[0].series if s == ALL and n == "arrivals_n")
    assert arrivals.sum() > first.sum() > 0


def test_a_domains_kpi_parts_one_after_another_are_its_kpis() -> None:
    """The network's rows run a domain's KPI parts side by side (KpiDomain.parts): together,
    in order, they are the domain's KPIs, on each store's log and on the pooled ones."""
    config = twin.load_config(["network=national", "network.n_regions=2", "run.warmup_s=7200"])
    network = build_network(config.network, FORMATS.keys())
    regions = [planned_region(config, region) for region in network.regions[:2]]
    results = [run_region(config, region, 0, keep_logs=True) for region in regions]
    split = {name: spec for name, spec in KPI_DOMAINS.items() if spec.parts}
    assert set(split) >= {"store", "checkout", "coldchain"}
    for name, spec in split.items():
        logs = [log for result in results for log in result.logs[name]]
        for log in [*logs[:3], spec.concat(logs)]:
            whole, parted = KpiRows(), KpiRows()
            spec.kpis(whole, log, window_of(config))
            for part in spec.parts:
                part(parted, log, window_of(config))
            assert len(whole.rows) > 4 and len(parted.rows) == len(whole.rows)
            for got, want in zip(parted.rows, whole.rows, strict=True):  # NaN equal to NaN
                assert got[::3] == want[::3] and got[1] == want[1]
                np.testing.assert_array_equal(got[2], want[2])


def test_the_cold_chains_items_read_column_by_column_give_the_stacked_tables_kpis() -> None:
    """The network's cold-chain items are stacked a column at a time as the KPI parts read
    them (twin.kpi.columns.StackedColumns), on two threads: the rows of the whole table
    stacked at once, the same floats."""
    config = twin.load_config(["network=national", "network.n_regions=2", "run.warmup_s=7200"])
    network = build_network(config.network, FORMATS.keys())
    regions = [planned_region(config, region) for region in network.regions[:2]]
    results = [run_region(config, region, 0, keep_logs=True) for region in regions]
    spec = KPI_DOMAINS["coldchain"]
    window = window_of(config)
    logs = [spec.trim(log, window) for result in results for log in result.logs["coldchain"]]
    pooled = spec.concat(logs)
    assert isinstance(pooled.items, StackedColumns)
    stacked = dataclasses.replace(pooled, items=np.vstack([log.items for log in logs]))
    with ThreadPoolExecutor(2) as pool:  # the parts side by side, as the network's rows run
        done = [pool.submit(_rows_of, part, pooled, window) for part in spec.parts]
        by_columns = [row for part in done for row in part.result()]
    whole = KpiRows()
    spec.kpis(whole, stacked, window)
    assert len(whole.rows) > 10 and len(by_columns) == len(whole.rows)
    for got, want in zip(by_columns, whole.rows, strict=True):
        assert got[::3] == want[::3] and got[1] == want[1]
        np.testing.assert_array_equal(got[2], want[2])


def _rows_of(part: KpiPart, log: Any, window: tuple[float, float]) -> list[Any]:
    rows = KpiRows()
    part(rows, log, window)
    return rows.rows
