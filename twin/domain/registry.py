"""The explicit registries of store formats and KPI domains.

A store format builds a site in an environment; after the run a site (or a region-level
domain such as online orders) hands back plain logs keyed by KPI domain. Each KPI domain knows
how to turn a log into KPI rows and time series, and how to pool logs of several stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import StoreFormatConfig
from twin.domain.bar import BarLog, BarSite
from twin.domain.bar_kpis import bar_kpis, bar_series
from twin.domain.books_kpis import books_kpis, books_series
from twin.domain.bookstore import BooksLog, BookstoreSite
from twin.domain.checkout import CheckoutLog
from twin.domain.common import Series, Window
from twin.domain.grocery import GrocerySite
from twin.domain.grocery_kpis import grocery_kpis, grocery_series
from twin.domain.jwo import JwoLog, JwoSite
from twin.domain.jwo_kpis import jwo_kpis, jwo_series
from twin.domain.site import StoreContext
from twin.domain.store_kpis import StoreLog, store_kpis, store_series
from twin.kpi.catalog import KpiRows


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


def whole_log(log: Any, window: Window) -> Any:
    """For KPI domains whose KPIs over a window read every row of the log."""
    return log


@dataclass(frozen=True)
class KpiDomain:
    """How one KPI domain's logs become KPI rows and time series."""

    kpis: Callable[[KpiRows, Any, Window], None]
    series: Callable[[Any, Window, float], list[Series]]
    concat: Callable[[list[Any]], Any]
    # The part of a log that ``kpis`` and ``series`` over a window read: what a region hands
    # over for the network-wide rows (less to send between processes and to pool).
    trim: Callable[[Any, Window], Any] = whole_log


# format name (a field of FormatsConfig) -> its site builder
FORMATS: dict[str, SiteBuilder[Any]] = {
    "grocery": GrocerySite,
    "jwo": JwoSite,
    "bookstore": BookstoreSite,
    "bar": BarSite,
}

KPI_DOMAINS: dict[str, KpiDomain] = {
    "store": KpiDomain(store_kpis, store_series, StoreLog.concat),
    "checkout": KpiDomain(grocery_kpis, grocery_series, CheckoutLog.concat),
    "jwo": KpiDomain(jwo_kpis, jwo_series, JwoLog.concat),
    "books": KpiDomain(books_kpis, books_series, BooksLog.concat),
    "bar": KpiDomain(bar_kpis, bar_series, BarLog.concat),
}

# Region-level builders; twin.model.REGION_BUILDERS is this list. It lives here so that the
# region-level domains imported at the bottom of this module can register on import.
REGION_BUILDERS: list[Callable[..., Any]] = []


def no_series(log: Any, window: Window, bin_s: float) -> list[Series]:
    """For KPI domains without time series."""
    return []


__all__ = ["FORMATS", "KPI_DOMAINS", "KpiDomain", "Site", "no_series", "np", "whole_log"]

# Region-level domains: importing them registers their KPI domains and region builders, in
# this order (the cold chain reads the last mile's cold legs after the run: keep it last).
# isort: split
from twin.domain import online as _online  # noqa: E402, F401  (online orders, pickup)

# isort: split
from twin.domain import lastmile as _lastmile  # noqa: E402, F401  (couriers, drones)

# isort: split
from twin.domain import coldchain as _coldchain  # noqa: E402, F401  (cold chain)
