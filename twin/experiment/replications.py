"""Run every (replication, region) of a scenario: serially, in processes, or on a cluster.

Results are identical either way: each task draws only from its own named streams, and
results are put back in task order.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from twin.config.schema import TwinConfig
from twin.domain.registry import FORMATS
from twin.experiment.executors import EXECUTORS
from twin.experiment.frames import (
    kpi_frame,
    record_frames,
    series_frame,
    summary_frame,
    with_frame_parts,
)
from twin.experiment.precision import check_target, extend_to_precision
from twin.model import RegionResult, network_rows, planned_region, run_region, window_of
from twin.network.build import Network, Region, build_network
from twin.plan.plan import PlanInputs, check_overrides, plan_inputs, with_plans

Progress = Callable[[int, int], None]  # (tasks done, tasks in all)


@dataclass
class SimulationResult:
    """KPI tables of one scenario over all its replications and regions."""

    config: TwinConfig
    network: Network
    kpis: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    wall_time_s: float
    records: dict[str, pd.DataFrame] = field(default_factory=dict)  # run.records only


def simulate(
    config: TwinConfig, network: Network | None = None, progress: Progress | None = None
) -> SimulationResult:
    """Simulate ``config``: all replications, all regions; KPIs as tidy DataFrames.

    >>> import twin
    >>> result = twin.simulate(twin.load_config(["network=single_store"]))  # doctest: +SKIP
    """
    started = time.perf_counter()
    check_target(config.run.precision)
    built = build_network(config.network, FORMATS.keys()) if network is None else network
    check_overrides(config, built)  # before time 0; each task plans its own region
    results = run_replications(config, built, range(config.run.replications), progress)
    results = extend_to_precision(  # a no-op unless run.precision.kpi is set
        config, results, lambda reps: run_replications(config, built, reps, progress)
    )
    # the plans the tasks made, attached for plan.parquet; shortfalls warned about here
    planned = with_plans(built, {r.region: r.plan for r in results if r.plan is not None})
    return assemble(config, planned, results, time.perf_counter() - started)


def run_replications(
    config: TwinConfig, network: Network, replications: range, progress: Progress | None = None
) -> list[RegionResult]:
    """Region results of the given replications, with network-wide rows when there are regions."""
    keep_logs = len(network.regions) > 1
    here = _this_process()  # a task run in this process keeps its hand-over: tidy the heap
    unplanned = any(region.plan is None for region in network.regions)
    inputs = plan_inputs(config, network) if unplanned else None  # shared by the tasks' plans
    tasks = [
        (config, region, rep, keep_logs, here, inputs)
        for rep in replications
        for region in network.regions
    ]
    run_tasks = EXECUTORS[config.run.executor]
    order = heaviest_first(config, [task[1] for task in tasks])
    done = run_tasks(
        _run_task,
        [tasks[i] for i in order],
        config.run.workers,
        config.run.executor_address,
        progress,
    )
    by_task = dict(zip(order, done, strict=True))
    region_results = [by_task[index] for index in range(len(tasks))]  # back in task order
    if not keep_logs:
        return region_results
    out: list[RegionResult] = []
    per_rep = len(network.regions)
    for start in range(0, len(region_results), per_rep):
        chunk = region_results[start : start + per_rep]
        out.extend(chunk)
        out.append(network_rows(config, chunk))  # takes (and frees) the chunk's logs
    return out


def assemble(
    config: TwinConfig, network: Network, results: list[RegionResult], wall_time_s: float
) -> SimulationResult:
    scenario = config.run.scenario
    kpis = kpi_frame(scenario, results)
    window_start, _ = window_of(config)
    series = series_frame(scenario, results, window_start, config.run.bin_s)
    records = (
        record_frames(scenario, results, config.run.start_weekday) if config.run.records else {}
    )
    summary = summary_frame(kpis, scenario=scenario, results=results)
    return SimulationResult(config, network, kpis, series, summary, wall_time_s, records)


def heaviest_first(config: TwinConfig, regions: list[Region]) -> list[int]:
    """Task indices, the regions with the most expected walk-in shoppers first.

    A rough cost estimate (a region's time follows its shoppers, correlation ~0.8 on the
    national network), enough that the last tasks to start are short ones and the workers
    finish together instead of one waiting on a large region started late.
    """
    scale = {name: getattr(config.formats, name).demand_scale for name in FORMATS}
    weight = [sum(scale[store.format] for store in region.stores) for region in regions]
    return sorted(range(len(regions)), key=lambda i: -weight[i])


def _this_process() -> tuple[str, int]:
    """(host, process id): a cluster worker elsewhere may have this process's id."""
    return socket.gethostname(), os.getpid()


Task = tuple[TwinConfig, Region, int, bool, tuple[str, int], PlanInputs | None]


def _run_task(task: Task) -> RegionResult:
    """One (replication, region): its travel tables and plan (unless the region has them),
    then the simulation; the result carries the plan it made back to the parent."""
    config, region, replication, keep_logs, holder, inputs = task
    started = time.time()
    tidy = keep_logs and _this_process() == holder
    planned = region.plan is None
    if planned:
        region = planned_region(config, region, inputs)
    result = run_region(config, region, replication, keep_logs, tidy_heap=tidy)
    if planned:
        result.plan = region.plan
    window_start_s, _ = window_of(config)
    # one replication (and no more added for precision): each task's summary rows are its own
    alone = config.run.replications == 1 and not config.run.precision.kpi
    with_frame_parts(
        result, window_start_s, config.run.bin_s, config.run.scenario if alone else None
    )
    result.timing = (os.getpid(), started, time.time())
    return result
