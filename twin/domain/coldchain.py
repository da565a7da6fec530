"""Cold chain: temperature and freshness of every online order's items, storage to handover.

Plugged in as the last dispatcher (``twin.domain.dispatch.DISPATCHERS``) so the event loop is
untouched: before time 0 :class:`ColdChain` draws what is random (each order's items by product
category, each item's age at pick, locker-zone and van-cooler faults), and after the run
:meth:`ColdChain.logs` rebuilds every handed-over order's journey from its timeline and the last
mile's ``cold_legs()`` and computes it in closed form, vectorised over orders and items:

- **picking**: from ``left_storage_s`` of the item's temperature zone to ``picked_s``, in
  shop-floor air;
- **staging**: a pickup part in its locker zone (a part that found no compartment: in the
  staging area, ``environment.staging_area``, and, if it waited for one, in the locker from
  ``ready_s``) or at the counter / curbside until ``collected_s``; a delivery order in the
  staging area until its first cold leg, and in store storage (cooler / freezer) between
  legs while it waits for a retry;
- **vehicle** and **doorstep**: the last mile's legs (van, bike tote, drone box; doorstep,
  home, redirected locker) until the last leg ends (handover).

Every stage is cut where the air changes (hour of day, fault on / off,
:func:`twin.domain.coldchain_env.split_intervals`), and each item category's chain runs through
:func:`twin.domain.shelf_life.chain_stages`: product temperature lags the air with the
packaging's time constant and shelf life is used at rate ``1 / SL(T)``. An item breaches when
its time above ``max_safe_temp_c`` exceeds ``max_time_above_safe_s``; it is written off
(refunded, its weight to waste) when it breached or its remaining shelf life at handover
(``1 - age at pick - used in the chain``) is below ``write_off_below_remaining_frac``. The
chilled and frozen items of expired pickup orders are written off.

Items of a temperature zone are split over the categories of that zone by their
``order_item_share`` (the zone totals come from the orders); items of a zone without a
category are not tracked. Delivery orders without cold legs (no last mile, or not yet handed
over) are not assessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from twin.config.coldchain import ColdChainConfig
from twin.config.orders import TEMPERATURE_ZONES
from twin.core.sampling import block_drawer
from twin.core.streams import Streams
from twin.domain.coldchain_env import (
    AMBIENT,
    CHILLED,
    COLD_STORE,
    FLOOR,
    LEG_ENVIRONMENTS,
    LOCKER,
    NO_TIMELINE,
    PICK_TOTE,
    PICKING,
    STAGING,
    VAN,
    ColdEnvironment,
    FaultTimelines,
    Intervals,
    Segments,
    draw_faults,
    split_intervals,
)
from twin.domain.coldchain_kpis import (
    EXPIRED_COLUMNS,
    ITEM_COLUMNS,
    NO_BREACH,
    ORDER_COLUMNS,
    ColdChainLog,
)
from twin.domain.orders import COLLECTED, Order
from twin.domain.pickup import LOCKER as LOCKER_METHOD
from twin.domain.shelf_life import Kinetics, chain_stages
from twin.errors import TwinError
from twin.network.regions import Region

if TYPE_CHECKING:
    from twin.domain.online import OnlineOrders

N_ZONES = len(TEMPERATURE_ZONES)
IntervalRow = tuple[int, int, int, int, int, float, float]

__all__ = [
    "ChainSegments",
    "ColdChain",
    "build_cold_chain",
    "expose_chains",
]


class ChainSegments:
    """Each chain's (an order's temperature zone) segments as (chain, k) matrices, in order."""

    __slots__ = ("count", "duration_s", "env_c", "stage", "tau_s")

    def __init__(self, segments: Segments, intervals: Intervals, chains: int) -> None:
        seg_chain = intervals.chain[segments.interval]
        count = np.bincount(seg_chain, minlength=chains)
        rank = np.arange(seg_chain.size) - (np.cumsum(count) - count)[seg_chain]
        shape = (chains, int(count.max()) if chains else 0)
        self.env_c = np.zeros(shape)
        self.duration_s = np.zeros(shape)
        self.tau_s = np.ones(shape)
        self.stage = np.full(shape, -1, dtype=np.int64)
        self.env_c[seg_chain, rank] = segments.env_c
        self.duration_s[seg_chain, rank] = segments.duration_s
        self.tau_s[seg_chain, rank] = segments.tau_s
        self.stage[seg_chain, rank] = intervals.stage[segments.interval]
        self.count = count


def expose_chains(
    kinetics: Kinetics,
    start_temp_c: float,
    max_safe_temp_c: float,
    max_time_above_safe_s: float,
    chains: ChainSegments,
    rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the chains ``rows`` of one category through their segments (ragged chains).

    Returns (used shelf-life fraction, end temperature, breach stage or -1, time above the safe
    temperature), one value per row; the breach stage is the stage of the segment in which the
    cumulative time above the safe temperature first exceeds the allowance.
    """
    count = chains.count[rows]
    width = int(count.max()) if rows.size else 0
    exposure = chain_stages(
        kinetics,
        np.full(rows.size, float(start_temp_c)),
        [
            (chains.env_c[rows, k], chains.duration_s[rows, k], chains.tau_s[rows, k])
            for k in range(width)
        ],
        1.0,  # every stage names its own time constant
        max_safe_temp_c,
        lengths=count,
    )
    above = np.cumsum(exposure.time_above_safe_s, axis=0)
    total = above[-1] if width else np.zeros(rows.size)
    breached = total > max_time_above_safe_s
    stage = np.full(rows.size, NO_BREACH, dtype=np.int64)
    if width:
        column = np.argmax(above > max_time_above_safe_s, axis=0)
        stage[breached] = chains.stage[rows[breached], column[breached]]
    return exposure.consumed_fraction, exposure.end_temp_c, stage, total


class ColdChain:
    """The cold chain of one region's online orders (a dispatcher: see module docstring)."""

    def __init__(
        self,
        region: Region,
        config: ColdChainConfig,
        streams: Streams,
        online: OnlineOrders,
        horizon_s: float,
    ) -> None:
        self.region = region
        self.config = config
        self.online = online
        self.names = list(config.categories)
        self.categories = [config.categories[name] for name in self.names]
        self.zone_of = np.array([TEMPERATURE_ZONES.index(c.zone) for c in self.categories])
        self.kinetics = [
            Kinetics(
                c.model, c.ref_shelf_life_s, c.ref_temp_c, c.q10, c.activation_energy_j_per_mol
            )
            for c in self.categories
        ]
        orders = online.orders
        self.counts = self._draw_items(orders, streams)
        self.ages = [
            np.clip(
                block_drawer(category.age_at_pick_frac, streams.get(f"coldchain.items.age.{name}"))(
                    int(self.counts[:, c].sum())
                ),
                0.0,
                config.max_age_at_pick_frac,  # the age limit of freshest-first picking
            )
            for c, (name, category) in enumerate(zip(self.names, self.categories, strict=True))
        ]
        self.age_offsets = np.cumsum(self.counts, axis=0) - self.counts
        stores = len(region.stores)
        self.van_timeline_offset = stores * N_ZONES
        faults = config.faults
        lockers = draw_faults(
            faults.locker_zone, stores * N_ZONES, horizon_s, streams, "coldchain.fault.locker"
        )
        vans = draw_faults(
            faults.van_cooler, len(orders), horizon_s, streams, "coldchain.fault.van"
        )
        self.faults = FaultTimelines.merged(
            np.concatenate([lockers.timeline, vans.timeline + self.van_timeline_offset]),
            np.concatenate([lockers.start_s, vans.start_s]),
            np.concatenate([lockers.end_s, vans.end_s]),
        )
        self.environment = ColdEnvironment(config, self.faults)
        self.staging_place = COLD_STORE if config.environment.staging_area == "cold" else FLOOR

    def _draw_items(self, orders: Sequence[Order], streams: Streams) -> np.ndarray:
        """Items per (order, category): each zone's units split by the categories' shares."""
        units = np.array([order.units for order in orders], dtype=np.int64).reshape(-1, N_ZONES)
        counts = np.zeros((units.shape[0], len(self.categories)), dtype=np.int64)
        for z, zone in enumerate(TEMPERATURE_ZONES):
            members = np.flatnonzero(self.zone_of == z)
            if members.size == 0 or units.shape[0] == 0:
                continue
            shares = np.array([self.categories[m].order_item_share for m in members], dtype=float)
            shares = (
                shares / shares.sum()
                if shares.sum() > 0
                else np.full(members.size, 1.0 / members.size)
            )
            rng = streams.get(f"coldchain.items.split.{zone}")
            counts[:, members] = rng.multinomial(units[:, z], shares)
        return counts

    # --- after the run ------------------------------------------------------------------------

    def legs_by_order(self) -> dict[int, list[tuple[str, float, float]]]:
        """The last mile's legs by order id, sorted by start (every other dispatcher's)."""
        by_order: dict[int, list[tuple[str, float, float]]] = {}
        for dispatcher in self.online.dispatchers:
            legs = getattr(dispatcher, "cold_legs", None)
            if dispatcher is self or legs is None:
                continue
            for order_id, environment, start_s, end_s in legs():
                if environment not in LEG_ENVIRONMENTS:
                    raise TwinError(
                        f"{type(dispatcher).__name__}.cold_legs(): order {order_id} has a leg in "
                        f"environment {environment!r}; expected one of "
                        f"{', '.join(LEG_ENVIRONMENTS)} (docs/CONTRACTS.md)."
                    )
                by_order.setdefault(int(order_id), []).append(
                    (environment, float(start_s), float(end_s))
                )
        for legs_of_order in by_order.values():
            legs_of_order.sort(key=lambda leg: leg[1])
        return by_order

    def logs(self) -> dict[str, dict[str, Any]]:
        """{store id: {"coldchain": ColdChainLog}} for every store serving online orders."""
        store_of_row, log = self.assess()
        out: dict[str, dict[str, Any]] = {}
        for site in self.online.sites:
            if site is None:
                continue
            index = site.store_index
            out[site.store_id] = {
                "coldchain": ColdChainLog(
                    log.orders[store_of_row[0] == index],
                    log.items[store_of_row[1] == index],
                    log.expired[store_of_row[2] == index],
                )
            }
        return out

    def assess(self) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ColdChainLog]:
        """Every handed-over order's chains, exposed; the store index of each log row."""
        orders = self.online.orders
        legs = self.legs_by_order()
        overflowed = self._overflowed_parts()
        items_by_zone = self.counts @ (self.zone_of[:, None] == np.arange(N_ZONES)[None, :])
        tracked = [[z for z in range(N_ZONES) if row[z]] for row in items_by_zone.tolist()]
        handover = np.full(len(orders), np.nan)
        rows: list[IntervalRow] = []
        chains: list[tuple[int, int]] = []  # (order index, zone)
        for index, order in enumerate(orders):
            end_s = self._handover_s(order, legs)
            if end_s is None:
                continue
            handover[index] = end_s
            for z in tracked[index]:
                chain = len(chains)
                chains.append((index, z))
                self._journey(chain, order, z, end_s, legs.get(order.id, []), overflowed, rows)
        intervals = Intervals.from_rows(rows)
        intervals = intervals.take(np.lexsort((intervals.start_s, intervals.chain)))
        segments = split_intervals(intervals, self.environment)
        matrices = ChainSegments(segments, intervals, len(chains))
        chain_order = np.array([c[0] for c in chains], dtype=np.int64)
        chain_zone = np.array([c[1] for c in chains], dtype=np.int64)
        order_rows, item_rows = self._expose(matrices, chain_order, chain_zone, handover)
        expired_rows = self._expired()
        store = np.array([order.store for order in orders], dtype=np.int64)
        log = ColdChainLog(order_rows, item_rows, expired_rows)
        return (
            (
                store[order_rows[:, 0].astype(np.int64)],
                store[item_rows[:, 0].astype(np.int64)],
                store[expired_rows[:, 0].astype(np.int64)],
            ),
            log,
        )

    def _handover_s(
        self, order: Order, legs: dict[int, list[tuple[str, float, float]]]
    ) -> float | None:
        if order.is_pickup:
            return order.collected_s if order.outcome == COLLECTED else None
        mine = legs.get(order.id)
        return max(leg[2] for leg in mine) if mine else None

    def _journey(
        self,
        chain: int,
        order: Order,
        zone: int,
        handover_s: float,
        legs: list[tuple[str, float, float]],
        overflowed: set[tuple[int, int]],
        rows: list[IntervalRow],
    ) -> None:
        """Append the stage intervals of one order's items of one temperature zone."""
        picked = order.picked_s
        left = order.left_storage_s[zone]
        left = picked if math.isnan(left) else left  # no pick record for the zone
        rows.append((chain, PICKING, PICK_TOTE, zone, NO_TIMELINE, left, picked))
        staging = self.staging_place
        locker_timeline = order.store * N_ZONES + zone
        if order.is_pickup:
            site = self.online.sites[order.store]
            in_locker = site is not None and site.method == LOCKER_METHOD
            if in_locker and (order.id, zone) not in overflowed:
                rows.append((chain, STAGING, LOCKER, zone, locker_timeline, picked, handover_s))
            elif in_locker and site is not None and site.overflow_waits:
                ready = order.ready_s
                rows.append((chain, STAGING, staging, zone, NO_TIMELINE, picked, ready))
                rows.append((chain, STAGING, LOCKER, zone, locker_timeline, ready, handover_s))
            else:
                rows.append((chain, STAGING, staging, zone, NO_TIMELINE, picked, handover_s))
            return
        van_timeline = self.van_timeline_offset + order.id
        at_s = picked
        for environment, start_s, end_s in legs:
            if start_s > at_s:  # at the dispatch desk, or back in store storage for a retry
                place = staging if at_s == picked else COLD_STORE
                rows.append((chain, STAGING, place, zone, NO_TIMELINE, at_s, start_s))
            place, stage = LEG_ENVIRONMENTS[environment]
            timeline = (
                van_timeline
                if place == VAN
                else locker_timeline
                if place == LOCKER
                else NO_TIMELINE
            )
            rows.append((chain, stage, place, zone, timeline, start_s, end_s))
            at_s = max(at_s, end_s)

    def _overflowed_parts(self) -> set[tuple[int, int]]:
        """(order id, zone) of every pickup part that found no free compartment."""
        parts: set[tuple[int, int]] = set()
        for site in self.online.sites:
            if site is not None and site.lockers is not None:
                parts.update(
                    (int(order_id), int(zone))
                    for order_id, zone, _, is_overflow in site.lockers.offer_rows().tolist()
                    if is_overflow
                )
        return parts

    def _expose(
        self,
        matrices: ChainSegments,
        chain_order: np.ndarray,
        chain_zone: np.ndarray,
        handover: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        orders = self.online.orders
        n_orders = len(orders)
        created = np.array([order.created_s for order in orders], dtype=float)
        breach_stage = np.full(n_orders, np.iinfo(np.int64).max)
        time_above = np.zeros(n_orders)
        perishable_items = np.zeros(n_orders)
        threshold = self.config.write_off_below_remaining_frac
        item_blocks: list[np.ndarray] = []
        for c, category in enumerate(self.categories):
            zone = self.zone_of[c]
            rows = np.flatnonzero((chain_zone == zone) & (self.counts[chain_order, c] > 0))
            if rows.size == 0:
                continue
            owner = chain_order[rows]
            used, end_temp, stage, above = expose_chains(
                self.kinetics[c],
                category.storage_temp_c,
                category.max_safe_temp_c,
                category.max_time_above_safe_s,
                matrices,
                rows,
            )
            count = self.counts[owner, c]
            breached = stage != NO_BREACH
            np.minimum.at(breach_stage, owner[breached], stage[breached])
            is_perishable = zone != AMBIENT
            if is_perishable:
                np.maximum.at(time_above, owner, above)
                np.add.at(perishable_items, owner, count)
            item_owner = np.repeat(owner, count)
            within = np.arange(item_owner.size) - np.repeat(np.cumsum(count) - count, count)
            age = self.ages[c][self.age_offsets[item_owner, c] + within]
            item_used = np.repeat(used, count)
            left = 1.0 - age - item_used
            item_breached = np.repeat(breached, count)
            written_off = item_breached | (left < threshold)
            item_columns = {
                "order": item_owner,
                "created_s": created[item_owner],
                "handover_s": handover[item_owner],
                "category": c,
                "is_perishable": is_perishable,
                "is_chilled": zone == CHILLED,
                "left_frac": left,
                "lost_frac": item_used,
                "handover_temp_c": np.repeat(end_temp, count),
                "is_breached": item_breached,
                "is_written_off": written_off,
                "weight_kg": category.weight_per_item_kg,
                "value": category.value_per_item,
            }
            item_blocks.append(_table(item_columns, ITEM_COLUMNS, item_owner.size))
        assessed = np.flatnonzero(~np.isnan(handover))
        stage_of = breach_stage[assessed]
        order_columns = {
            "order": assessed,
            "created_s": created[assessed],
            "handover_s": handover[assessed],
            "perishable_items": perishable_items[assessed],
            "breach_stage": np.where(stage_of == np.iinfo(np.int64).max, NO_BREACH, stage_of),
            "time_above_safe_s": time_above[assessed],
        }
        order_rows = _table(order_columns, ORDER_COLUMNS, assessed.size)
        items = np.concatenate(item_blocks) if item_blocks else np.zeros((0, len(ITEM_COLUMNS)))
        return order_rows, items

    def _expired(self) -> np.ndarray:
        """Write-offs of the chilled and frozen items of expired pickup orders."""
        cold = self.zone_of != AMBIENT
        weight = np.array([c.weight_per_item_kg for c in self.categories]) * cold
        value = np.array([c.value_per_item for c in self.categories]) * cold
        index_of = {order.id: i for i, order in enumerate(self.online.orders)}
        out = []
        for order in self.online.expired:
            i = index_of[order.id]
            counts = self.counts[i]
            items = float((counts * cold).sum())
            if items:
                out.append(
                    (
                        i,
                        order.created_s,
                        order.expired_s,
                        items,
                        float(counts @ weight),
                        float(counts @ value),
                    )
                )
        return np.array(out, dtype=float).reshape(-1, len(EXPIRED_COLUMNS))


def _table(columns: dict[str, Any], names: Sequence[str], rows: int) -> np.ndarray:
    """A float table with the columns ``names`` (scalars are repeated down the rows)."""
    return np.column_stack(
        [np.broadcast_to(np.asarray(columns[name], dtype=float), (rows,)) for name in names]
    ).reshape(rows, len(names))


class _Off:
    """The cold chain when ``coldchain.enabled`` is false: no logs, no KPIs."""

    def logs(self) -> dict[str, dict[str, Any]]:
        return {}


def build_cold_chain(
    env: simpy.Environment,
    region: Region,
    config: Any,
    streams: Streams,
    desks: dict[str, Any],
    orders: OnlineOrders,
) -> ColdChain | _Off:
    """The dispatcher builder registered in ``twin.domain.dispatch.DISPATCHERS``."""
    if not config.coldchain.enabled:
        return _Off()
    return ColdChain(region, config.coldchain, streams, orders, config.run.days * 86400.0)


def _register() -> None:
    """Add the cold-chain KPI domain and dispatcher builder to the registries (once)."""
    from twin.domain.coldchain_kpis import coldchain_kpis
    from twin.domain.dispatch import DISPATCHERS
    from twin.domain.registry import KPI_DOMAINS, KpiDomain, no_series

    KPI_DOMAINS.setdefault(
        "coldchain",
        KpiDomain(coldchain_kpis, no_series, ColdChainLog.concat, ColdChainLog.trim),
    )
    if build_cold_chain not in DISPATCHERS:
        DISPATCHERS.append(build_cold_chain)


_register()
