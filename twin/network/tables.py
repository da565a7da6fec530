"""Travel-time and distance tables of one region, computed once from its road graph.

The simulation reads these arrays; it never searches the graph. Times are seconds along the
fastest road route; the km tables give the length of that same route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from twin.network.roads import air_km_matrix


@dataclass(slots=True)
class TravelTables:
    """Road seconds (fastest route), that route's km and straight-line km, by index."""

    zone_store_s: np.ndarray  # (zones, stores)
    zone_store_km: np.ndarray  # (zones, stores)
    zone_store_air_km: np.ndarray  # (zones, stores)
    store_store_s: np.ndarray  # (stores, stores)
    zone_zone_s: np.ndarray  # (zones, zones)
    zone_zone_km: np.ndarray  # (zones, zones)


def tree_km(graph: nx.Graph, paths: dict[str, list[str]]) -> dict[str, float]:
    """Km along each path of a shortest-path tree, edge ``km`` added from the source outwards.

    Every path extends its parent's by one edge, so each node costs one addition.
    """
    adjacency = graph.adj
    km: dict[str, float] = {}
    for node, path in sorted(paths.items(), key=lambda item: len(item[1])):
        if len(path) == 1:
            km[node] = 0.0
        else:
            parent = path[-2]
            km[node] = km[parent] + adjacency[parent][node]["km"]
    return km


def positions(graph: nx.Graph, node_ids: Sequence[str]) -> np.ndarray:
    nodes = graph.nodes
    return np.array([[nodes[n]["x_km"], nodes[n]["y_km"]] for n in node_ids], dtype=float)


def travel_tables(
    graph: nx.Graph, store_ids: Sequence[str], zone_ids: Sequence[str]
) -> TravelTables:
    """All zone-store, store-store and zone-zone tables of a connected road ``graph``.

    Edges need ``km`` and ``travel_s``, nodes ``x_km`` and ``y_km``. One Dijkstra search runs
    from every zone and every store.
    """
    targets = [*store_ids, *zone_ids]
    from_zone_s = np.empty((len(zone_ids), len(targets)))
    from_zone_km = np.empty_like(from_zone_s)
    for row, zone in enumerate(zone_ids):
        seconds, paths = nx.single_source_dijkstra(graph, zone, weight="travel_s")
        km = tree_km(graph, paths)
        from_zone_s[row] = [seconds[target] for target in targets]
        from_zone_km[row] = [km[target] for target in targets]
    store_store_s = np.empty((len(store_ids), len(store_ids)))
    for row, store in enumerate(store_ids):
        seconds = nx.single_source_dijkstra_path_length(graph, store, weight="travel_s")
        store_store_s[row] = [seconds[target] for target in store_ids]
    n_stores = len(store_ids)
    return TravelTables(
        zone_store_s=from_zone_s[:, :n_stores].copy(),
        zone_store_km=from_zone_km[:, :n_stores].copy(),
        zone_store_air_km=air_km_matrix(positions(graph, zone_ids), positions(graph, store_ids)),
        store_store_s=store_store_s,
        zone_zone_s=from_zone_s[:, n_stores:].copy(),
        zone_zone_km=from_zone_km[:, n_stores:].copy(),
    )
