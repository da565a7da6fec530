"""The operations plan of a region: resource levels per store, weekday and hour, before time 0.

:func:`build_plan` sizes, from expected load only (:mod:`twin.plan.load`):

- staffed lanes: per open hour, the fewest with Erlang C P(wait > wait_target_s) <= wait_alpha
  on the staffed share of the till arrival rate (the walk-in profile shifted by the mean time
  in store), at least ``min_lanes``, at most the store's ``checkout.lanes``;
- self-checkout kiosks: the pod, open with the store;
- pickers: per shift hour, from the expected picking work and pickup promises
  (:mod:`twin.plan.pickers`);
- vans, bikes and drones: :mod:`twin.plan.fleet`.

``fixed`` modes and explicit schedules (``checkout.lanes_by_hour``, ``picking.pickers_by_hour``,
``fulfilment.store_overrides``, ``planner.fleet.store_overrides``) give the configured levels.
A store whose expected load needs more than the configured maxima gets a warning naming it and
the shortfall. The plan's rows are written to ``plan.parquet`` (docs/CONTRACTS.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from twin.config.orders import CHANNELS
from twin.config.planner import KEEP as FLEET_KEEP
from twin.config.schema import TwinConfig
from twin.config.store_formats import GroceryConfig
from twin.errors import ConfigError
from twin.network.formats import choices_text
from twin.network.regions import Network, Region, StoreInfo
from twin.plan.fleet import FLEET_MODES, drone_payload_fracs, fleet_needs
from twin.plan.load import (
    WEEK,
    OnlineLoad,
    online_load,
    pick_moments,
    shift_week,
    till_moments,
    walk_in_week_per_h,
)
from twin.plan.pickers import PickerRule, picker_week
from twin.plan.staffing import lanes_for

PICKUP = CHANNELS.index("pickup")
RESOURCES = ("staffed_lanes", "sco_kiosks", "pickers", "vans", "bikes", "drones")
FLEET_RESOURCE = {"van": "vans", "bike": "bikes", "drone": "drones"}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PlanRow = tuple[str, str, int, int, float]  # store, resource, weekday, hour, level
SHOWN = 5  # stores named in a shortfall warning (the largest shortfalls)


@dataclass(frozen=True)
class Shortfall:
    """A store whose expected load needs ``short`` more units than the maximum ``limit``."""

    limit: str  # "key = value" of the binding maximum
    store: str
    short: int
    when: str  # the weekday and hour of the largest shortfall


def shortfall_warnings(shortfalls: list[Shortfall]) -> list[str]:
    """One line per binding maximum, naming its stores with the largest shortfalls first."""
    by_limit: dict[str, list[Shortfall]] = {}
    for item in shortfalls:
        by_limit.setdefault(item.limit, []).append(item)
    lines = []
    for limit, items in by_limit.items():
        items.sort(key=lambda s: (-s.short, s.store))
        named = ", ".join(f"{s.store} short by {s.short} ({s.when})" for s in items[:SHOWN])
        more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
        lines.append(
            f"plan: expected load cannot be staffed within {limit} at {len(items)} store(s): "
            f"{named}{more}; raise the maximum or expect the service targets to be missed"
        )
    return lines


@dataclass(frozen=True)
class StorePlan:
    """One store's planned levels: resource -> (7, 24) integer array (row 0 = Monday)."""

    store: str
    levels: dict[str, np.ndarray] = field(default_factory=dict)

    def horizon(self, resource: str, days: int, start_weekday: int) -> list[int]:
        """Levels for each hour of a run of ``days`` days from ``start_weekday``."""
        week = self.levels[resource]
        return [
            int(level) for day in range(days) for level in week[(start_weekday + day) % 7].tolist()
        ]

    def fleet(self, mode: str) -> int:
        """Vehicles (drones) of a delivery mode: its largest planned level."""
        week = self.levels.get(FLEET_RESOURCE[mode])
        return int(week.max()) if week is not None else 0


@dataclass(frozen=True)
class RegionPlan:
    stores: dict[str, StorePlan]
    warnings: tuple[Shortfall, ...] = ()
    planned: frozenset[str] = frozenset()  # resources the planner sized (mode auto)

    def rows(self) -> list[PlanRow]:
        out: list[PlanRow] = []
        for store_id, plan in self.stores.items():
            for resource in RESOURCES:
                week = plan.levels.get(resource)
                if week is None:
                    continue
                for weekday in range(7):
                    for hour in range(24):
                        out.append((store_id, resource, weekday, hour, float(week[weekday, hour])))
        return out


def _open_week(open_hour: int, close_hour: int, level: int | list[int]) -> np.ndarray:
    week = np.zeros(WEEK, dtype=np.int64)
    week[:, open_hour:close_hour] = (
        np.asarray(level)[open_hour:close_hour] if isinstance(level, list) else level
    )
    return week


def _peak(week: np.ndarray) -> str:
    day, hour = np.unravel_index(int(np.argmax(week)), WEEK)
    return f"{DAYS[int(day)]} {int(hour):02d}:00"


def _lanes(config: TwinConfig, fmt: GroceryConfig) -> tuple[np.ndarray, np.ndarray]:
    """(lanes, shortfall) by weekday and hour: the same for every store of a format."""
    checkout = fmt.checkout
    lanes_cfg = config.planner.lanes
    if lanes_cfg.mode == "fixed" or checkout.lanes_by_hour:
        schedule = list(checkout.lanes_by_hour) or checkout.lanes
        return _open_week(fmt.open_hour, fmt.close_hour, schedule), np.zeros(WEEK, np.int64)
    moments = till_moments(config.demand, checkout)
    tills = shift_week(walk_in_week_per_h(config.demand, fmt), moments.time_in_store_h)
    staffed = tills * moments.staffed_frac
    week = np.zeros(WEEK, dtype=np.int64)
    short = np.zeros(WEEK, dtype=np.int64)
    low = min(lanes_cfg.min_lanes, checkout.lanes)
    for day in range(7):
        for hour in range(fmt.open_hour, fmt.close_hour):
            week[day, hour], short[day, hour] = lanes_for(
                float(staffed[day, hour]),
                moments.staffed_service_s,
                lanes_cfg.wait_target_s,
                lanes_cfg.wait_alpha,
                low,
                checkout.lanes,
            )
    return week, short


def _lane_warning(store: StoreInfo, lanes: int, short: np.ndarray) -> Shortfall:
    key = f"formats.{store.format}.checkout.lanes = {lanes}"
    return Shortfall(key, store.id, int(short.max()), _peak(short))


def _fleets(
    config: TwinConfig,
    region: Region,
    index: int,
    online: OnlineLoad,
    light: list[float],
    warnings: list[Shortfall],
) -> dict[str, int]:
    store = region.stores[index]
    delivery = config.delivery
    override = config.planner.fleet.store_overrides.get(store.id)
    if config.planner.fleet.mode == "fixed":
        counts = {mode: delivery.fleet(mode) for mode in FLEET_MODES}
    else:
        needs = fleet_needs(config, region, index, online, light)
        counts = {mode: level for mode, (level, _) in needs.items()}
        for mode, (_, short) in needs.items():
            if short and (override is None or getattr(override, FLEET_RESOURCE[mode]) == -1):
                resource = FLEET_RESOURCE[mode]
                high = getattr(config.planner.fleet, f"max_{resource}")
                warnings.append(
                    Shortfall(f"planner.fleet.max_{resource} = {high}", store.id, short, "peak")
                )
    if override is not None:
        for mode in FLEET_MODES:
            value = getattr(override, FLEET_RESOURCE[mode])
            if value != FLEET_KEEP:
                counts[mode] = value
    return counts


@dataclass
class PlanInputs:
    """What every region's plan shares: per-format lane plans and the picker rule."""

    lanes_by_format: dict[str, tuple[np.ndarray, np.ndarray]]
    rule: PickerRule | None
    drone_light: list[float]  # per channel: share of orders light enough for drones


def plan_inputs(config: TwinConfig, network: Network | None = None) -> PlanInputs:
    """What every region's plan shares; with ``network``, the lane plans of its formats too
    (so the regions' plans, built in parallel, do not each size them again)."""
    orders_on = config.orders.enabled
    rule = PickerRule(config, [pick_moments(config, c) for c in CHANNELS]) if orders_on else None
    light = drone_payload_fracs(config) if orders_on and config.delivery.enabled else []
    lanes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if network is not None and any(store.format == "grocery" for store in network.stores):
        lanes["grocery"] = _lanes(config, config.formats.grocery)
    return PlanInputs(lanes, rule, light)


def build_plan(config: TwinConfig, region: Region, inputs: PlanInputs | None = None) -> RegionPlan:
    """The region's plan (see the module doc); deterministic in (config, region).

    ``inputs`` (from :func:`plan_inputs` of the same config) may be shared between regions.
    """
    inputs = inputs or plan_inputs(config)
    rule = inputs.rule
    warnings: list[Shortfall] = []
    stores: dict[str, StorePlan] = {}
    orders_on = config.orders.enabled
    online = online_load(config, region) if orders_on else None
    lanes_by_format = inputs.lanes_by_format
    for index, store in enumerate(region.stores):
        levels: dict[str, np.ndarray] = {}
        fmt = getattr(config.formats, store.format)
        if store.format == "grocery":
            if store.format not in lanes_by_format:
                lanes_by_format[store.format] = _lanes(config, fmt)
            lanes, short = lanes_by_format[store.format]
            levels["staffed_lanes"] = lanes
            if short.any():
                warnings.append(_lane_warning(store, fmt.checkout.lanes, short))
            levels["sco_kiosks"] = _open_week(
                fmt.open_hour, fmt.close_hour, fmt.checkout.sco_kiosks
            )
        offers = [config.fulfilment.offers(store.format, channel) for channel in CHANNELS]
        if online is not None and any(offers):
            store_orders = online.per_h[:, index]
            assert rule is not None
            levels["pickers"], short = picker_week(rule, store.id, store_orders)
            if short.any():
                limit = f"planner.pickers.max_pickers = {config.planner.pickers.max_pickers}"
                warnings.append(Shortfall(limit, store.id, int(short.max()), _peak(short)))
            if config.delivery.enabled:
                counts = _fleets(config, region, index, online, inputs.drone_light, warnings)
                for mode, count in counts.items():
                    cfg = getattr(config.delivery, mode)
                    levels[FLEET_RESOURCE[mode]] = _open_week(cfg.start_hour, cfg.end_hour, count)
        stores[store.id] = StorePlan(store.id, levels)
    planner = config.planner
    planned = {
        name
        for name, mode in (
            ("staffed_lanes", planner.lanes.mode),
            ("pickers", planner.pickers.mode),
            ("fleet", planner.fleet.mode),
        )
        if mode == "auto"
    }
    return RegionPlan(stores, tuple(warnings), frozenset(planned))


def check_overrides(config: TwinConfig, network: Network) -> None:
    """Per-store overrides must name stores of the network (ConfigError otherwise)."""
    known = [store.id for store in network.stores]
    for key, overrides in (
        ("planner.fleet.store_overrides", config.planner.fleet.store_overrides),
        ("fulfilment.store_overrides", config.fulfilment.store_overrides),
    ):
        for store_id in overrides:
            if store_id not in known:
                raise ConfigError(
                    f"{key}.{store_id}",
                    store_id,
                    f"a store id of this network, one of: {choices_text(known)}",
                )


def plan_network(config: TwinConfig, network: Network) -> Network:
    """``network`` with every region's plan attached, checked and warned about before time 0.

    A store whose expected load needs more than the configured maxima gets a RuntimeWarning
    naming it and the shortfall. (:func:`twin.experiment.replications.simulate` plans each
    region in the task that runs it instead, and warns through :func:`with_plans`.)
    """
    check_overrides(config, network)
    inputs = plan_inputs(config, network)
    plans = {
        region.name: region.plan if region.plan is not None else build_plan(config, region, inputs)
        for region in network.regions
    }
    return with_plans(network, plans)


def with_plans(network: Network, plans: dict[str, RegionPlan]) -> Network:
    """``network`` with the regions' ``plans`` attached (by region name); warns about every
    shortfall the plans name (RuntimeWarning), in region order."""
    regions = [
        replace(region, plan=plans.get(region.name, region.plan)) for region in network.regions
    ]
    shortfalls = [
        shortfall
        for region in regions
        if region.plan is not None
        for shortfall in region.plan.warnings
    ]
    for message in shortfall_warnings(shortfalls):
        warnings.warn(message, RuntimeWarning, stacklevel=3)
    return Network(regions)
