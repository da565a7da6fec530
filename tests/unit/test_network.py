"""The store network: layout, formats, CSV input, roads and the errors a user sees."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from twin.config.schema import NetworkConfig
from twin.core.sampling import DistSpec
from twin.errors import ConfigError, NetworkError
from twin.network import Network, build_network
from twin.network.formats import formats_from_mix
from twin.network.tables import tree_km

pytestmark = pytest.mark.unit

FORMATS = ("grocery", "express")
EXAMPLE_CSV = Path(__file__).parents[2] / "configs" / "network" / "example_stores.csv"


def build(**settings: object) -> Network:
    return build_network(NetworkConfig(**settings), FORMATS)  # type: ignore[arg-type]


def write(tmp_path: Path, text: str, name: str = "stores.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- layout -----------------------------------------------------------------------------------


def test_single_store_sits_at_the_centre_of_its_zones() -> None:
    network = build(kind="single_store", n_zones=9, area_km=10.0, n_stores=5)
    (region,) = network.regions
    assert [(s.id, s.x_km, s.y_km, s.region) for s in region.stores] == [("S01", 0.0, 0.0, "R1")]
    assert [z.id for z in region.zones] == [f"Z{i:03d}" for i in range(1, 10)]
    assert all(abs(z.x_km) <= 5.0 and abs(z.y_km) <= 5.0 for z in region.zones)
    assert region.tables.zone_store_s.shape == (9, 1)


def test_metro_numbers_stores_and_zones_across_regions() -> None:
    network = build(n_regions=3, n_stores=4, n_zones=5, area_km=10.0, region_spacing_km=100.0)
    assert [r.name for r in network.regions] == ["R1", "R2", "R3"]
    assert [s.id for s in network.stores] == [f"S{i:02d}" for i in range(1, 13)]
    assert [z.id for z in network.zones] == [f"Z{i:03d}" for i in range(1, 16)]
    for region in network.regions:
        assert (
            {s.region for s in region.stores} == {z.region for z in region.zones} == {region.name}
        )
        assert region.tables.zone_store_s.shape == region.tables.zone_store_km.shape == (5, 4)
        assert region.tables.zone_store_air_km.shape == (5, 4)
        assert region.tables.store_store_s.shape == (4, 4)
        assert region.tables.zone_zone_s.shape == region.tables.zone_zone_km.shape == (5, 5)
        xs = [s.x_km for s in region.stores] + [z.x_km for z in region.zones]
        assert max(xs) - min(xs) <= 10.0  # inside the region's square
    r1, r2 = network.regions[:2]
    assert r2.stores[0].x_km - r1.stores[0].x_km > 80.0  # regions are 100 km apart


def test_same_config_gives_the_identical_network() -> None:
    first, second = build(n_regions=2), build(n_regions=2)
    assert first.to_json_dict() == second.to_json_dict()
    for a, b in zip(first.regions, second.regions, strict=True):
        assert list(a.graph.edges(data=True)) == list(b.graph.edges(data=True))
        np.testing.assert_array_equal(a.tables.zone_store_s, b.tables.zone_store_s)
        np.testing.assert_array_equal(a.tables.zone_zone_km, b.tables.zone_zone_km)
    assert build(seed=8).to_json_dict() != first.to_json_dict()


def test_adding_stores_does_not_move_the_zones() -> None:
    few, many = build(n_stores=3), build(n_stores=9)
    assert few.to_json_dict()["zones"] == many.to_json_dict()["zones"]
    assert few.stores[0] == many.stores[0]


def test_zone_populations_follow_the_distribution() -> None:
    network = build(zone_population=DistSpec(kind="fixed", mean=1234.4))
    assert {z.population for z in network.zones} == {1234}
    drawn = build(n_zones=200).zones
    assert 20_000 < np.mean([z.population for z in drawn]) < 30_000  # lognormal mean 25,000


def test_generated_roads_are_connected_even_with_one_neighbour_each() -> None:
    network = build(n_stores=20, n_zones=80, road_neighbours=1)
    assert nx.is_connected(network.regions[0].graph)
    assert np.isfinite(network.regions[0].tables.zone_zone_s).all()


def test_road_edges_carry_detoured_km_and_travel_time() -> None:
    region = build(road_detour_factor=1.5, road_speed_kmh=40.0).regions[0]
    nodes = region.graph.nodes
    for a, b, road in region.graph.edges(data=True):
        air_km = np.hypot(nodes[a]["x_km"] - nodes[b]["x_km"], nodes[a]["y_km"] - nodes[b]["y_km"])
        assert road["km"] == pytest.approx(1.5 * air_km)
        assert road["travel_s"] == pytest.approx(road["km"] / 40.0 * 3600)


def test_json_dict_follows_the_contract() -> None:
    document = json.loads(json.dumps(build(n_stores=2, n_zones=3).to_json_dict()))
    assert set(document) == {"stores", "zones"}
    assert set(document["stores"][0]) == {"id", "format", "x_km", "y_km", "region"}
    assert set(document["zones"][0]) == {"id", "x_km", "y_km", "population", "region"}
    assert isinstance(document["zones"][0]["population"], int)


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"network\.kind = 'ring'.*single_store, metro, csv"):
        build(kind="ring")


# --- nearest store ----------------------------------------------------------------------------


def test_nearest_store_respects_the_mask() -> None:
    region = build(n_stores=5, n_zones=4).regions[0]
    for zone in range(4):
        times = region.tables.zone_store_s[zone]
        everywhere = np.ones(5, dtype=bool)
        assert region.nearest_store(zone, everywhere) == int(np.argmin(times))
        mask = np.zeros(5, dtype=bool)
        mask[[1, 3]] = True
        assert region.nearest_store(zone, mask) == (1 if times[1] <= times[3] else 3)


def test_nearest_store_with_no_store_allowed_says_so() -> None:
    region = build(n_stores=3, n_zones=2).regions[0]
    with pytest.raises(NetworkError, match=r"Region R1: no store is allowed for zone index 1"):
        region.nearest_store(1, np.zeros(3, dtype=bool))


# --- formats ----------------------------------------------------------------------------------


def test_format_mix_counts_are_largest_remainder() -> None:
    rng = np.random.default_rng(0)
    assert Counter(formats_from_mix({"grocery": 2.0, "express": 1.0}, 9, rng)) == {
        "grocery": 6,
        "express": 3,
    }
    # 7 x (0.2, 0.3, 0.5) = 1.4, 2.1, 3.5: floors 1, 2, 3 and the spare seat to the 0.5 remainder.
    counts = Counter(formats_from_mix({"a": 0.2, "b": 0.3, "c": 0.5}, 7, rng))
    assert counts == {"a": 1, "b": 2, "c": 4}
    assert formats_from_mix({"a": 1.0, "b": 0.0}, 3, rng) == ["a", "a", "a"]


def test_format_mix_is_counted_over_the_whole_network() -> None:
    network = build(n_regions=3, n_stores=4, format_mix={"grocery": 3.0, "express": 1.0})
    assert Counter(s.format for s in network.stores) == {"grocery": 9, "express": 3}
    positions = [s.format for s in network.stores]
    assert positions != sorted(positions, key=("grocery", "express").index)  # shuffled
    assert positions == [
        s.format
        for s in build(n_regions=3, n_stores=4, format_mix={"grocery": 3.0, "express": 1.0}).stores
    ]


def test_format_overrides_win_over_the_mix() -> None:
    network = build(n_stores=4, format_mix={"grocery": 1.0}, format_overrides={"S03": "express"})
    assert [s.format for s in network.stores] == ["grocery", "grocery", "express", "grocery"]


def test_override_of_an_unknown_store_names_key_value_and_choices() -> None:
    with pytest.raises(
        ConfigError,
        match=r"network\.format_overrides\.S99 = 'S99'; expected a store id .*S01, S02, S03",
    ):
        build(n_stores=3, format_overrides={"S99": "grocery"})


def test_override_to_an_unknown_format_names_key_value_and_choices() -> None:
    with pytest.raises(
        ConfigError,
        match=r"network\.format_overrides\.S02 = 'mega'; expected a store format, one of: "
        r"grocery, express",
    ):
        build(n_stores=3, format_overrides={"S02": "mega"})


def test_unknown_format_in_the_mix_is_named() -> None:
    with pytest.raises(ConfigError, match=r"network\.format_mix\.mega = 'mega'.*grocery, express"):
        build(format_mix={"grocery": 1.0, "mega": 1.0})
    with pytest.raises(ConfigError, match=r"network\.format_mix = .*sum > 0"):
        build(format_mix={"grocery": 0.0})


# --- stores CSV -------------------------------------------------------------------------------


def test_example_csv_gives_its_regions_and_zones_near_the_stores() -> None:
    network = build(kind="csv", stores_csv=str(EXAMPLE_CSV), n_zones=6, area_km=8.0)
    assert [r.name for r in network.regions] == ["north", "south"]
    assert [s.id for s in network.regions[1].stores] == ["SOUTH-1", "SOUTH-2"]
    assert [z.id for z in network.zones] == [f"Z{i:03d}" for i in range(1, 13)]
    for region in network.regions:
        assert len(region.zones) == 6
        # each zone is within half the area of one of its region's stores
        assert region.tables.zone_store_air_km.min(axis=1).max() <= np.hypot(4.0, 4.0)


def test_csv_without_region_column_puts_every_store_in_r1(tmp_path: Path) -> None:
    path = write(tmp_path, "id,format,x_km,y_km\nA,express,0,0\nB,grocery,3,4\n")
    network = build(kind="csv", stores_csv=path, n_zones=3, format_overrides={"B": "express"})
    assert [(s.id, s.format, s.region) for s in network.stores] == [
        ("A", "express", "R1"),
        ("B", "express", "R1"),
    ]
    assert network.stores[1].x_km == 3.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id,format,x_km\nA,grocery,0\n",
            r"a CSV file with columns id, format, x_km, y_km \(optional: region\); missing y_km",
        ),
        (
            "id,format,x_km,y_km\nA,grocery,0,north\n",
            r"a finite number in column y_km on every row; line 2 has 'north'",
        ),
        (
            "id,format,x_km,y_km\nA,grocery,0,nan\n",
            r"a finite number in column y_km on every row; line 2 has 'nan'",
        ),
        (
            "id,format,x_km,y_km\nA,grocery,0,0\nB,grocery,1,1\nA,grocery,2,2\n",
            r"unique store ids; 'A' is on lines 2 and 4",
        ),
        (
            "id,format,x_km,y_km\nA,mega,0,0\n",
            r"a format from grocery, express in column format; line 2 has 'mega'",
        ),
        ("id,format,x_km,y_km\n,grocery,0,0\n", r"a value in column id on every row; line 2"),
        ("id,format,x_km,y_km\n", r"a CSV file with columns .* and at least one data row"),
    ],
)
def test_bad_stores_csv_names_the_key_and_what_was_expected(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(
        ConfigError, match=r"network\.stores_csv = '.*stores\.csv'; expected " + expected
    ):
        build(kind="csv", stores_csv=path)


def test_missing_stores_csv_says_which_file_is_expected(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"network\.stores_csv = '.*nope\.csv'; expected the path"
    ):
        build(kind="csv", stores_csv=str(tmp_path / "nope.csv"))
    with pytest.raises(
        ConfigError, match=r"network\.stores_csv = ''; expected the path of an existing"
    ):
        build(kind="csv")


# --- roads CSV --------------------------------------------------------------------------------


def stores_file(tmp_path: Path) -> str:
    return write(tmp_path, "id,format,x_km,y_km\nA,grocery,0,0\nB,grocery,4,0\nC,grocery,9,9\n")


def test_roads_csv_replaces_the_generated_roads(tmp_path: Path) -> None:
    roads = write(tmp_path, "from,to,km\nA,B,4\nB,C,7\nC,Z001,1\nA,Z001,20\nB,A,5\n", "roads.csv")
    network = build(kind="csv", stores_csv=stores_file(tmp_path), roads_csv=roads, n_zones=1)
    graph = network.regions[0].graph
    assert sorted(map(sorted, graph.edges)) == [
        ["A", "B"],
        ["A", "Z001"],
        ["B", "C"],
        ["C", "Z001"],
    ]
    assert graph.edges["A", "B"]["km"] == 4.0  # a road listed twice keeps its shorter length


def test_roads_that_leave_stores_cut_off_raise_a_network_error(tmp_path: Path) -> None:
    roads = write(tmp_path, "from,to,km\nA,B,5\nB,Z001,2\nA,Z002,3\n", "roads.csv")
    with pytest.raises(
        NetworkError,
        match=r"^Region R1: the road network is not connected; 2 of 6 stores/zones cannot be "
        r"reached from the rest: C, Z003\. Add roads to network\.roads_csv that link them",
    ):
        build(kind="csv", stores_csv=stores_file(tmp_path), roads_csv=roads, n_zones=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from,km\nA,1\n", r"a CSV file with columns from, to, km; missing to \(found: from, km\)"),
        ("from,to,km\nA,Z009,1\n", r"store or zone ids .*line 2 has 'Z009'"),
        (
            "from,to,km\nA,A,1\n",
            r"roads between two different stores or zones of one region; line 2 links A \(R1\)",
        ),
        ("from,to,km\nA,B,far\n", r"a finite number in column km on every row; line 2 has 'far'"),
        ("from,to,km\nA,B,-1\n", r"km >= 0 on every row; line 2 has -1"),
    ],
)
def test_bad_roads_csv_names_the_key_and_what_was_expected(
    tmp_path: Path, text: str, expected: str
) -> None:
    roads = write(tmp_path, text, "roads.csv")
    with pytest.raises(
        ConfigError, match=r"network\.roads_csv = '.*roads\.csv'; expected " + expected
    ):
        build(kind="csv", stores_csv=stores_file(tmp_path), roads_csv=roads, n_zones=1)


def test_roads_between_regions_are_refused(tmp_path: Path) -> None:
    roads = write(tmp_path, "from,to,km\nNORTH-1,SOUTH-1,60\n", "roads.csv")
    with pytest.raises(ConfigError, match=r"line 2 links NORTH-1 \(north\) to SOUTH-1 \(south\)"):
        build(kind="csv", stores_csv=str(EXAMPLE_CSV), roads_csv=roads, n_zones=1)


def test_tree_km_adds_the_edges_of_each_fastest_route() -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b", km=1.5, travel_s=10.0)
    graph.add_edge("b", "c", km=2.25, travel_s=10.0)
    graph.add_edge("a", "c", km=1.0, travel_s=30.0)  # shorter but slower: not taken
    graph.add_edge("c", "d", km=0.5, travel_s=5.0)
    _, paths = nx.single_source_dijkstra(graph, "a", weight="travel_s")
    assert tree_km(graph, paths) == {"a": 0.0, "b": 1.5, "c": 3.75, "d": 4.25}
