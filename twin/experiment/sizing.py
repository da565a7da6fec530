"""Pickup capacity sizing: the fewest pickers and locker compartments per temperature zone.

For one store, at each demand level: start from the analytic estimate (Erlang C for pickers,
Erlang B per locker zone, :mod:`twin.experiment.sizing_estimate`), then simulate and search
each resource's integer capacity on its monotone KPI: gallop down from a capacity that meets
its target (up from one that does not), then bisect until the smallest capacity that meets
it sits next to a largest one that does not. "Meets" means with confidence: the whole t
interval over the replications clears the target (lower bound >= a ``>=`` target, upper
bound <= a ``<=`` target).

Every capacity point of a demand level is simulated with the same seeds (common random
numbers: the same orders, baskets, dwells), so neighbouring points differ by the capacity
alone. Resources are searched together, one joint simulation per round: pickers drive
readiness and each zone's compartments its own overflow (lockers overflowing to the counter
do not delay readiness), so one run measures every resource at once. Finally the
recommendation, and one unit less of every resource, are simulated again with fresh seeds.
"""

from __future__ import annotations

import copy
import functools
import math
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.config.fulfilment import CapacityConfig
from twin.config.orders import TEMPERATURE_ZONES
from twin.config.schema import TwinConfig
from twin.domain.orders_build import reusing_draws
from twin.domain.registry import FORMATS
from twin.errors import ConfigError
from twin.experiment.sizing_estimate import (
    Estimate,
    locker_estimates,
    picker_estimate,
    store_rates_per_h,
)
from twin.kpi.stats import t_interval
from twin.model import run_region
from twin.network.build import build_network
from twin.network.regions import Network, Region

PICKERS = "pickers"
READY_KPI = "pickup.ready_within_promise_frac"
CONTEXT_KPIS = {PICKERS: "picking.picker_utilisation_frac"}


@dataclass(frozen=True)
class Resource:
    """A capacity to size and the KPI target that decides it."""

    name: str  # "pickers" or "lockers.<zone>"
    kpi: str
    target: float
    at_least: bool  # KPI >= target (else KPI <= target)
    minimum: int = 1

    def meets(self, mean: float, half_width: float) -> bool:
        half = 0.0 if math.isnan(half_width) else half_width
        if math.isnan(mean):
            return not self.at_least  # nothing offered: no overflow, but no readiness shown
        return mean - half >= self.target if self.at_least else mean + half <= self.target

    def capacity_field(self) -> str:
        return PICKERS if self.name == PICKERS else f"{self.name.split('.')[1]}_compartments"


@dataclass
class Search:
    """Bracket of one resource: ``lo`` fails (``minimum - 1`` is assumed to), ``hi`` meets."""

    resource: Resource
    maximum: int
    lo: int = 0
    hi: int | None = None
    step: int = 1
    proposal: int = 1

    def __post_init__(self) -> None:
        self.lo = self.resource.minimum - 1

    @property
    def done(self) -> bool:
        return (self.hi is not None and self.hi - self.lo <= 1) or (
            self.hi is None and self.lo >= self.maximum
        )

    def record(self, capacity: int, meets: bool) -> None:
        """Take a measured point and propose the next capacity to try."""
        if meets:
            self.hi = capacity if self.hi is None else min(self.hi, capacity)
        else:
            self.lo = max(self.lo, capacity)
        if self.done:
            return
        if self.hi is None:
            proposal = self.lo + self.step  # gallop up from the last failure
            self.step *= 2
        elif self.lo < self.resource.minimum:
            proposal = self.hi - self.step  # gallop down: nothing has failed yet
            self.step *= 2
        else:
            proposal = (self.lo + self.hi) // 2  # bisect
        upper = self.maximum if self.hi is None else self.hi - 1
        self.proposal = min(max(proposal, self.lo + 1), upper)


@dataclass
class Point:
    resource: str
    capacity: int
    demand_scale: float
    kpi: str
    mean: float
    half_width: float
    n_reps: int
    target: float
    meets_target: bool | None


@dataclass
class SizingResult:
    store: str
    region: str
    resources: list[Resource]
    recommendations: dict[float, dict[str, int | None]]
    estimates: dict[float, dict[str, Estimate]]
    points: list[Point]
    confirmation: dict[str, Any]
    simulations: int
    wall_time_s: float
    replications: int
    days: int
    demand_scales: list[float] = field(default_factory=list)


def size_pickup(
    config: TwinConfig,
    network: Network | None = None,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> SizingResult:
    """Size pickers and locker compartments of ``config.sizing.store`` (see the module doc).

    ``progress(n)`` is called after each point with the simulations run so far.
    """
    started = time.perf_counter()
    sizing = config.sizing
    if network is None:
        network = build_network(config.network, FORMATS.keys())
    region, store_index = find_store(network, config)
    store_id = region.stores[store_index].id
    base = sizing_base_config(config)
    resources = resources_of(base)
    own_pool = executor is None and base.run.workers > 1
    pool = ProcessPoolExecutor(max_workers=base.run.workers) if own_pool else executor
    counter = [0]

    def evaluate(
        cfg: TwinConfig, capacities: dict[str, int], seed: int
    ) -> dict[str, tuple[float, float, int]]:
        trial = with_capacities(cfg, store_id, capacities, resources)
        trial.run.seed = seed
        per_rep = _simulate(trial, region, store_id, pool)
        counter[0] += len(per_rep)
        if progress is not None:
            progress(counter[0])
        kpis = {r.kpi for r in resources} | set(_context_kpis(resources).values())
        out = {}
        for kpi in kpis:
            values = np.array([rep.get(kpi, math.nan) for rep in per_rep])
            mean, half = t_interval(values, sizing.confidence)
            out[kpi] = (mean, half, int(np.count_nonzero(~np.isnan(values))))
        return out

    try:
        recommendations, estimates, points = {}, {}, []
        for scale in sizing.demand_scales:
            cfg = copy.deepcopy(base)
            cfg.orders.demand_scale = base.orders.demand_scale * scale
            estimate = estimates_for(cfg, region, store_index, resources)
            estimates[scale] = estimate
            rec, pts = size_at_scale(
                cfg,
                resources,
                estimate,
                sizing.max_capacity,
                scale,
                functools.partial(evaluate, cfg, seed=cfg.run.seed),
            )
            recommendations[scale] = rec
            points.extend(pts)
        today = 1.0 if 1.0 in recommendations else sizing.demand_scales[0]
        confirmation = confirm(
            base,
            today,
            resources,
            recommendations[today],
            lambda caps: evaluate(
                _scaled(base, today), caps, base.run.seed + sizing.confirm_seed_offset
            ),
        )
    finally:
        if own_pool and pool is not None:
            pool.shutdown()
    return SizingResult(
        store_id,
        region.name,
        resources,
        recommendations,
        estimates,
        points,
        confirmation,
        counter[0],
        time.perf_counter() - started,
        base.run.replications,
        base.run.days,
        list(sizing.demand_scales),
    )


def size_at_scale(
    cfg: TwinConfig,
    resources: list[Resource],
    estimate: dict[str, Estimate],
    maximum: int,
    scale: float,
    evaluate: Callable[[dict[str, int]], dict[str, tuple[float, float, int]]],
) -> tuple[dict[str, int | None], list[Point]]:
    """Pickers first (lockers held generous), then the locker zones at the recommended pickers.

    Lockers depend on pickers (orders ready sooner stay longer in their compartments), not
    the other way round when overflow goes to the counter; so the order matters.
    """
    pickers = [r for r in resources if r.name == PICKERS]
    lockers = [r for r in resources if r.name != PICKERS]
    generous = {r.name: min(maximum, 2 * estimate[r.name].capacity + 2) for r in lockers}
    rec, points = search(pickers, estimate, generous, maximum, scale, evaluate)
    held = {name: (value if value is not None else maximum) for name, value in rec.items()}
    rec_lockers, more = search(lockers, estimate, held, maximum, scale, evaluate)
    return {**rec, **rec_lockers}, points + more


def search(
    resources: list[Resource],
    estimate: dict[str, Estimate],
    fixed: dict[str, int],
    maximum: int,
    scale: float,
    evaluate: Callable[[dict[str, int]], dict[str, tuple[float, float, int]]],
) -> tuple[dict[str, int | None], list[Point]]:
    """Joint bracket search of ``resources`` from their estimates, the others ``fixed``.

    One simulation (all replications) per round measures every resource still searching;
    at the end one more at recommendation + 1, for the curve. Returns capacities and points.
    """
    searches = {r.name: Search(r, maximum) for r in resources}
    for r in resources:
        searches[r.name].proposal = min(max(estimate[r.name].capacity, r.minimum), maximum)
    held: dict[str, int] = {}
    points: list[Point] = []
    seen: set[tuple[str, int]] = set()
    while not all(s.done for s in searches.values()):
        capacities = {name: held[name] if s.done else s.proposal for name, s in searches.items()}
        measured = evaluate({**fixed, **capacities})
        for name, s in searches.items():
            if s.done:
                continue
            mean, half, n = measured[s.resource.kpi]
            meets = s.resource.meets(mean, half)
            points.extend(_points(s.resource, capacities[name], scale, measured, seen, meets, n))
            s.record(capacities[name], meets)
            if s.done:
                held[name] = s.hi if s.hi is not None else maximum
    recommendation = {name: s.hi for name, s in searches.items()}
    around = {
        name: (cap + 1 if cap is not None else maximum) for name, cap in recommendation.items()
    }
    if any((name, cap) not in seen for name, cap in around.items()):
        measured = evaluate({**fixed, **around})
        for r in resources:
            mean, half, n = measured[r.kpi]
            points.extend(_points(r, around[r.name], scale, measured, seen, r.meets(mean, half), n))
    return recommendation, points


def _points(
    resource: Resource,
    capacity: int,
    scale: float,
    measured: dict[str, tuple[float, float, int]],
    seen: set[tuple[str, int]],
    meets: bool,
    n: int,
) -> Iterable[Point]:
    if (resource.name, capacity) in seen:
        return []
    seen.add((resource.name, capacity))
    mean, half, _ = measured[resource.kpi]
    out = [
        Point(resource.name, capacity, scale, resource.kpi, mean, half, n, resource.target, meets)
    ]
    context = _context_kpis([resource]).get(resource.name)
    if context is not None and context in measured:
        c_mean, c_half, c_n = measured[context]
        out.append(
            Point(resource.name, capacity, scale, context, c_mean, c_half, c_n, math.nan, None)
        )
    return out


def confirm(
    base: TwinConfig,
    scale: float,
    resources: list[Resource],
    recommendation: dict[str, int | None],
    evaluate: Callable[[dict[str, int]], dict[str, tuple[float, float, int]]],
) -> dict[str, Any]:
    """Re-simulate the recommendation and one unit less of every resource with fresh seeds."""
    if any(v is None for v in recommendation.values()):
        return {"status": "no recommendation to confirm"}
    rec = {k: int(v) for k, v in recommendation.items() if v is not None}
    at_rec = evaluate(rec)
    one_less = {k: v - 1 for k, v in rec.items()}
    below = evaluate(one_less) if all(v >= 1 for v in one_less.values()) else {}

    def summary(
        measured: dict[str, tuple[float, float, int]], caps: dict[str, int]
    ) -> dict[str, Any]:
        out = {}
        for r in resources:
            if r.kpi not in measured:
                continue
            mean, half, n = measured[r.kpi]
            out[r.name] = {
                "capacity": caps[r.name],
                "kpi": r.kpi,
                "mean": mean,
                "half_width": half,
                "n_reps": n,
                "meets_target": r.meets(mean, half),
                "mean_meets_target": r.meets(mean, 0.0),
            }
        return out

    confirmed = summary(at_rec, rec)
    less = summary(below, one_less)
    return {
        "demand_scale": scale,
        "seed": base.run.seed + base.sizing.confirm_seed_offset,
        "at_recommendation": confirmed,
        "one_less": less,
        # the recommendation's means meet every target; with confidence where the CI allows
        "recommendation_meets_all": all(v["mean_meets_target"] for v in confirmed.values()),
        "recommendation_meets_all_with_confidence": all(
            v["meets_target"] for v in confirmed.values()
        ),
        # one unit less: the mean misses (not only the confidence)
        "one_less_fails": sorted(k for k, v in less.items() if not v["mean_meets_target"]),
        "one_less_not_confident": sorted(k for k, v in less.items() if not v["meets_target"]),
    }


def find_store(network: Network, config: TwinConfig) -> tuple[Region, int]:
    """The region and index of ``sizing.store`` (or the first store offering pickup)."""
    wanted = config.sizing.store
    offering = []
    for region in network.regions:
        for index, store in enumerate(region.stores):
            if config.fulfilment.offers(store.format, "pickup"):
                offering.append(store.id)
                if not wanted or store.id == wanted:
                    return region, index
    if not offering:
        raise ConfigError(
            "fulfilment.channels_by_format",
            config.fulfilment.channels_by_format,
            "at least one store format of the network offering pickup",
        )
    shown = ", ".join(offering[:12]) + (", ..." if len(offering) > 12 else "")
    raise ConfigError("sizing.store", wanted, f"a store offering pickup, one of: {shown}")


def sizing_base_config(config: TwinConfig) -> TwinConfig:
    """The config every sizing simulation starts from (days, replications, no walk-ins)."""
    base = copy.deepcopy(config)
    sizing = base.sizing
    base.run.replications = sizing.replications
    if sizing.days > 0:
        base.run.days = sizing.days
    if not sizing.simulate_walk_ins:
        for fmt in vars(base.formats).values():
            if hasattr(fmt, "demand_scale"):
                fmt.demand_scale = 0.0
    return base


def resources_of(config: TwinConfig) -> list[Resource]:
    sizing = config.sizing
    resources = [Resource(PICKERS, READY_KPI, sizing.ready_within_promise_target, True)]
    store = config.fulfilment.store
    if store.collection.method == "locker":
        for zone in TEMPERATURE_ZONES:
            if getattr(config.orders.zones, zone).share > 0:
                resources.append(
                    Resource(
                        f"lockers.{zone}",
                        f"locker.{zone}_overflow_frac",
                        sizing.overflow_target,
                        False,
                    )
                )
    return resources


def estimates_for(
    cfg: TwinConfig, region: Region, store_index: int, resources: list[Resource]
) -> dict[str, Estimate]:
    rates = store_rates_per_h(cfg, region, store_index)
    out = {PICKERS: picker_estimate(cfg, rates, cfg.sizing.ready_within_promise_target)}
    out.update(locker_estimates(cfg, rates, cfg.sizing.overflow_target))
    return {r.name: out[r.name] for r in resources}


def with_capacities(
    config: TwinConfig, store_id: str, capacities: dict[str, int], resources: list[Resource]
) -> TwinConfig:
    """A copy of ``config`` whose store ``store_id`` has these capacities."""
    trial = copy.deepcopy(config)
    override = copy.deepcopy(trial.fulfilment.store_overrides.get(store_id, CapacityConfig()))
    for r in resources:
        setattr(override, r.capacity_field(), int(capacities[r.name]))
    trial.fulfilment.store_overrides = {**trial.fulfilment.store_overrides, store_id: override}
    return trial


def _scaled(base: TwinConfig, scale: float) -> TwinConfig:
    cfg = copy.deepcopy(base)
    cfg.orders.demand_scale = base.orders.demand_scale * scale
    return cfg


def _context_kpis(resources: list[Resource]) -> dict[str, str]:
    out = {}
    for r in resources:
        if r.name == PICKERS:
            out[r.name] = CONTEXT_KPIS[PICKERS]
        else:
            out[r.name] = f"locker.{r.name.split('.')[1]}_utilisation_frac"
    return out


def _store_kpis(task: tuple[TwinConfig, Region, int, str]) -> dict[str, float]:
    config, region, replication, store_id = task
    with reusing_draws():  # every capacity point draws the same orders
        result = run_region(config, region, replication)
    return {
        kpi: value
        for _, store, kpi, stat, value, _ in result.rows
        if store == store_id and stat == "mean"
    }


def _simulate(
    config: TwinConfig, region: Region, store_id: str, pool: Executor | None
) -> list[dict[str, float]]:
    tasks = [(config, region, rep, store_id) for rep in range(config.run.replications)]
    if pool is None:
        return [_store_kpis(task) for task in tasks]
    return list(pool.map(_store_kpis, tasks))


__all__ = ["Point", "Resource", "SizingResult", "size_pickup", "with_capacities"]
