"""What a sizing sizes and the configs it simulates: the store, the base config, the resources
with their KPI targets, their analytic estimates, and a config with given capacities.
"""

from __future__ import annotations

import copy

from twin.config.fulfilment import CapacityConfig
from twin.config.orders import TEMPERATURE_ZONES
from twin.config.schema import TwinConfig
from twin.errors import ConfigError
from twin.experiment.sizing_estimate import (
    Estimate,
    locker_estimates,
    picker_estimate,
    store_rates_per_h,
)
from twin.experiment.sizing_search import PICKERS, READY_KPI, Resource
from twin.network.regions import Network, Region


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
        for fmt in vars(base.formats).values():  # every format (StoreFormatConfig) has one
            fmt.demand_scale = 0.0
    return base


def resources_of(config: TwinConfig) -> list[Resource]:
    """Pickers, and the compartments of each locker zone that has orders, with their targets."""
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
    """The analytic estimate (:mod:`twin.experiment.sizing_estimate`) of each resource."""
    rates = store_rates_per_h(cfg, region, store_index)
    out = {PICKERS: picker_estimate(cfg, rates, cfg.sizing.ready_within_promise_target)}
    out.update(locker_estimates(cfg, rates, cfg.sizing.overflow_target))
    return {r.name: out[r.name] for r in resources}


def with_capacities(
    config: TwinConfig, store_id: str, capacities: dict[str, int], resources: list[Resource]
) -> TwinConfig:
    """A copy of ``config`` whose store ``store_id`` has these capacities (its override in
    ``fulfilment.store_overrides``, read back by ``FulfilmentConfig.capacity_of``)."""
    trial = copy.deepcopy(config)
    override = copy.deepcopy(trial.fulfilment.store_overrides.get(store_id, CapacityConfig()))
    for r in resources:
        override.set_capacity(r.name, int(capacities[r.name]))
    trial.fulfilment.store_overrides = {**trial.fulfilment.store_overrides, store_id: override}
    return trial


def scaled(base: TwinConfig, scale: float) -> TwinConfig:
    """A copy of ``base`` with its order demand times ``scale``."""
    cfg = copy.deepcopy(base)
    cfg.orders.demand_scale = base.orders.demand_scale * scale
    return cfg
