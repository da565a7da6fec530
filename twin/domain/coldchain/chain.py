"""Cold chain: temperature and freshness of every online order's items, storage to handover.

Wired as the last dispatcher (``DISPATCHERS`` in ``twin/domain/registry.py``) so the event loop is
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

The stage intervals are built in :mod:`twin.domain.coldchain.journey`. Every stage is cut
where the air changes (hour of day, fault on / off,
:func:`twin.domain.coldchain.environment.split_intervals`), and each item category's chain runs
through :func:`twin.domain.coldchain.shelf_life.chain_stages`
(:mod:`twin.domain.coldchain.exposure`): product temperature lags the air with the
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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from twin.config.coldchain import ColdChainConfig
from twin.config.orders import TEMPERATURE_ZONES
from twin.core.sampling import block_drawer
from twin.core.streams import Streams
from twin.domain.coldchain.environment import (
    COLD_STORE,
    FLOOR,
    LEG_ENVIRONMENTS,
    ColdEnvironment,
    FaultTimelines,
    draw_faults,
    hourly_readings,
    split_intervals,
)
from twin.domain.coldchain.exposure import ChainSegments, expired_rows, expose_orders
from twin.domain.coldchain.journey import Leg, journeys
from twin.domain.coldchain.kpis import ColdChainLog
from twin.domain.coldchain.shelf_life_kinetics import Kinetics
from twin.domain.online.orders import Order
from twin.errors import TwinError
from twin.network.regions import Region

if TYPE_CHECKING:
    from twin.domain.online.region import OnlineOrders

N_ZONES = len(TEMPERATURE_ZONES)

__all__ = ["ColdChain", "build_cold_chain"]


class ColdChain:
    """The cold chain of one region's online orders (a dispatcher: see module docstring)."""

    def __init__(
        self,
        region: Region,
        config: ColdChainConfig,
        streams: Streams,
        online: OnlineOrders,
        horizon_s: float,
        records: bool = False,
        before: Sequence[Any] = (),
    ) -> None:
        self.region = region
        self.horizon_s = horizon_s
        self.records = records  # run.records: keep each store's hourly sensor readings
        self.config = config
        self.online = online
        self.before = before  # the dispatchers wired before the cold chain (the last mile)
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

    def legs_by_order(self) -> dict[int, list[Leg]]:
        """The last mile's legs by order id, sorted by start (every earlier dispatcher's)."""
        by_order: dict[int, list[Leg]] = {}
        for dispatcher in self.before:
            legs = getattr(dispatcher, "cold_legs", None)
            if legs is None:
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
                    hourly_readings(self.environment, index, self.horizon_s)
                    if self.records
                    else np.zeros((0, 3)),
                )
            }
        return out

    def assess(self) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ColdChainLog]:
        """Every handed-over order's chains, exposed; the store index of each log row."""
        orders = self.online.orders
        legs = self.legs_by_order()
        items_by_zone = self.counts @ (self.zone_of[:, None] == np.arange(N_ZONES)[None, :])
        tracked = [[z for z in range(N_ZONES) if row[z]] for row in items_by_zone.tolist()]
        intervals, handover, chains = journeys(
            orders,
            legs,
            tracked,
            self.online.sites,
            self.staging_place,
            self.van_timeline_offset,
        )
        segments = split_intervals(intervals, self.environment)
        matrices = ChainSegments(segments, intervals, len(chains))
        chain_order = np.array([c[0] for c in chains], dtype=np.int64)
        chain_zone = np.array([c[1] for c in chains], dtype=np.int64)
        order_rows, item_rows = expose_orders(self, matrices, chain_order, chain_zone, handover)
        expired = expired_rows(self)
        store = np.array([order.store for order in orders], dtype=np.int64)
        log = ColdChainLog(order_rows, item_rows, expired)
        return (
            (
                store[order_rows[:, 0].astype(np.int64)],
                store[item_rows[:, 0].astype(np.int64)],
                store[expired[:, 0].astype(np.int64)],
            ),
            log,
        )


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
    before: Sequence[Any] = (),
) -> ColdChain | _Off:
    """The dispatcher builder listed last in ``DISPATCHERS`` (``twin/domain/registry.py``)."""
    if not config.coldchain.enabled:
        return _Off()
    return ColdChain(
        region,
        config.coldchain,
        streams,
        orders,
        config.run.days * 86400.0,
        config.run.records,
        before,
    )
