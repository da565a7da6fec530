"""Build and run one (scenario, replication, region): a SimPy environment with its stores.

Everything random comes from named streams keyed by (seed, replication, region); everything
the loop needs is precomputed here, before ``env.run``. After the run the sites' logs are
turned into KPI rows and time series (plain tuples; pandas comes later, outside the model).
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

import numpy as np
import simpy

from twin.config.schema import TwinConfig
from twin.core.arrivals import DAY_S
from twin.core.memory import collector_paused, ordinary_pages, release_free_memory
from twin.core.streams import Streams
from twin.domain.records import store_records
from twin.domain.registry import (
    DISPATCHERS,
    FORMATS,
    KPI_DOMAINS,
    RECORD_TABLES,
    REGION_BUILDERS,
    KpiPart,
    Site,
)
from twin.domain.stores.site import StoreContext
from twin.kpi.catalog import KpiRows, Row
from twin.kpi.derived import derived_rows
from twin.network.build import Region
from twin.plan.plan import PlanInputs, RegionPlan, build_plan

ALL = "all"
DRAIN_LIMIT_S = DAY_S  # at most this long past the horizon for the last shoppers to leave
KpiRow = tuple[str, str, str, str, float, str]  # region, store, kpi, stat, value, unit
SeriesRow = tuple[str, str, str, np.ndarray, str]  # region, store, series, values, unit


@dataclass
class RegionResult:
    """What one (replication, region) produced: KPI rows, time series, and raw logs."""

    region: str
    replication: int
    rows: list[KpiRow]
    series: list[SeriesRow]
    # kpi domain -> store logs, trimmed to what the window's KPIs read (KpiDomain.trim)
    logs: dict[str, list[Any]] = field(default_factory=dict)
    # run.records: record table -> [(store, column names, rows)]
    records: dict[str, list[tuple[str, tuple[str, ...], np.ndarray]]] = field(default_factory=dict)
    # run.records: the region's customer zone ids (the orders table's zone is an index into it)
    zone_ids: tuple[str, ...] = ()
    # (process id, start, end) of the task, epoch seconds: benchmarks read busy and idle time
    timing: tuple[int, float, float] = (0, 0.0, 0.0)
    # the region's operations plan when the task made it (twin.plan.plan.with_plans)
    plan: RegionPlan | None = None
    # network rows: the wall seconds of the KPI domains' threads, and each domain's CPU
    # seconds (pooling its logs, then each part of its KPIs, each on its thread): benchmarks
    # schedule the domains on more threads
    domains_s: tuple[float, tuple[tuple[float, ...], ...]] = (0.0, ())
    # the rows and series as the kpi and timeseries tables' parts, when the task built them
    # (twin.experiment.frames.with_frame_parts): DataFrames
    kpi_part: Any = None
    series_part: Any = None
    # the summary table's part, in a run of one replication (frames.summary_frame)
    summary_part: Any = None


def planned_region(config: TwinConfig, region: Region, inputs: PlanInputs | None = None) -> Region:
    """``region`` with its operations plan attached (:func:`twin.plan.plan.build_plan`;
    ``inputs``, from :func:`twin.plan.plan.plan_inputs`, may be shared between regions)."""
    return replace(region, plan=build_plan(config, region, inputs))


def window_of(config: TwinConfig) -> tuple[float, float]:
    """The observation window: warm-up to the end of the horizon."""
    return config.run.warmup_s, config.run.days * DAY_S


def run_region(
    config: TwinConfig,
    region: Region,
    replication: int,
    keep_logs: bool = False,
    tidy_heap: bool = False,
) -> RegionResult:
    """Simulate one region for one replication and summarise it.

    ``tidy_heap``: this process keeps the results of region after region (a serial run of a
    network); then the finished run's reference cycles are collected and its freed heap given
    back to the system before the next region, so the process holds the hand-overs and not
    every run's garbage (national day at 1 worker: peak 1,218 -> 708 MB, ~10 % more CPU). A
    worker process sends its results away and reuses its heap, so it skips this.
    """
    # Building and running allocate many small objects but make no reference cycles worth
    # collecting: pausing the cyclic garbage collector saves its repeated scans of a growing
    # heap (about half the run time of a large region).
    try:
        with collector_paused():
            return _run_region(config, region, replication, keep_logs)
    finally:
        if tidy_heap:
            gc.collect()  # the environment's cycles (events, processes, generators)
            release_free_memory()


def build_region(
    config: TwinConfig, region: Region, replication: int
) -> tuple[simpy.Environment, dict[str, Site], list[Any]]:
    """A region wired into a fresh environment: its store sites and region-level domains."""
    env = simpy.Environment()
    streams = Streams(config.run.seed, replication, region.name)
    horizon_s = config.run.days * DAY_S
    if region.plan is None:
        region = planned_region(config, region)
    plan: RegionPlan = region.plan
    sites: dict[str, Site] = {}
    for store in region.stores:
        fmt = getattr(config.formats, store.format)
        levels = plan.stores[store.id]
        lanes = (
            tuple(levels.horizon("staffed_lanes", config.run.days, config.run.start_weekday))
            if "staffed_lanes" in levels.levels
            else ()
        )
        context = StoreContext(
            store.id, fmt.open_hour, fmt.close_hour, horizon_s, streams, staffed_lanes=lanes
        )
        sites[store.id] = FORMATS[store.format](env, context, fmt, config.demand, config.run)
    return env, sites, wire_region(env, region, config, streams, sites)


def wire_region(
    env: simpy.Environment,
    region: Region,
    config: TwinConfig,
    streams: Streams,
    sites: dict[str, Site],
) -> list[Any]:
    """The region-level domains (``REGION_BUILDERS``: online orders), each followed by the
    dispatchers wired to its dispatch desks (``DISPATCHERS``: last mile, cold chain), in
    registry order; each domain starts placing orders once its dispatchers are wired. Every
    object returned has ``logs()`` -> {store id: {kpi domain: log}}."""
    extensions: list[Any] = []
    for build in REGION_BUILDERS:
        domain = build(env, region, config, streams, sites)
        dispatchers: list[Any] = []
        for dispatcher in DISPATCHERS:
            dispatchers.append(
                dispatcher(env, region, config, streams, domain.desks, domain, tuple(dispatchers))
            )
        domain.start()
        extensions += [domain, *dispatchers]
    return extensions


def run_until_stores_empty(
    env: simpy.Environment, sites: dict[str, Site], horizon_s: float
) -> None:
    """Run to the horizon, then on until the last shopper has left every store.

    The doors close at closing time, so the drain is short (the last shoppers browse, queue
    and pay); other work (online orders) goes on meanwhile and is reported as carried over
    where still open. A site opts in with a ``last_shopper_left`` event. The drain is capped
    at :data:`DRAIN_LIMIT_S` past the horizon: shoppers still inside then stay open in the
    logs (``StoreLog.inside_arrive_s``) rather than loop forever.
    """
    env.run(until=horizon_s)
    pending = [
        event
        for site in sites.values()
        if (event := getattr(site, "last_shopper_left", None)) is not None and not event.triggered
    ]
    if pending:
        env.run(until=env.any_of([env.all_of(pending), env.timeout(DRAIN_LIMIT_S)]))


def _run_region(
    config: TwinConfig, region: Region, replication: int, keep_logs: bool
) -> RegionResult:
    env, sites, extensions = build_region(config, region, replication)
    run_until_stores_empty(env, sites, config.run.days * DAY_S)

    logs_by_store: dict[str, dict[str, Any]] = {sid: site.logs() for sid, site in sites.items()}
    for extension in extensions:
        for store_id, logs in extension.logs().items():
            logs_by_store.setdefault(store_id, {}).update(logs)
    result = summarise_region(config, region.name, replication, logs_by_store, keep_logs)
    if config.run.records:
        result.zone_ids = tuple(zone.id for zone in region.zones)
    return result


def summarise_region(
    config: TwinConfig,
    region: str,
    replication: int,
    logs_by_store: dict[str, dict[str, Any]],
    keep_logs: bool,
) -> RegionResult:
    """KPI rows and series for each store and for the region's aggregate (store ``all``)."""
    window = window_of(config)
    rows: list[KpiRow] = []
    series: list[SeriesRow] = []
    pooled: dict[str, list[Any]] = {}
    for store_id, logs in logs_by_store.items():
        for domain, log in logs.items():
            pooled.setdefault(domain, []).append(log)
        _scope(config, region, store_id, logs, window, rows, series)
    merged = {domain: KPI_DOMAINS[domain].concat(items) for domain, items in pooled.items()}
    _scope(config, region, ALL, merged, window, rows, series)
    records = _records(logs_by_store) if config.run.records else {}
    handed_over = (
        {
            domain: [owned(KPI_DOMAINS[domain].trim(log, window)) for log in logs]
            for domain, logs in pooled.items()
        }
        if keep_logs
        else {}
    )
    return RegionResult(region, replication, rows, series, handed_over, records)


def owned(log: Any) -> Any:
    """``log`` with each array field that is a view of a larger buffer copied out of it.

    A log column is often a view of the table the run wrote (a column or the filled part of a
    growing buffer); a handed-over log holding the view would keep the whole table alive
    until the network rows are done, region after region. The values are unchanged.
    """
    if not is_dataclass(log) or isinstance(log, type):
        return log
    changes = {
        f.name: value.copy()
        for f in fields(log)
        if f.init
        and isinstance(value := getattr(log, f.name), np.ndarray)
        and value.base is not None
    }
    return replace(log, **changes) if changes else log


def _records(
    logs_by_store: dict[str, dict[str, Any]],
) -> dict[str, list[tuple[str, tuple[str, ...], np.ndarray]]]:
    records: dict[str, list[tuple[str, tuple[str, ...], np.ndarray]]] = {}
    for store_id, logs in logs_by_store.items():
        for name, (columns, table) in store_records(logs, RECORD_TABLES).items():
            records.setdefault(name, []).append((store_id, columns, table))
    return records


def network_rows(config: TwinConfig, results: list[RegionResult]) -> RegionResult:
    """Rows for the whole network (region ``all``) by pooling every region's store logs.

    The regions' logs are handed over (``result.logs`` is emptied) and pooled one KPI domain at
    a time on each of ``run.workers`` threads (the work is numpy's: sorting, partitioning,
    masking, which runs outside the GIL), so at most that many domains' pooled copies are
    alive besides the logs not yet pooled (the cold chain's pooled items are stacked a column
    at a time, so its stores' item tables stay alive beside the columns stacked so far, fewer
    than all); a domain whose KPIs come in parts
    (``KpiDomain.parts``) runs its later parts on threads of their own, beside its first. On
    ordinary pages, not huge ones (:func:`~twin.core.memory.ordinary_pages`). Rows come out
    in domain order either way. The series are the sums of the regions'
    (:func:`network_series`), not pooled again.
    """
    window = window_of(config)
    pooled: dict[str, list[Any]] = {}
    for result in results:
        for domain, logs in result.logs.items():
            pooled.setdefault(domain, []).extend(logs)
        result.logs = {}
    release_free_memory()  # what receiving the results freed (pickles from worker processes)
    domains = list(pooled)
    threads = max(1, min(config.run.workers, len(domains)))

    def part_rows(part: KpiPart, log: Any) -> tuple[list[Row], float]:
        started_cpu_s = time.thread_time()
        kpi_rows = KpiRows()
        part(kpi_rows, log, window)
        return kpi_rows.rows, time.thread_time() - started_cpu_s

    def domain_rows(domain: str) -> tuple[list[KpiRow], tuple[float, ...]]:
        started_cpu_s = time.thread_time()
        spec = KPI_DOMAINS[domain]
        merged = spec.concat(pooled.pop(domain))
        first, *later = (spec.parts or (spec.kpis,)) if threads > 1 else (spec.kpis,)
        others = [parts_pool.submit(part_rows, part, merged) for part in later]
        concat_s = time.thread_time() - started_cpu_s
        done = [part_rows(first, merged), *(other.result() for other in others)]
        rows = [row for part, _ in done for row in part]
        return [(ALL, ALL, *row) for row in rows + derived_rows(rows)], (
            concat_s,
            *(part_s for _, part_s in done),
        )

    started = time.perf_counter()
    with (
        ordinary_pages(),
        ThreadPoolExecutor(threads) as pool,
        ThreadPoolExecutor(threads) as parts_pool,  # later parts: a domain waits for them
    ):
        by_domain = list(pool.map(domain_rows, domains))
    wall_s = time.perf_counter() - started
    rows = [row for of_domain, _ in by_domain for row in of_domain]
    rows.extend((ALL, ALL, *row) for row in derived_rows([row[2:] for row in rows]))
    replication = results[0].replication if results else 0
    result = RegionResult(ALL, replication, rows, network_series(results))
    result.domains_s = (wall_s, tuple(cpu_s for _, cpu_s in by_domain))
    return result


def network_series(results: list[RegionResult]) -> list[SeriesRow]:
    """The network's series: per bin, the sum of every region's series (store ``all``).

    Every series is a count per bin or a level's time average per bin (a domain's
    ``series``), and both add over stores: the network's is the regions' sum, the same value
    as pooling the logs again, but for the last bits of floating-point addition. Series come
    out in the order they are first seen, region by region, which is the domains' order.
    """
    totals: dict[str, tuple[np.ndarray, str]] = {}
    for result in results:
        for _, store, name, values, unit in result.series:
            if store != ALL:
                continue
            if name in totals:
                totals[name] = (totals[name][0] + values, unit)
            else:
                totals[name] = (np.array(values, dtype=float), unit)
    return [(ALL, ALL, name, values, unit) for name, (values, unit) in totals.items()]


def _scope(
    config: TwinConfig,
    region: str,
    store: str,
    logs: dict[str, Any],
    window: tuple[float, float],
    rows: list[KpiRow],
    series: list[SeriesRow] | None,
) -> None:
    """KPI rows of ``logs``, and their series unless ``series`` is None."""
    kpi_rows = KpiRows()
    for domain, log in logs.items():
        spec = KPI_DOMAINS[domain]
        spec.kpis(kpi_rows, log, window)
        if series is None:
            continue
        for name, values, unit in spec.series(log, window, config.run.bin_s):
            series.append((region, store, name, values, unit))
    rows.extend((region, store, *row) for row in kpi_rows.rows + derived_rows(kpi_rows.rows))
