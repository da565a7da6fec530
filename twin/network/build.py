"""Building the store network from ``NetworkConfig``, once, before time 0.

>>> from twin.config.schema import NetworkConfig
>>> network = build_network(NetworkConfig(kind="single_store", n_zones=5), ["grocery"])
>>> [store.id for store in network.stores], len(network.zones)
(['S01'], 5)
>>> network.regions[0].tables.zone_store_s.shape
(5, 1)
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import networkx as nx
import numpy as np

from twin.config.schema import NetworkConfig
from twin.core.sampling import block_drawer, validate_dist
from twin.core.streams import Streams
from twin.errors import ConfigError
from twin.network.formats import apply_overrides, check_format_mix, formats_from_mix
from twin.network.layout import LAYOUTS, RegionLayout, numbered_ids
from twin.network.regions import Network, Region, StoreInfo, ZoneInfo
from twin.network.roads import check_connected, generated_roads, place_nodes, roads_from_csv

NOT_CONNECTED_HINT = (
    "Add roads to network.roads_csv that link them to the rest, "
    "or set network.roads_csv to '' to generate the roads."
)


def build_network(cfg: NetworkConfig, known_formats: Collection[str]) -> Network:
    """The stores, zones and road graphs described by ``cfg`` (each region's travel tables
    follow from its graph when first read).

    ``known_formats`` are the store formats the config defines. The same ``cfg`` always gives
    the same network. Raises :class:`ConfigError` for bad settings or input files and
    :class:`NetworkError` when a region's roads do not connect all its stores and zones.
    """
    if cfg.kind not in LAYOUTS:
        raise ConfigError("network.kind", cfg.kind, f"one of {', '.join(LAYOUTS)}")
    validate_dist(cfg.zone_population, "network.zone_population", positive=True)
    check_format_mix(cfg.format_mix, known_formats)
    streams = Streams(cfg.seed, 0, "network")
    layouts = LAYOUTS[cfg.kind](cfg, streams, known_formats)
    formats = _store_formats(layouts, cfg, known_formats, streams)
    zone_ids = iter(numbered_ids("Z", sum(len(layout.zone_xy) for layout in layouts), 3))
    sites = [_sites(layout, formats, zone_ids, cfg, streams) for layout in layouts]
    graphs = _road_graphs(cfg, sites)
    return Network([_region(name, stores, zones, graphs[name]) for name, stores, zones in sites])


Sites = tuple[str, list[StoreInfo], list[ZoneInfo]]


def _sites(
    layout: RegionLayout,
    formats: dict[str, str],
    zone_ids: Iterator[str],
    cfg: NetworkConfig,
    streams: Streams,
) -> Sites:
    """A region's stores and zones, with formats and populations."""
    stores = [
        StoreInfo(store_id, formats[store_id], x_km, y_km, layout.name)
        for store_id, (x_km, y_km) in zip(layout.store_ids, layout.store_xy.tolist(), strict=True)
    ]
    draw = block_drawer(cfg.zone_population, streams.get(f"population.{layout.name}"))
    populations = draw(len(layout.zone_xy)).tolist()
    zones = [
        ZoneInfo(next(zone_ids), x_km, y_km, max(0, round(population)), layout.name)
        for (x_km, y_km), population in zip(layout.zone_xy.tolist(), populations, strict=True)
    ]
    return layout.name, stores, zones


def _store_formats(
    layouts: list[RegionLayout],
    cfg: NetworkConfig,
    known_formats: Collection[str],
    streams: Streams,
) -> dict[str, str]:
    """Store id -> format: from the layout (csv) or the mix, then the overrides."""
    store_ids = [store_id for layout in layouts for store_id in layout.store_ids]
    given = [fmt for layout in layouts for fmt in layout.store_formats or []]
    if len(given) != len(store_ids):
        given = formats_from_mix(cfg.format_mix, len(store_ids), streams.get("formats"))
    formats = dict(zip(store_ids, given, strict=True))
    return apply_overrides(formats, cfg.format_overrides, known_formats)


def _road_graphs(cfg: NetworkConfig, sites: list[Sites]) -> dict[str, nx.Graph]:
    """Each region's road graph: generated, or from ``roads_csv`` when it is set."""
    graphs = {}
    for name, stores, zones in sites:
        node_ids = [store.id for store in stores] + [zone.id for zone in zones]
        xy = np.array(
            [[store.x_km, store.y_km] for store in stores]
            + [[zone.x_km, zone.y_km] for zone in zones]
        )
        if cfg.roads_csv:
            graphs[name] = place_nodes(node_ids, xy)
        else:
            graphs[name] = generated_roads(
                node_ids, xy, cfg.road_neighbours, cfg.road_detour_factor, cfg.road_speed_kmh
            )
    if cfg.roads_csv:
        roads_from_csv(cfg.roads_csv, graphs, cfg.road_speed_kmh)
    return graphs


def _region(name: str, stores: list[StoreInfo], zones: list[ZoneInfo], graph: nx.Graph) -> Region:
    """The region; its travel tables are computed on first use (:attr:`Region.tables`)."""
    check_connected(graph, name, NOT_CONNECTED_HINT)
    return Region(name=name, stores=stores, zones=zones, graph=graph)
