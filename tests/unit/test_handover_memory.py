"""A region's hand-over to the network rows holds only its own numbers, not the run's tables."""

from __future__ import annotations

import dataclasses
import gc
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest

import twin
import twin.model as model
from twin.core.memory import (
    _huge_page_switch,
    collector_paused,
    ordinary_pages,
    release_free_memory,
)
from twin.domain.registry import FORMATS, KPI_DOMAINS
from twin.domain.stores.store_kpis import StoreLog
from twin.kpi.catalog import KpiRows
from twin.model import owned, run_region
from twin.network.build import build_network

pytestmark = pytest.mark.unit


def test_owned_copies_views_out_of_their_table_and_keeps_the_values() -> None:
    table = np.arange(40.0).reshape(10, 4)
    log = StoreLog(table[:, 0], table[:, 1], table[:, 2], table[:, 3], np.zeros(0))
    kept = owned(log)
    for field in dataclasses.fields(StoreLog):
        before, after = getattr(log, field.name), getattr(kept, field.name)
        np.testing.assert_array_equal(after, before)
        assert after.base is None
    assert log.arrivals_s.base is not None  # the original is left as it was
    assert owned("not a log") == "not a log"


def test_handed_over_logs_own_their_arrays() -> None:
    """Nothing a region hands over keeps a larger buffer of the finished run alive."""
    config = twin.load_config(["network=national", "network.n_regions=1"])
    region = build_network(config.network, FORMATS.keys()).regions[0]
    result = run_region(config, region, 0, keep_logs=True)
    assert {"store", "checkout", "coldchain", "orders"} <= set(result.logs)
    views = [
        f"{domain}.{field.name}"
        for domain, logs in result.logs.items()
        for log in logs
        for field in dataclasses.fields(log)
        if isinstance(value := getattr(log, field.name), np.ndarray) and value.base is not None
    ]
    assert not views, views


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_goes_back_to_the_system_on_linux() -> None:
    assert release_free_memory() is True


def test_only_the_process_keeping_the_hand_overs_tidies_its_heap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Serially the heap is tidied after each region (and once before the network rows); with
    worker processes only the network rows' release runs here, the regions ran elsewhere."""
    overrides = ["network=national", "network.n_regions=2", "orders.enabled=false"]
    calls: list[str] = []
    monkeypatch.setattr(model, "release_free_memory", lambda: calls.append("trim") or True)
    serial = twin.simulate(twin.load_config([*overrides, "run.workers=1"]))
    assert len(calls) == 2 + 1
    calls.clear()
    parallel = twin.simulate(twin.load_config([*overrides, "run.workers=2"]))
    assert len(calls) == 1
    pd.testing.assert_frame_equal(serial.kpis, parallel.kpis)


def test_collector_paused_stops_the_cyclic_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failure inside restores the collector")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # paused before: not switched on by the block's end
    finally:
        gc.enable()


def _huge_pages_on(switch: Any) -> bool:
    state = switch(False)
    switch(state)
    return bool(state)


def test_ordinary_pages_turns_numpys_huge_pages_off_and_back() -> None:
    switch = _huge_page_switch()
    if switch is None:
        pytest.skip("this numpy has no huge-page switch")
    before = switch(True)
    try:
        with ordinary_pages():
            assert not _huge_pages_on(switch)
        assert _huge_pages_on(switch)
        with pytest.raises(RuntimeError), ordinary_pages():
            raise RuntimeError("a failure inside leaves the switch as it was")
        assert _huge_pages_on(switch)
    finally:
        switch(before)


def test_network_rows_pool_the_logs_on_ordinary_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pooled logs are KPI'd on worker threads, where huge pages cost more than the work
    (twin.core.memory.ordinary_pages)."""
    switch = _huge_page_switch()
    if switch is None:
        pytest.skip("this numpy has no huge-page switch")
    config = twin.load_config(
        ["network=national", "network.n_regions=2", "run.warmup_s=7200", "run.workers=2"]
    )
    network = build_network(config.network, FORMATS.keys())
    regions = [model.planned_region(config, region) for region in network.regions[:2]]
    results = [run_region(config, region, 0, keep_logs=True) for region in regions]
    seen: list[bool] = []

    class Watched(KpiRows):  # made for each part of each domain's KPIs, on its thread
        def __init__(self) -> None:
            seen.append(_huge_pages_on(switch))
            super().__init__()

    monkeypatch.setattr(model, "KpiRows", Watched)
    present = list(dict.fromkeys(domain for result in results for domain in result.logs))
    before = switch(True)
    try:
        everywhere = model.network_rows(config, results)
        assert seen and not any(seen)
        assert everywhere.rows and _huge_pages_on(switch)
    finally:
        switch(before)
    # what bench_national schedules on more threads: each domain's CPU times (pooling, then
    # each part of its KPIs), and the threads' wall time
    wall_s, cpu_s = everywhere.domains_s
    parts = [len(KPI_DOMAINS[domain].parts or [None]) for domain in present]
    assert [len(times) for times in cpu_s] == [1 + n for n in parts] and len(seen) == sum(parts)
    assert wall_s > 0 and min(map(min, cpu_s)) >= 0 and sum(map(sum, cpu_s)) > 0
