"""Road graphs: generated from positions (nearest neighbours) or read from ``network.roads_csv``.

A road graph is an undirected ``networkx.Graph`` whose nodes are store and zone ids (with
``x_km`` and ``y_km`` attributes) and whose edges carry ``km`` and ``travel_s``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np

from twin.errors import ConfigError, NetworkError
from twin.network.csv_input import float_cell, read_csv_rows, text_cell
from twin.network.formats import choices_text

ROADS_KEY = "network.roads_csv"
SECONDS_PER_HOUR = 3600.0


def place_nodes(node_ids: Sequence[str], xy: np.ndarray) -> nx.Graph:
    """A graph with one node per id, at its position, and no roads yet."""
    graph = nx.Graph()
    for node_id, (x_km, y_km) in zip(node_ids, xy.tolist(), strict=True):
        graph.add_node(node_id, x_km=x_km, y_km=y_km)
    return graph


def add_road(graph: nx.Graph, a: str, b: str, km: float, speed_kmh: float) -> None:
    graph.add_edge(a, b, km=km, travel_s=km / speed_kmh * SECONDS_PER_HOUR)


def air_km_matrix(xy_from: np.ndarray, xy_to: np.ndarray) -> np.ndarray:
    """Straight-line km between every row of ``xy_from`` and every row of ``xy_to``."""
    delta = xy_from[:, None, :] - xy_to[None, :, :]
    return np.hypot(delta[..., 0], delta[..., 1])


def generated_roads(
    node_ids: Sequence[str],
    xy: np.ndarray,
    neighbours: int,
    detour_factor: float,
    speed_kmh: float,
) -> nx.Graph:
    """Link every node to its ``neighbours`` nearest, then join components by their shortest gap.

    Road km = straight-line km x ``detour_factor``. The result is always connected.
    """
    graph = place_nodes(node_ids, xy)
    n = len(node_ids)
    air = air_km_matrix(xy, xy)
    np.fill_diagonal(air, np.inf)
    k = min(neighbours, n - 1)
    nearest = np.argsort(air, axis=1, kind="stable")[:, :k]
    for i in range(n):
        for j in nearest[i].tolist():
            add_road(graph, node_ids[i], node_ids[j], float(air[i, j]) * detour_factor, speed_kmh)
    index = {node_id: i for i, node_id in enumerate(node_ids)}
    # Nearest-neighbour links can leave separate clusters; join the one holding the first node
    # to its closest outside node until one component is left.
    while n > 0 and not nx.is_connected(graph):
        inside = np.zeros(n, dtype=bool)
        inside[[index[node] for node in nx.node_connected_component(graph, node_ids[0])]] = True
        inside_nodes, outside_nodes = np.flatnonzero(inside), np.flatnonzero(~inside)
        gaps = air[np.ix_(inside_nodes, outside_nodes)]
        row, column = np.unravel_index(np.argmin(gaps), gaps.shape)
        a, b = int(inside_nodes[row]), int(outside_nodes[column])
        add_road(graph, node_ids[a], node_ids[b], float(air[a, b]) * detour_factor, speed_kmh)
    return graph


def roads_from_csv(path_text: str, graphs: Mapping[str, nx.Graph], speed_kmh: float) -> None:
    """Add the roads listed in ``path_text`` (columns from, to, km) to the region ``graphs``.

    Both ends of a road must be nodes of the same region; a road listed twice keeps its
    shortest length.
    """
    region_of = {node: name for name, graph in graphs.items() for node in graph.nodes}
    for line, row in read_csv_rows(path_text, ROADS_KEY, ("from", "to", "km")):
        ends = [text_cell(row, column, line, ROADS_KEY, path_text) for column in ("from", "to")]
        for node in ends:
            if node not in region_of:
                raise ConfigError(
                    ROADS_KEY,
                    path_text,
                    f"store or zone ids in columns from and to, one of: "
                    f"{choices_text(region_of)}; line {line} has {node!r}",
                    hint="Zone ids are generated (Z001, ...); see network.json of a run.",
                )
        a, b = ends
        if a == b or region_of[a] != region_of[b]:
            raise ConfigError(
                ROADS_KEY,
                path_text,
                f"roads between two different stores or zones of one region; line {line} "
                f"links {a} ({region_of[a]}) to {b} ({region_of[b]})",
            )
        km = float_cell(row, "km", line, ROADS_KEY, path_text)
        if km < 0:
            raise ConfigError(ROADS_KEY, path_text, f"km >= 0 on every row; line {line} has {km}")
        graph = graphs[region_of[a]]
        if not graph.has_edge(a, b) or km < graph.edges[a, b]["km"]:
            add_road(graph, a, b, km, speed_kmh)


def check_connected(graph: nx.Graph, region: str, hint: str) -> None:
    """Raise :class:`NetworkError` naming the nodes cut off from the region's largest part."""
    if graph.number_of_nodes() == 0 or nx.is_connected(graph):
        return
    main = max(nx.connected_components(graph), key=len)
    cut_off = [node for node in graph.nodes if node not in main]
    raise NetworkError(
        f"Region {region}: the road network is not connected; {len(cut_off)} of "
        f"{graph.number_of_nodes()} stores/zones cannot be reached from the rest: "
        f"{choices_text(cut_off)}. {hint}"
    )
