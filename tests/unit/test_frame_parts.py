"""A task builds its KPI and series table parts where it runs; the tables after the last task
join them (twin.experiment.frames.with_frame_parts): the same tables as built from the rows."""

from __future__ import annotations

import copy
from functools import partial

import pandas as pd
import pytest

import twin
from twin.domain.registry import FORMATS
from twin.experiment import frames
from twin.experiment.frames import kpi_frame, series_frame, summary_frame, with_frame_parts
from twin.experiment.replications import _run_task
from twin.model import RegionResult, network_rows, planned_region, run_region, window_of
from twin.network.build import build_network
from twin.run_files import KPIS, TIMESERIES, summarise

pytestmark = pytest.mark.unit


def test_joined_parts_are_the_tables_built_from_the_rows() -> None:
    config = twin.load_config(
        ["network=national", "network.n_regions=3", "run.warmup_s=7200", "run.workers=1"]
    )
    network = build_network(config.network, FORMATS.keys())
    regions = [planned_region(config, region) for region in network.regions[:3]]
    window_start_s, bin_s = window_of(config)[0], config.run.bin_s
    plain = [
        run_region(config, region, rep, keep_logs=True) for rep in (0, 1) for region in regions
    ]
    plain.insert(3, network_rows(config, plain[:3]))  # the network's rows: no parts
    plain.append(RegionResult("R9", 1, [], []))  # a result with no rows and no series
    parted = [copy.copy(result) for result in plain]
    for result in parted[:3] + parted[4:]:
        with_frame_parts(result, window_start_s, bin_s)
    assert all(r.kpi_part is not None for r in parted[:3]) and parted[3].kpi_part is None

    kpis = kpi_frame("s", parted)
    series = series_frame("s", parted, window_start_s, bin_s)

    pd.testing.assert_frame_equal(kpis, kpi_frame("s", plain), check_exact=True)
    pd.testing.assert_frame_equal(
        series, series_frame("s", plain, window_start_s, bin_s), check_exact=True
    )
    # and as one frame of every row at once (how the tables were built before the parts)
    every_row = [(r.replication, *row) for r in plain for row in r.rows]
    whole = pd.DataFrame.from_records(every_row, columns=list(KPIS.columns[1:]))
    whole.insert(0, "scenario", "s")
    pd.testing.assert_frame_equal(kpis, whole.astype({"value": "float64"}), check_exact=True)
    every_bin = [
        (r.replication, region, store, name, window_start_s + bin_s * k, value, unit)
        for r in plain
        for region, store, name, values, unit in r.series
        for k, value in enumerate(values.tolist())
    ]
    whole = pd.DataFrame.from_records(every_bin, columns=list(TIMESERIES.columns[1:]))
    whole.insert(0, "scenario", "s")
    pd.testing.assert_frame_equal(series, whole, check_exact=True)


def test_no_rows_and_no_series_give_the_empty_tables() -> None:
    empty = [with_frame_parts(RegionResult("R1", 0, [], []), 0.0, 900.0)]
    assert kpi_frame("s", empty).empty and series_frame("s", empty, 0.0, 900.0).empty
    assert list(series_frame("s", empty, 0.0, 900.0).columns) == list(
        series_frame("s", [], 0.0, 900.0).columns
    )


def test_summary_parts_joined_are_the_summary_of_a_run_of_one_replication(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One replication: each task summarises its own rows (the network's rows are summarised
    after the last task) and the joined parts are the summary of the whole KPI table, row for
    row. Two replications of a region: the summary needs both, so it is built from the table."""
    config = twin.load_config(
        ["network=national", "network.n_regions=3", "network.n_stores=4", "run.workers=1"]
    )
    network = build_network(config.network, FORMATS.keys())
    regions = [planned_region(config, region) for region in network.regions[:3]]
    window_start_s, bin_s = window_of(config)[0], config.run.bin_s
    for replications in (1, 2):
        results = [
            run_region(config, region, rep, keep_logs=True)
            for rep in range(replications)
            for region in regions
        ]
        results.append(network_rows(config, results[-3:]))  # no summary part: built here
        for result in results[:-1]:
            with_frame_parts(result, window_start_s, bin_s, "s")
        assert all(r.summary_part is not None for r in results[:-1])
        kpis = kpi_frame("s", results)
        summarised: list[int] = []  # the rows of every frame summary_frame summarised
        monkeypatch.setattr(frames, "summarise", partial(_counted, summarised))
        joined = summary_frame(kpis, scenario="s", results=results)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(joined, summarise(kpis), check_exact=True)
        # one replication: only the network's rows summarised here; two: the whole table
        assert summarised == ([len(results[-1].rows)] if replications == 1 else [len(kpis)])
        assert joined["n_reps"].max() == replications  # two: rows of two results each
    # a confidence other than the parts' 95 %: from the table
    narrow = summary_frame(kpis, scenario="s", results=results, confidence=0.8)
    pd.testing.assert_frame_equal(narrow, summarise(kpis, 0.8), check_exact=True)


@pytest.mark.parametrize("precision", [False, True])
def test_a_task_summarises_its_rows_only_when_the_run_keeps_one_replication(
    precision: bool,
) -> None:
    """``run.precision`` may add replications after the tasks ran: then no task summarises."""
    overrides = ["network=single_store", "run.warmup_s=7200"]
    if precision:
        overrides.append("run.precision.kpi=store.time_in_store_s")
    config = twin.load_config(overrides)
    region = build_network(config.network, FORMATS.keys()).regions[0]
    result = _run_task((config, region, 0, False, ("elsewhere", 0), None))
    assert result.kpi_part is not None
    if precision:
        assert result.summary_part is None
    else:
        pd.testing.assert_frame_equal(
            result.summary_part, summarise(kpi_frame("default", [result])), check_exact=True
        )


def _counted(lengths: list[int], frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    lengths.append(len(frame))
    return summarise(frame, confidence)
