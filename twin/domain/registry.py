"""The wiring of the domains: every registration of the model, listed in one place.

A store format builds a site in an environment; after the run a site (or a region-level
domain such as online orders) hands back plain logs keyed by KPI domain. Each KPI domain knows
how to turn a log into KPI rows and time series, and how to pool logs of several stores.

This module imports the domains; no domain imports it, and no domain registers itself on
import (``tests/unit/test_wiring.py``). Read top to bottom:

1. :data:`FORMATS`: store format -> site builder (the stores of a region, built first);
2. :data:`REGION_BUILDERS`: region-level domains built after the stores (online orders);
3. :data:`DISPATCHERS`: the builders the model wires to each region domain's dispatch desks,
   in this order (the cold chain reads the last mile's legs after the run: it comes last);
4. :data:`KPI_DOMAINS`: KPI domain -> how its logs become KPI rows and time series;
5. :data:`RECORD_TABLES`: which KPI domain's log each ``run.records`` table is made from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import StoreFormatConfig
from twin.core.streams import Streams
from twin.domain.coldchain.chain import build_cold_chain
from twin.domain.coldchain.kpis import (
    ColdChainLog,
    coldchain_kpis,
    coldchain_loss_kpis,
    coldchain_shelf_life_kpis,
)
from twin.domain.common import Series, Window
from twin.domain.lastmile.delivery_kpis import delivery_kpis, delivery_series
from twin.domain.lastmile.delivery_log import DeliveryLog
from twin.domain.lastmile.dispatcher import build_last_mile
from twin.domain.online.dispatch import DispatchDesk, DispatcherBuilder
from twin.domain.online.lockers import LockerLog
from twin.domain.online.lockers_kpis import lockers_kpis, lockers_series
from twin.domain.online.orders_kpis import OrdersLog, orders_kpis, orders_series
from twin.domain.online.picking import PickingLog
from twin.domain.online.picking_kpis import picking_kpis, picking_series
from twin.domain.online.region import build_online_orders
from twin.domain.records import (
    RecordMaker,
    checkout_rosters,
    checkout_visits,
    jwo_visits,
    locker_stays,
    order_records,
    store_visits,
    temperatures,
    vehicle_trips,
)
from twin.domain.stores.bar import BarLog, BarSite
from twin.domain.stores.bar_kpis import bar_kpis, bar_series
from twin.domain.stores.books_kpis import books_kpis, books_series
from twin.domain.stores.bookstore import BooksLog, BookstoreSite
from twin.domain.stores.checkout import CheckoutLog
from twin.domain.stores.grocery import GrocerySite
from twin.domain.stores.grocery_kpis import (
    checkout_lines_kpis,
    checkout_trim,
    checkout_utilisation_kpis,
    checkout_visit_kpis,
    grocery_kpis,
    grocery_series,
)
from twin.domain.stores.jwo import JwoLog, JwoSite
from twin.domain.stores.jwo_kpis import jwo_kpis, jwo_series
from twin.domain.stores.site import StoreContext
from twin.domain.stores.store_kpis import (
    StoreLog,
    store_kpis,
    store_occupancy_kpis,
    store_series,
    store_visit_kpis,
)
from twin.kpi.catalog import KpiRows
from twin.network.regions import Region


class Site(Protocol):
    """A store wired into an environment. A site whose shoppers may still be inside at the
    horizon also has ``last_shopper_left`` (a simpy event): the run drains until it triggers."""

    def logs(self) -> dict[str, Any]: ...


FormatT = TypeVar("FormatT", bound=StoreFormatConfig, contravariant=True)


class SiteBuilder(Protocol[FormatT]):
    """Wires one store of a format into an environment: every format's site class is one.

    ``fmt`` is the format's own config (``formats.<name>``, a :class:`StoreFormatConfig`);
    ``context`` carries the store's id, hours, horizon, random streams and planned lanes.
    """

    def __call__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: FormatT,
        demand: DemandConfig,
        run: RunConfig,
    ) -> Site: ...


class RegionDomain(Protocol):
    """A region-level domain: its stores' dispatch desks, started once the dispatchers are
    wired to them, and its logs after the run ({store id: {kpi domain: log}})."""

    desks: dict[str, DispatchDesk]

    def start(self) -> None: ...

    def logs(self) -> dict[str, dict[str, Any]]: ...


# builder(env, region, config, streams, sites by store id) -> RegionDomain
RegionBuilder = Callable[[simpy.Environment, Region, Any, Streams, dict[str, Site]], RegionDomain]


def whole_log(log: Any, window: Window) -> Any:
    """For KPI domains whose KPIs over a window read every row of the log."""
    return log


def no_series(log: Any, window: Window, bin_s: float) -> list[Series]:
    """For KPI domains without time series."""
    return []


KpiPart = Callable[[KpiRows, Any, Window], None]  # adds a domain's KPI rows of a log


@dataclass(frozen=True)
class KpiDomain:
    """How one KPI domain's logs become KPI rows and time series."""

    kpis: KpiPart
    series: Callable[[Any, Window, float], list[Series]]
    concat: Callable[[list[Any]], Any]
    # The part of a log that ``kpis`` and ``series`` over a window read: what a region hands
    # over for the network-wide rows (less to send between processes and to pool).
    trim: Callable[[Any, Window], Any] = whole_log
    # ``kpis`` in parts that each read the log on their own, in row order (``kpis`` is the
    # parts one after another): the network's rows, a whole network's log pooled, run each
    # part on a thread of its own. Empty: ``kpis`` is one part.
    parts: tuple[KpiPart, ...] = ()


# 1. format name (a field of FormatsConfig) -> its site builder (the format's site class)
FORMATS: dict[str, SiteBuilder[Any]] = {
    "grocery": GrocerySite,
    "jwo": JwoSite,
    "bookstore": BookstoreSite,
    "bar": BarSite,
}

# 2. region-level domains, built in this order after the stores
REGION_BUILDERS: list[RegionBuilder] = [build_online_orders]

# 3. dispatchers wired to each region domain's desks, in this order (twin.domain.online.dispatch)
DISPATCHERS: list[DispatcherBuilder] = [build_last_mile, build_cold_chain]

# 4. KPI domain -> its KPIs, series and pooling: stores, then online orders, then the last mile
KPI_DOMAINS: dict[str, KpiDomain] = {
    "store": KpiDomain(
        store_kpis, store_series, StoreLog.concat, parts=(store_visit_kpis, store_occupancy_kpis)
    ),
    "checkout": KpiDomain(
        grocery_kpis,
        grocery_series,
        CheckoutLog.concat,
        checkout_trim,
        parts=(checkout_visit_kpis, checkout_utilisation_kpis, checkout_lines_kpis),
    ),
    "jwo": KpiDomain(jwo_kpis, jwo_series, JwoLog.concat),
    "books": KpiDomain(books_kpis, books_series, BooksLog.concat),
    "bar": KpiDomain(bar_kpis, bar_series, BarLog.concat),
    "orders": KpiDomain(orders_kpis, orders_series, OrdersLog.concat),
    "picking": KpiDomain(picking_kpis, picking_series, PickingLog.concat),
    "lockers": KpiDomain(lockers_kpis, lockers_series, LockerLog.concat),
    "delivery": KpiDomain(delivery_kpis, delivery_series, DeliveryLog.concat),
    "coldchain": KpiDomain(
        coldchain_kpis,
        no_series,
        ColdChainLog.concat,
        ColdChainLog.trim,
        parts=(coldchain_shelf_life_kpis, coldchain_loss_kpis),
    ),
}

# 5. run.records tables (twin.data.schema): (table, KPI domain, maker), the first that applies
RECORD_TABLES: tuple[RecordMaker, ...] = (
    ("visits", "checkout", checkout_visits),  # a store with tills: every shopper at the tills
    ("rosters", "checkout", checkout_rosters),
    ("visits", "store", store_visits),  # a format without tills: arrival, leave, spend
    ("jwo_visits", "jwo", jwo_visits),
    ("orders", "orders", order_records),
    ("locker_stays", "lockers", locker_stays),
    ("trips", "delivery", vehicle_trips),
    ("temperatures", "coldchain", temperatures),  # only when readings were kept
)

__all__ = [
    "DISPATCHERS",
    "FORMATS",
    "KPI_DOMAINS",
    "RECORD_TABLES",
    "REGION_BUILDERS",
    "KpiDomain",
    "RegionDomain",
    "Site",
    "no_series",
    "whole_log",
]
