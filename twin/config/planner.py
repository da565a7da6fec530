"""The operations planner's settings: staffing modes, service targets, maxima, fleet overrides.

The planner (:mod:`twin.plan`) sizes each store's staffed lanes and pickers by hour and weekday
and its delivery fleets before time 0, from expected load only. ``auto`` (the default) plans;
``fixed`` keeps the configured levels (``formats.<f>.checkout.lanes``, ``fulfilment.store.
picking.pickers``, ``delivery.<mode>.vehicles``), as the reduced configurations of the analytic
tests need. Explicit schedules win over the plan: a non-empty ``checkout.lanes_by_hour`` or
``picking.pickers_by_hour``, a ``fulfilment.store_overrides.<S>.pickers``, and the per-store
fleets in ``planner.fleet.store_overrides``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.config.fields import choice, num
from twin.errors import ConfigError

MODES = ("auto", "fixed")
KEEP = -1


@dataclass
class LanesPlanConfig:
    """Staffed lanes: the fewest whose Erlang C P(wait > wait_target_s) is at most alpha."""

    mode: str = choice("auto", MODES, doc="auto: plan by hour and weekday; fixed: checkout.lanes")
    wait_target_s: float = num(180.0, gt=0.0, doc="service target: a wait longer than this ...")
    wait_alpha: float = num(0.35, doc="... has at most this probability (Erlang C), in (0, 1)")
    min_lanes: int = num(1, ge=1, doc="staffed lanes in every open hour")
    # the maximum is the store's tills: formats.<f>.checkout.lanes

    def check(self, key: str) -> None:
        if not 0.0 < self.wait_alpha < 1.0:
            raise ConfigError(
                f"{key}.wait_alpha", self.wait_alpha, "a probability in (0, 1): P(wait) > 0"
            )


@dataclass
class PickersPlanConfig:
    """Pickers by hour: enough for the work at the utilisation target and for pickup promises.

    In an hour with pickup orders, also the fewest pickers with which an order is ready within
    its promise with probability ``ready_target`` (Erlang C wait for pickers, then its tasks
    in parallel; twin.plan.staffing.ready_prob).
    """

    mode: str = choice("auto", MODES, doc="auto: plan by hour and weekday; fixed: picking.pickers")
    utilisation_target: float = num(0.6, doc="planned busy share of pickers, in (0, 1)")
    ready_target: float = num(0.99, doc="P(pickup ready within promise) to plan for, in (0, 1)")
    min_pickers: int = num(1, ge=0, doc="pickers in every shift hour")
    max_pickers: int = num(12, ge=1, doc="most pickers a store can put on shift")
    lead_h: float = num(0.25, ge=0.0, doc="work is planned this long after the order is placed")

    def check(self, key: str) -> None:
        _check_utilisation(f"{key}.utilisation_target", self.utilisation_target)
        if not 0.0 < self.ready_target < 1.0:
            raise ConfigError(f"{key}.ready_target", self.ready_target, "a probability in (0, 1)")
        if self.min_pickers > self.max_pickers:
            raise ConfigError(
                f"{key}.min_pickers", self.min_pickers, f"at most max_pickers ({self.max_pickers})"
            )


@dataclass
class FleetOverride:
    """One store's fleet, replacing the plan (-1 = keep the plan)."""

    vans: int = num(KEEP, ge=KEEP)
    bikes: int = num(KEEP, ge=KEEP)
    drones: int = num(KEEP, ge=KEEP)


@dataclass
class FleetPlanConfig:
    """Vans, bikes and drones per store from the expected deliveries of its busiest hour."""

    mode: str = choice("auto", MODES, doc="auto: per store; fixed: delivery.<mode> counts")
    utilisation_target: float = num(0.5, doc="planned busy share of a mode's fleet, in (0, 1)")
    max_vans: int = num(6, ge=0)
    max_bikes: int = num(4, ge=0)
    max_drones: int = num(6, ge=0)
    store_overrides: dict[str, FleetOverride] = field(default_factory=dict)

    def check(self, key: str) -> None:
        _check_utilisation(f"{key}.utilisation_target", self.utilisation_target)


@dataclass
class PlannerConfig:
    lanes: LanesPlanConfig = field(default_factory=LanesPlanConfig)
    pickers: PickersPlanConfig = field(default_factory=PickersPlanConfig)
    fleet: FleetPlanConfig = field(default_factory=FleetPlanConfig)


def _check_utilisation(key: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ConfigError(key, value, "a utilisation in (0, 1): a target of 1 or more never waits")


def fixed_planner() -> PlannerConfig:
    """Every resource ``fixed``: the configured levels, as before the planner."""
    return PlannerConfig(
        LanesPlanConfig(mode="fixed"),
        PickersPlanConfig(mode="fixed"),
        FleetPlanConfig(mode="fixed"),
    )
