"""Courier travel times against networkx shortest paths on a small hand-made road graph.

One store and four zones linked by roads with a trap: the direct roads from the store to Z002
and Z003 are much longer than going through the other zones. Every leg a van drives in the
simulation (store -> zone, zone -> zone, zone -> store), read back from its timeline, must
take networkx's shortest-path km / the van's speed; single-order trips and multi-stop trips.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tests.delivery_support import delivery_only_overrides, run_with_logs
from twin.domain.lastmile.delivery_log import ORDER_COL, TRIP_COL, VAN

pytestmark = pytest.mark.analytic

SPEED_KMH = 20.0
STOP_S = 100.0
ROADS = """from,to,km
A,Z001,2
Z001,Z002,1
A,Z002,10
Z002,Z003,2
A,Z003,9
Z003,Z004,1.5
Z001,Z004,6
"""


def small_network(tmp_path: Path) -> list[str]:
    stores = tmp_path / "stores.csv"
    stores.write_text("id,format,x_km,y_km\nA,grocery,0,0\n")
    roads = tmp_path / "roads.csv"
    roads.write_text(ROADS)
    return [
        "network.kind=csv",
        f"network.stores_csv={stores}",
        f"network.roads_csv={roads}",
        "network.n_zones=4",
        "network.road_speed_kmh=60",  # the tables' own speed: vans use theirs (20 km/h)
    ]


def van_only(batch_orders: int, max_wait_s: float) -> list[str]:
    return [
        "delivery.channel_modes.delivery=[van]",
        "delivery.drone.drones=0",
        f"delivery.van.speed_kmh={SPEED_KMH}",
        "delivery.van.load_s={kind:fixed,mean:0}",
        f"delivery.van.stop_s={{kind:fixed,mean:{STOP_S}}}",
        f"delivery.van.batch_orders={batch_orders}",
        f"delivery.van.capacity_orders={max(batch_orders, 1)}",
        f"delivery.van.max_wait_s={max_wait_s}",
    ]


def seconds(graph: nx.Graph, a: str, b: str) -> float:
    return nx.shortest_path_length(graph, a, b, weight="km") / SPEED_KMH * 3600


@pytest.mark.parametrize(("batch_orders", "max_wait_s"), [(1, 0.0), (4, 1800.0)])
def test_every_leg_takes_the_networkx_shortest_path(
    tmp_path: Path, batch_orders: int, max_wait_s: float
) -> None:
    overrides = (
        delivery_only_overrides(3.0, warmup_s=0.0)
        + small_network(tmp_path)
        + van_only(batch_orders, max_wait_s)
    )
    _, region, log, _ = run_with_logs(overrides)
    graph = region.graph
    store = region.stores[0].id
    zone_ids = [zone.id for zone in region.zones]
    # the trap is real: the tables would be wrong if they took the direct roads
    assert nx.shortest_path_length(graph, store, "Z003", weight="km") == pytest.approx(5.0)
    orders = log.orders
    trips = log.trips[log.trips[:, TRIP_COL["mode"]] == VAN]
    assert trips.shape[0] > 20
    multi_stop = 0
    for trip in trips:
        start = trip[TRIP_COL["start_s"]]
        members = orders[orders[:, ORDER_COL["first_out_s"]] == start]
        members = members[np.argsort(members[:, ORDER_COL["door_s"]], kind="stable")]
        assert members.shape[0] == trip[TRIP_COL["orders"]]
        places = [store] + [zone_ids[int(z)] for z in members[:, ORDER_COL["zone"]]] + [store]
        times = [start, *members[:, ORDER_COL["door_s"]].tolist(), trip[TRIP_COL["end_s"]]]
        km = 0.0
        for leg, (a, b) in enumerate(itertools.pairwise(places)):
            stop = 0.0 if leg == 0 else STOP_S
            assert times[leg + 1] - times[leg] == pytest.approx(stop + seconds(graph, a, b)), (
                a,
                b,
            )
            km += nx.shortest_path_length(graph, a, b, weight="km") if a != b else 0.0
        assert trip[TRIP_COL["km"]] == pytest.approx(km)
        multi_stop += trip[TRIP_COL["stops"]] > 1
    assert (multi_stop > 0) == (batch_orders > 1)
