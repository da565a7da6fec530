"""The capacity search of a sizing: each resource's smallest integer capacity that meets its
KPI target with confidence.

Each resource's KPI is monotone in its capacity, so :func:`search` gallops down from a capacity
that meets its target (up from one that does not), then bisects until the smallest capacity
that meets it sits next to a largest one that does not. "Meets" means with confidence: the
whole t interval over the replications clears the target (lower bound >= a ``>=`` target,
upper bound <= a ``<=`` target). Resources are searched together, one joint simulation
(``evaluate``) per round. The simulations themselves are :mod:`twin.experiment.sizing`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from twin.config.schema import TwinConfig
from twin.experiment.sizing_estimate import Estimate

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
    context = context_kpis([resource]).get(resource.name)
    if context is not None and context in measured:
        c_mean, c_half, c_n = measured[context]
        out.append(
            Point(resource.name, capacity, scale, context, c_mean, c_half, c_n, math.nan, None)
        )
    return out


def context_kpis(resources: list[Resource]) -> dict[str, str]:
    """The utilisation KPI shown beside each resource's target KPI on the sizing curve."""
    out = {}
    for r in resources:
        if r.name == PICKERS:
            out[r.name] = CONTEXT_KPIS[PICKERS]
        else:
            out[r.name] = f"locker.{r.name.split('.')[1]}_utilisation_frac"
    return out
