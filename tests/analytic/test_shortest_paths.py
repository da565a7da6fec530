"""Travel tables against shortest-path theory: hand-computed routes and an independent solver."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import shortest_path

from twin.config.schema import NetworkConfig
from twin.network import build_network, travel_tables
from twin.network.regions import Region

pytestmark = pytest.mark.analytic


def hand_made_graph() -> nx.Graph:
    """Two stores, two zones; the direct A-B road (10 km) is longer than A-Z1-B (5 km)."""
    graph = nx.Graph()
    for node, x_km, y_km in [("A", 0.0, 0.0), ("B", 4.0, 0.0), ("Z1", 2.0, 1.0), ("Z2", 5.0, 0.0)]:
        graph.add_node(node, x_km=x_km, y_km=y_km)
    for a, b, km in [("A", "Z1", 2.0), ("Z1", "B", 3.0), ("A", "B", 10.0), ("B", "Z2", 1.0)]:
        graph.add_edge(a, b, km=km, travel_s=km * 60.0)
    return graph


def test_tables_match_hand_computed_routes() -> None:
    tables = travel_tables(hand_made_graph(), ["A", "B"], ["Z1", "Z2"])
    # Z2 -> A goes Z2-B-Z1-A (1 + 3 + 2 = 6 km), not over the 10 km direct road.
    np.testing.assert_allclose(tables.zone_store_km, [[2.0, 3.0], [6.0, 1.0]])
    np.testing.assert_allclose(tables.zone_store_s, [[120.0, 180.0], [360.0, 60.0]])
    np.testing.assert_allclose(tables.store_store_s, [[0.0, 300.0], [300.0, 0.0]])
    np.testing.assert_allclose(tables.zone_zone_s, [[0.0, 240.0], [240.0, 0.0]])
    np.testing.assert_allclose(tables.zone_zone_km, [[0.0, 4.0], [4.0, 0.0]])
    np.testing.assert_allclose(
        tables.zone_store_air_km, [[np.hypot(2.0, 1.0), np.hypot(2.0, 1.0)], [5.0, 1.0]]
    )


def test_km_is_the_length_of_the_fastest_route_not_the_shortest() -> None:
    graph = hand_made_graph()
    graph.edges["A", "B"]["travel_s"] = 60.0  # a 10 km motorway that takes one minute
    tables = travel_tables(graph, ["A", "B"], ["Z1", "Z2"])
    assert tables.zone_store_s[1, 0] == pytest.approx(120.0)  # Z2-B-A over the motorway
    assert tables.zone_store_km[1, 0] == pytest.approx(11.0)


def test_build_network_from_roads_csv_gives_hand_computed_times(tmp_path: Path) -> None:
    stores_csv = tmp_path / "stores.csv"
    stores_csv.write_text("id,format,x_km,y_km\nA,grocery,0,0\nB,grocery,4,0\n")
    roads_csv = tmp_path / "roads.csv"
    roads_csv.write_text("from,to,km\nA,Z001,2\nZ001,B,3\nA,B,10\nB,Z002,1\n")
    cfg = NetworkConfig(
        kind="csv",
        stores_csv=str(stores_csv),
        roads_csv=str(roads_csv),
        n_zones=2,
        road_speed_kmh=60.0,
    )
    region = build_network(cfg, ["grocery"]).regions[0]
    np.testing.assert_allclose(region.tables.zone_store_s, [[120.0, 180.0], [360.0, 60.0]])
    np.testing.assert_allclose(region.tables.store_store_s, [[0.0, 300.0], [300.0, 0.0]])
    np.testing.assert_allclose(region.tables.zone_zone_km, [[0.0, 4.0], [4.0, 0.0]])


def solver_distances(region: Region, weight: str) -> np.ndarray:
    """All-pairs shortest paths from scipy, a solver independent of networkx's Dijkstra."""
    nodes = [s.id for s in region.stores] + [z.id for z in region.zones]
    matrix = nx.to_scipy_sparse_array(region.graph, nodelist=nodes, weight=weight)
    return np.asarray(shortest_path(matrix, method="FW", directed=False))


def assert_tables_are_shortest_paths(region: Region, cfg: NetworkConfig) -> None:
    n_stores = len(region.stores)
    seconds = solver_distances(region, "travel_s")
    km = solver_distances(region, "km")
    np.testing.assert_allclose(
        region.tables.zone_store_s, seconds[n_stores:, :n_stores], rtol=1e-12
    )
    np.testing.assert_allclose(
        region.tables.store_store_s, seconds[:n_stores, :n_stores], rtol=1e-12
    )
    np.testing.assert_allclose(region.tables.zone_zone_s, seconds[n_stores:, n_stores:], rtol=1e-12)
    # One speed on every road: the fastest route is also the shortest.
    np.testing.assert_allclose(region.tables.zone_store_km, km[n_stores:, :n_stores], rtol=1e-12)
    np.testing.assert_allclose(region.tables.zone_zone_km, km[n_stores:, n_stores:], rtol=1e-12)
    np.testing.assert_allclose(
        region.tables.zone_store_s,
        region.tables.zone_store_km / cfg.road_speed_kmh * 3600,
        rtol=1e-12,
    )
    # Every road is detour x straight line, so no route beats detour x the straight line.
    assert np.all(
        region.tables.zone_store_km
        >= cfg.road_detour_factor * region.tables.zone_store_air_km - 1e-9
    )


def test_generated_tables_equal_networkx_shortest_paths() -> None:
    cfg = NetworkConfig(n_stores=6, n_zones=25, road_neighbours=2)
    region = build_network(cfg, ["grocery"]).regions[0]
    for row, zone in enumerate(region.zones):
        for column, store in enumerate(region.stores):
            expected = nx.shortest_path_length(region.graph, zone.id, store.id, weight="travel_s")
            assert region.tables.zone_store_s[row, column] == pytest.approx(expected, rel=1e-12)
    assert_tables_are_shortest_paths(region, cfg)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_stores=st.integers(1, 8),
    n_zones=st.integers(1, 30),
    neighbours=st.integers(1, 5),
)
def test_generated_tables_are_shortest_paths_for_any_layout(
    seed: int, n_stores: int, n_zones: int, neighbours: int
) -> None:
    cfg = NetworkConfig(
        seed=seed, n_stores=n_stores, n_zones=n_zones, road_neighbours=neighbours, n_regions=2
    )
    for region in build_network(cfg, ["grocery"]).regions:
        assert nx.is_connected(region.graph)
        assert_tables_are_shortest_paths(region, cfg)
