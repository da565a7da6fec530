"""Expected load of each store by weekday and hour, from the configuration alone.

Everything here is an expectation computed from the demand profiles, the zone assignment of
online orders and the configured service-time means: nothing is simulated, so the plan never
depends on a run's outcomes. Weeks are (7, 24) arrays, row 0 = Monday. Basket moments use a
fixed sample from their own seed (not a simulation stream).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from twin.config.checkout import CheckoutConfig
from twin.config.orders import CHANNELS, TEMPERATURE_ZONES, SlotsConfig
from twin.config.schema import DemandConfig, TwinConfig
from twin.config.store_formats import StoreFormatConfig
from twin.core.arrivals import hourly_rates_per_s
from twin.core.sampling import DistSpec, block_drawer, dist_mean
from twin.domain.online.bar_orders import nearest_zone
from twin.domain.online.orders_rates import channel_rates, offering_stores
from twin.domain.online.pick_lists import split_tasks
from twin.domain.stores.shopper_choices import sco_choices
from twin.network.catchment import zone_store_matrix
from twin.network.regions import Region

WEEK = (7, 24)
SAMPLE = 20_000  # baskets per moment estimate
LOAD_SEED = 20261204  # the planner's own seed: estimates are repeatable and touch no stream


def shift_week(week: np.ndarray, hours: float) -> np.ndarray:
    """A (7, 24) hourly rate moved ``hours`` later (fractional hours split over two hours).

    >>> week = np.zeros(WEEK); week[0, 10] = 60.0
    >>> shifted = shift_week(week, 0.5)
    >>> float(shifted[0, 10]), float(shifted[0, 11])
    (30.0, 30.0)
    """
    flat = week.ravel()
    whole = math.floor(hours)
    frac = hours - whole
    out = (1.0 - frac) * np.roll(flat, whole) + frac * np.roll(flat, whole + 1)
    return out.reshape(WEEK)


def delayed_week(week: np.ndarray, delay_s: DistSpec) -> np.ndarray:
    """A (7, 24) hourly rate whose events each happen ``delay_s`` later (delays over a week
    wrap around: the week repeats), from a fixed sample of delays rounded to whole hours.

    >>> week = np.zeros(WEEK); week[0, 10] = 60.0
    >>> later = delayed_week(week, DistSpec("fixed", 7200.0))
    >>> float(later[0, 12])
    60.0
    """
    delays_h = block_drawer(delay_s, np.random.default_rng(LOAD_SEED))(SAMPLE) / 3600.0
    hours = week.size
    pmf = np.bincount(np.round(delays_h).astype(np.int64) % hours, minlength=hours) / SAMPLE
    flat = week.ravel()
    out = np.zeros(hours)
    for lag in np.flatnonzero(pmf).tolist():
        out += pmf[lag] * np.roll(flat, lag)
    return out.reshape(WEEK)


def walk_in_week_per_h(demand: DemandConfig, fmt: StoreFormatConfig) -> np.ndarray:
    """Expected walk-in arrivals per hour, (7, 24), as the stores of a format draw them."""
    rates = hourly_rates_per_s(
        demand.daily_shoppers_per_store * fmt.demand_scale,
        demand.weekday_hour_shares,
        demand.weekend_hour_shares,
        demand.day_factors,
        fmt.open_hour,
        fmt.close_hour,
        7,
        0,
    )
    return rates.reshape(WEEK) * 3600.0


def booked_spread(slots: SlotsConfig, promise_s: float, release_s: float) -> np.ndarray:
    """(24, 24): of the pick work of a booked order placed in hour ``h`` (at a uniform time),
    the expected share done in each hour of the day.

    Its window starts as :func:`twin.domain.online.orders.booked_due_s` says (``slots.lead_s``
    from a fixed sample); its tasks go to the pickers ``release_s`` before that (or at once),
    and the planner spreads its work evenly from then to the window (work past midnight is
    dropped).

    >>> from twin.core.sampling import DistSpec
    >>> spread = booked_spread(SlotsConfig(1.0, DistSpec("fixed", 7200.0), 21), 900.0, 3600.0)
    >>> [round(float(x), 2) for x in spread[10, 10:14]]  # 10:xx -> window 12:xx, work 11-13
    [0.0, 0.5, 0.5, 0.0]
    """
    rng = np.random.default_rng(LOAD_SEED + 7)
    lead_s = block_drawer(slots.lead_s, rng)(SAMPLE)
    at_s = rng.random(SAMPLE) * 3600.0
    last_s = slots.last_start_hour * 3600.0
    edges = np.arange(25) * 3600.0
    out = np.zeros((24, 24))
    for hour in range(24):
        created = hour * 3600.0 + at_s
        wanted = created + lead_s
        due = np.maximum(
            created + promise_s, np.where(wanted <= last_s, wanted, 2.0 * last_s - wanted)
        )
        start = np.maximum(created, due - release_s)
        overlap = np.clip(
            np.minimum(due[:, None], edges[None, 1:])
            - np.maximum(start[:, None], edges[None, :-1]),
            0.0,
            None,
        )
        out[hour] = (overlap / (due - start)[:, None]).mean(axis=0)
    return out


@dataclass(frozen=True)
class TillMoments:
    time_in_store_h: float  # mean browse time before the tills
    staffed_frac: float  # share of shoppers at the tills who use a staffed lane
    staffed_service_s: float  # mean staffed service time
    sco_service_s: float


def till_moments(demand: DemandConfig, checkout: CheckoutConfig) -> TillMoments:
    """Means of the shoppers reaching the tills, from a fixed sample of baskets."""
    rng = np.random.default_rng(LOAD_SEED)
    basket = demand.basket
    quick = rng.random(SAMPLE) < basket.quick_share
    units = np.maximum(
        1.0,
        np.round(
            np.where(
                quick,
                block_drawer(basket.quick_units, rng)(SAMPLE),
                block_drawer(basket.stockup_units, rng)(SAMPLE),
            )
        ),
    )
    p_sco = sco_choices(checkout, units, rng.random(SAMPLE)).astype(float)  # as the stores choose
    staffed_w = 1.0 - p_sco
    staffed_frac = float(staffed_w.mean())
    staffed_units = float((staffed_w * units).sum() / staffed_w.sum()) if staffed_frac else 0.0
    sco_units = float((p_sco * units).sum() / p_sco.sum()) if p_sco.sum() else 0.0

    def service(cfg: object, n: float) -> float:
        return (
            dist_mean(cfg.fixed_s)  # type: ignore[attr-defined]
            + dist_mean(cfg.per_item_s) * n  # type: ignore[attr-defined]
            + dist_mean(cfg.payment_s)  # type: ignore[attr-defined]
        )

    browse_s = dist_mean(demand.browse_fixed_s) + dist_mean(demand.browse_per_item_s) * float(
        units.mean()
    )
    return TillMoments(
        browse_s / 3600.0,
        staffed_frac,
        service(checkout.staffed, staffed_units),
        service(checkout.self_checkout, sco_units),
    )


@dataclass(frozen=True)
class PickMoments:
    """Picking work of one channel's orders, from a fixed sample of baskets."""

    work_s: float  # mean picker seconds per order: items, plus a walk and a staging per task
    task_s: float  # mean seconds per pick task
    tasks: list[list[float]]  # each sampled order's task durations, in pick order
    most_tasks: int  # the most tasks of a sampled order (more pickers do not help it)

    def makespans(self, pickers: int) -> np.ndarray:
        """Each sampled order's pick time on ``pickers`` idle pickers (its tasks in parallel)."""
        return parallel_makespans(self.tasks, pickers)


def parallel_makespans(tasks_by_order: list[list[float]], pickers: int) -> np.ndarray:
    """Each order's pick time when its tasks go, in list order, to ``pickers`` idle pickers."""
    out = np.empty(len(tasks_by_order))
    for i, tasks in enumerate(tasks_by_order):
        free = [0.0] * min(pickers, len(tasks))
        for seconds in tasks:
            heapq.heapreplace(free, free[0] + seconds)
        out[i] = max(free)
    return out


def pick_moments(config: TwinConfig, channel: str, sample: int = 1000) -> PickMoments:
    """Mean picking work and task durations of ``channel``'s orders (mean item times)."""
    orders = config.orders
    picking = config.fulfilment.store.picking
    rng = np.random.default_rng(LOAD_SEED + 1 + CHANNELS.index(channel))
    units = np.maximum(
        1, np.round(block_drawer(getattr(orders, channel).basket_units, rng)(sample))
    ).astype(np.int64)
    shares = np.array(orders.zones.shares())
    split = rng.multinomial(units, shares / shares.sum())
    per_item = [dist_mean(getattr(picking.per_item_s, z)) for z in TEMPERATURE_ZONES]
    overhead = dist_mean(picking.walk_s) + dist_mean(picking.stage_s)
    tasks = []
    for parts in split.tolist():
        items = [[per_item[z]] * parts[z] for z in range(len(TEMPERATURE_ZONES))]
        cut = split_tasks(items, picking.split_by_zone, picking.max_items_per_task)
        tasks.append([overhead + sum(task_s) for _, task_s in cut])
    durations = [s for order in tasks for s in order]
    return PickMoments(
        float(sum(durations)) / sample,
        float(np.mean(durations)) if durations else 0.0,
        tasks,
        max([len(order) for order in tasks], default=1) or 1,
    )


@dataclass(frozen=True)
class OnlineLoad:
    """Expected online orders of a region's stores under the zone assignment."""

    per_h: np.ndarray  # (channels, stores, 7, 24) orders per hour
    by_zone: np.ndarray  # (channels, zones, stores) orders per week from each zone

    def zone_weights(self, store: int, channels: list[int]) -> np.ndarray:
        """Share of a store's orders of ``channels`` from each zone (zeros when it has none)."""
        weights = self.by_zone[channels, :, store].sum(axis=0)
        total = weights.sum()
        return weights / total if total > 0 else weights


def online_load(config: TwinConfig, region: Region) -> OnlineLoad:
    """Expected online orders per store and hour, and per zone (see :class:`OnlineLoad`)."""
    fulfilment = config.fulfilment
    detour_s = fulfilment.balance_detour_s if fulfilment.assignment == "balanced" else 0.0
    n_stores, n_zones = len(region.stores), len(region.zones)
    per_h = np.zeros((len(CHANNELS), n_stores, *WEEK))
    by_zone = np.zeros((len(CHANNELS), n_zones, n_stores))
    for c, channel in enumerate(CHANNELS):
        per_zone = channel_rates(region, config.orders, fulfilment, channel, 7, 0).per_zone
        if not per_zone.size or not per_zone.any():
            continue
        assign = zone_store_matrix(region, offering_stores(region, fulfilment, channel), detour_s)
        per_h[c] = (assign.T @ per_zone).reshape(n_stores, *WEEK) * 3600.0
        by_zone[c] = per_zone.sum(axis=1)[:, None] * 3600.0 * assign
    _add_bar_orders(config, region, detour_s, per_h, by_zone)
    return OnlineLoad(per_h, by_zone)


def _add_bar_orders(
    config: TwinConfig, region: Region, detour_s: float, per_h: np.ndarray, by_zone: np.ndarray
) -> None:
    """Add the orders the region's kiosk bars' receipt codes become (twin.domain.online.bar_orders):
    visitors x p_accept x p_online_order, placed ``online_delay_s`` later from the zone
    nearest the bar, delivered with ``online_delivery_share``, else picked up."""
    bars = [b for b, store in enumerate(region.stores) if store.format == "bar"]
    fmt = config.formats.bar
    codes = walk_in_week_per_h(config.demand, fmt) * fmt.p_accept * fmt.p_online_order
    if not bars or not codes.any():
        return
    codes = delayed_week(codes, fmt.online_delay_s)  # the same week at every bar
    share = {"delivery": fmt.online_delivery_share, "pickup": 1 - fmt.online_delivery_share}
    for channel, frac in share.items():
        c = CHANNELS.index(channel)
        offering = offering_stores(region, config.fulfilment, channel)
        assign = zone_store_matrix(region, offering, detour_s)  # (zones, stores)
        for b in bars:
            zone = nearest_zone(region, b)
            per_h[c] += assign[zone][:, None, None] * codes[None] * frac
            by_zone[c, zone] += assign[zone] * float(codes.sum()) * frac
