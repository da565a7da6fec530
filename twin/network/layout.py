"""Where stores and customer zones sit, one builder per ``network.kind``.

Positions come from named streams of ``Streams(network.seed, 0, "network")``, one per region
and purpose (``layout.R1.stores``, ``layout.R1.zones``), so adding stores never moves zones and
adding a region never moves the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from twin.config.schema import NetworkConfig
from twin.core.streams import Streams
from twin.network.regions import StoreInfo
from twin.network.stores_csv import read_stores_csv

COORDINATE_DECIMALS = 3  # metres: enough for travel times, and network.json stays readable


@dataclass(slots=True)
class RegionLayout:
    """A region's positions before roads and tables; formats None = drawn from format_mix."""

    name: str
    store_ids: list[str]
    store_xy: np.ndarray  # (stores, 2), km
    zone_xy: np.ndarray  # (zones, 2), km
    store_formats: list[str] | None = None


LayoutBuilder = Callable[[NetworkConfig, Streams, Collection[str]], list[RegionLayout]]


def numbered_ids(prefix: str, count: int, min_digits: int) -> list[str]:
    """``S01, S02, ...``: zero-padded so ids sort in numeric order."""
    digits = max(min_digits, len(str(count)))
    return [f"{prefix}{i:0{digits}d}" for i in range(1, count + 1)]


def region_centres(n_regions: int, spacing_km: float) -> np.ndarray:
    """Region centres on a square-ish grid, ``spacing_km`` apart, the first at the origin."""
    columns = math.ceil(math.sqrt(n_regions))
    index = np.arange(n_regions)
    return np.column_stack([index % columns, index // columns]).astype(float) * spacing_km


def square_points(
    rng: np.random.Generator, n: int, centre: np.ndarray, side_km: float
) -> np.ndarray:
    """``n`` points uniform in the square of side ``side_km`` centred on ``centre``."""
    points = centre + rng.uniform(-side_km / 2, side_km / 2, size=(n, 2))
    return np.round(points, COORDINATE_DECIMALS)


def points_around(
    rng: np.random.Generator, n: int, anchors: np.ndarray, side_km: float
) -> np.ndarray:
    """``n`` points, each uniform in a square of side ``side_km`` around a random anchor."""
    chosen = anchors[rng.integers(len(anchors), size=n)]
    return square_points(rng, n, chosen, side_km)


def single_store_layout(
    cfg: NetworkConfig, streams: Streams, known_formats: Collection[str]
) -> list[RegionLayout]:
    """One store at the centre of region R1 with ``n_zones`` zones in the square around it."""
    centre = np.zeros(2)
    zones = square_points(streams.get("layout.R1.zones"), cfg.n_zones, centre, cfg.area_km)
    return [RegionLayout("R1", ["S01"], centre.reshape(1, 2), zones)]


def metro_layout(
    cfg: NetworkConfig, streams: Streams, known_formats: Collection[str]
) -> list[RegionLayout]:
    """``n_regions`` squares of side ``area_km``, each holding ``n_stores`` and ``n_zones``."""
    store_ids = numbered_ids("S", cfg.n_stores * cfg.n_regions, 2)
    layouts = []
    for r, centre in enumerate(region_centres(cfg.n_regions, cfg.region_spacing_km)):
        name = f"R{r + 1}"
        stores_rng = streams.get(f"layout.{name}.stores")
        zones_rng = streams.get(f"layout.{name}.zones")
        layouts.append(
            RegionLayout(
                name=name,
                store_ids=store_ids[r * cfg.n_stores : (r + 1) * cfg.n_stores],
                store_xy=square_points(stores_rng, cfg.n_stores, centre, cfg.area_km),
                zone_xy=square_points(zones_rng, cfg.n_zones, centre, cfg.area_km),
            )
        )
    return layouts


def csv_layout(
    cfg: NetworkConfig, streams: Streams, known_formats: Collection[str]
) -> list[RegionLayout]:
    """Stores from ``stores_csv``; ``n_zones`` zones per region, each near one of its stores."""
    by_region: dict[str, list[StoreInfo]] = {}
    for store in read_stores_csv(cfg.stores_csv, known_formats):
        by_region.setdefault(store.region, []).append(store)
    layouts = []
    for name, stores in by_region.items():
        store_xy = np.array([[store.x_km, store.y_km] for store in stores])
        zones_rng = streams.get(f"layout.{name}.zones")
        layouts.append(
            RegionLayout(
                name=name,
                store_ids=[store.id for store in stores],
                store_xy=store_xy,
                zone_xy=points_around(zones_rng, cfg.n_zones, store_xy, cfg.area_km),
                store_formats=[store.format for store in stores],
            )
        )
    return layouts


LAYOUTS: dict[str, LayoutBuilder] = {
    "single_store": single_store_layout,
    "metro": metro_layout,
    "csv": csv_layout,
}
