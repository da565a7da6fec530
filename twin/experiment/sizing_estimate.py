"""Analytic starting points for ``twin-size``: Erlang C for pickers, Erlang B for lockers.

Both use the store's busiest hour (its expected order rate from the same rate tables the
model draws from), so they lean high; the simulation search then steps down or up. Basket
moments (pick tasks per order, task durations, compartments per part) come from a fixed
sample of baskets drawn with the configured distributions and cut with the model's own
:func:`twin.domain.online.pick_lists.split_tasks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.config.orders import CHANNELS, TEMPERATURE_ZONES
from twin.config.schema import TwinConfig
from twin.core.sampling import block_drawer, dist_mean
from twin.domain.online.orders_rates import channel_rates
from twin.domain.online.pick_lists import locker_needs, split_tasks
from twin.kpi.theory import erlang_c, servers_for_blocking
from twin.network.catchment import zone_stores
from twin.network.regions import Region
from twin.plan.load import parallel_makespans

SAMPLE = 4000  # baskets per channel for the moments (a fixed seed: estimates are repeatable)
ESTIMATE_SEED = 20240415


@dataclass(frozen=True)
class Estimate:
    """An analytic capacity with the numbers behind it (kept in sizing.json)."""

    capacity: int
    offered_erlangs: float
    arrivals_per_h: float
    mean_service_s: float  # pick task (pickers) or compartment stay (lockers)
    method: str


def store_rates_per_h(config: TwinConfig, region: Region, store_index: int) -> np.ndarray:
    """Expected orders per hour at one store, (channels, hours), under the zone assignment."""
    run = config.run
    fulfilment = config.fulfilment
    detour_s = fulfilment.balance_detour_s if fulfilment.assignment == "balanced" else 0.0
    out = []
    for channel in CHANNELS:
        rates = channel_rates(
            region, config.orders, config.fulfilment, channel, run.days, run.start_weekday
        ).per_zone
        mask = np.array([config.fulfilment.offers(s.format, channel) for s in region.stores])
        if not mask.any():
            out.append(np.zeros(rates.shape[1]))
            continue
        served = np.array(zone_stores(region, mask, detour_s)) == store_index
        out.append(rates[served].sum(axis=0) * 3600.0)
    return np.array(out)


@dataclass(frozen=True)
class BasketMoments:
    tasks_per_order: float
    task_s: float  # mean pick-task duration incl. walk and staging
    longest_task_s: float  # mean of an order's longest task (its pick makespan if parallel)
    has_zone: np.ndarray  # P(order has items in zone), per zone
    compartments: np.ndarray  # mean compartments of a part, per zone
    longest_by_order: np.ndarray
    tasks_by_order: list[list[float]]  # task durations of each sampled order

    def makespans(self, pickers: int) -> np.ndarray:
        """Each sampled order's pick time on ``pickers`` idle pickers (tasks in list order)."""
        return parallel_makespans(self.tasks_by_order, pickers)


def basket_moments(config: TwinConfig, channel: str) -> BasketMoments:
    orders = config.orders
    picking = config.fulfilment.store.picking
    rng = np.random.default_rng(ESTIMATE_SEED + CHANNELS.index(channel))
    units = np.maximum(
        1, np.round(block_drawer(getattr(orders, channel).basket_units, rng)(SAMPLE))
    ).astype(np.int64)
    shares = np.array(orders.zones.shares())
    split = rng.multinomial(units, shares / shares.sum())
    per_item = [dist_mean(getattr(picking.per_item_s, z)) for z in TEMPERATURE_ZONES]
    overhead = dist_mean(picking.walk_s) + dist_mean(picking.stage_s)
    durations: list[float] = []
    by_order: list[list[float]] = []
    longest = np.zeros(SAMPLE)
    for i, parts in enumerate(split.tolist()):
        items = [[per_item[z]] * parts[z] for z in range(len(TEMPERATURE_ZONES))]
        tasks = split_tasks(items, picking.split_by_zone, picking.max_items_per_task)
        seconds = [overhead + sum(task_s) for _, task_s in tasks]
        durations.extend(seconds)
        by_order.append(seconds)
        longest[i] = max(seconds)
    volume = np.zeros(split.shape)
    for z, name in enumerate(TEMPERATURE_ZONES):
        draws = block_drawer(getattr(orders.zones, name).volume_l, rng)(int(split[:, z].sum()))
        volume[:, z] = np.bincount(
            np.repeat(np.arange(SAMPLE), split[:, z]), draws, minlength=SAMPLE
        )
    _, counts = locker_needs(volume, config.fulfilment.store.lockers)
    has = split > 0
    mean_counts = np.array(
        [
            counts[has[:, z], z].mean() if has[:, z].any() else 0.0
            for z in range(len(TEMPERATURE_ZONES))
        ]
    )
    return BasketMoments(
        len(durations) / SAMPLE,
        float(np.mean(durations)),
        float(longest.mean()),
        has.mean(axis=0),
        mean_counts,
        longest,
        by_order,
    )


def picker_estimate(config: TwinConfig, rates_per_h: np.ndarray, target: float) -> Estimate:
    """Smallest c with P(ready within promise) >= target at the peak hour, M/M/c waits.

    Tasks of all channels pool into one M/M/c queue (Erlang C): a task waits longer than t
    with probability ``C(c, a) exp(-(c mu - lambda) t)``. A pickup order is ready in time
    when its wait leaves room for its own picking:
    ``P(ready) = E[1 - C exp(-(c mu - lambda)(promise - L_c)); L_c < promise]``, with ``L_c``
    the sampled orders' pick makespans on c idle pickers (an order's tasks in parallel).
    """
    moments = {channel: basket_moments(config, channel) for channel in CHANNELS}
    task_rate_h = sum(rates_per_h[i] * moments[c].tasks_per_order for i, c in enumerate(CHANNELS))
    peak_hour = int(np.argmax(task_rate_h)) if np.size(task_rate_h) else 0
    peak = float(task_rate_h[peak_hour]) if np.size(task_rate_h) else 0.0
    work = sum(
        rates_per_h[i][peak_hour] * moments[c].tasks_per_order * moments[c].task_s
        for i, c in enumerate(CHANNELS)
    )
    mean_task_s = float(work / peak) if peak > 0 else moments["pickup"].task_s
    offered = peak / 3600.0 * mean_task_s
    if offered <= 0:
        return Estimate(1, 0.0, 0.0, mean_task_s, "no orders at this store")
    promise_s = config.orders.pickup.promise_s
    best = float(np.mean(moments["pickup"].longest_by_order < promise_s))  # unlimited pickers
    c = max(1, math.floor(offered) + 1)
    while c < 10_000:
        slack = promise_s - moments["pickup"].makespans(c)
        in_time = slack > 0
        decay = (c - offered) / mean_task_s
        waits_too_long = erlang_c(c, offered) * np.exp(-decay * np.where(in_time, slack, 0.0))
        if float(np.mean(np.where(in_time, 1.0 - waits_too_long, 0.0))) >= min(target, best):
            break
        c += 1
    note = "" if best >= target else f"; only {best:.1%} of orders can be picked in time at all"
    return Estimate(
        c,
        offered,
        peak,
        mean_task_s,
        "Erlang C at the peak hour with sampled pick makespans" + note,
    )


def locker_estimates(
    config: TwinConfig, rates_per_h: np.ndarray, target: float
) -> dict[str, Estimate]:
    """Per zone, Erlang B servers for the overflow target at the peak hour's offered load."""
    moments = basket_moments(config, "pickup")
    pickup = CHANNELS.index("pickup")
    peak = float(np.max(rates_per_h[pickup])) if rates_per_h[pickup].size else 0.0
    hold = mean_locker_stay_s(config, moments)
    out = {}
    for z, zone in enumerate(TEMPERATURE_ZONES):
        arrivals = peak * float(moments.has_zone[z])
        offered = arrivals / 3600.0 * hold * float(moments.compartments[z])
        capacity = servers_for_blocking(offered, target) if 0 < target < 1 else 1
        out[f"lockers.{zone}"] = Estimate(
            max(1, capacity),
            offered,
            arrivals,
            hold,
            "Erlang B at the peak hour (compartments x stay)",
        )
    return out


def mean_locker_stay_s(config: TwinConfig, moments: BasketMoments) -> float:
    """Mean stay in a compartment: ready -> customer collects (or the hold limit)."""
    collection = config.fulfilment.store.collection
    rng = np.random.default_rng(ESTIMATE_SEED)
    n = moments.longest_by_order.size
    dwell = block_drawer(collection.dwell_s, rng)(n)
    retrieval = dist_mean(config.fulfilment.store.lockers.retrieval_s)
    ready = moments.longest_by_order  # after ordering, no queueing
    if collection.relative_to == "promise":
        early = block_drawer(collection.early_s, rng)(n)
        is_early = rng.random(n) < collection.early_frac
        arrive = config.orders.pickup.promise_s + np.where(is_early, -early, dwell)
        slot = np.maximum(ready, config.orders.pickup.promise_s)
    else:
        arrive = ready + dwell
        slot = ready
    stay = np.maximum(arrive - ready, 0.0) + retrieval
    limit = slot + collection.grocery_hold_s - ready
    return float(np.mean(np.minimum(stay, limit)))
