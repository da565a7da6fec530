"""The built store network: stores, customer zones and regions with their travel tables.

A :class:`Network` is a passive description, built once before time 0 by
:func:`twin.network.build.build_network`. Each :class:`Region` carries numpy tables of road
travel times and distances (:class:`twin.network.tables.TravelTables`), so the event loop
looks a trip up instead of searching a graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from twin.errors import NetworkError
from twin.network.tables import TravelTables, travel_tables


@dataclass(frozen=True, slots=True)
class StoreInfo:
    id: str
    format: str
    x_km: float
    y_km: float
    region: str


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    """A customer zone: a neighbourhood whose shoppers and orders start at one point."""

    id: str
    x_km: float
    y_km: float
    population: int
    region: str


@dataclass(slots=True)
class Region:
    """One metro area, simulated on its own: its stores, zones, road graph and travel tables.

    ``tables`` rows and columns follow the order of ``stores`` and ``zones``; they are
    computed from the road graph on first use (``travel`` None until then), so a parallel run
    computes each region's tables in the worker that simulates it, not in the parent.
    """

    name: str
    stores: list[StoreInfo]
    zones: list[ZoneInfo]
    graph: nx.Graph
    travel: TravelTables | None = None
    # the operations plan (twin.plan.plan.RegionPlan); None: planned where the region runs
    plan: Any = None

    @property
    def tables(self) -> TravelTables:
        """The travel tables (:func:`twin.network.tables.travel_tables`), computed once."""
        if self.travel is None:
            self.travel = travel_tables(
                self.graph, [s.id for s in self.stores], [z.id for z in self.zones]
            )
        return self.travel

    def nearest_store(self, zone_index: int, allowed: np.ndarray) -> int:
        """Index of the store nearest (by road time) to zone ``zone_index`` among ``allowed``.

        ``allowed`` is a boolean mask over ``stores``; ties go to the lower index.

        >>> empty = np.zeros((0, 0))
        >>> tables = TravelTables(np.array([[60.0, 30.0, 30.0]]), *[empty] * 5)
        >>> Region("R1", [], [], nx.Graph(), tables).nearest_store(0, np.array([True, False, True]))
        2
        """
        times = np.where(allowed, self.tables.zone_store_s[zone_index], np.inf)
        best = int(np.argmin(times))
        if not allowed[best]:
            raise NetworkError(
                f"Region {self.name}: no store is allowed for zone index {zone_index}; "
                "check that the mask passed to nearest_store has at least one True."
            )
        return best


@dataclass(slots=True)
class Network:
    regions: list[Region]

    @property
    def stores(self) -> list[StoreInfo]:
        return [store for region in self.regions for store in region.stores]

    @property
    def zones(self) -> list[ZoneInfo]:
        return [zone for region in self.regions for zone in region.zones]

    def region(self, name: str) -> Region:
        for region in self.regions:
            if region.name == name:
                return region
        names = ", ".join(r.name for r in self.regions)
        raise KeyError(f"no region {name!r}; the regions are {names}")

    def to_json_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The ``network.json`` of a run folder (see docs/CONTRACTS.md)."""
        return {
            "stores": [
                {"id": s.id, "format": s.format, "x_km": s.x_km, "y_km": s.y_km, "region": s.region}
                for s in self.stores
            ],
            "zones": [
                {
                    "id": z.id,
                    "x_km": z.x_km,
                    "y_km": z.y_km,
                    "population": z.population,
                    "region": z.region,
                }
                for z in self.zones
            ],
        }
