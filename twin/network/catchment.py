"""Which store serves each customer zone's online orders: nearest, or balanced within a detour.

Online volume is set per store offering a channel and spread over the zones by population, so
sending every zone to its nearest store overloads the stores central to many zones (on the
default metro map one store was nearest to 12 of 40 zones and got 36 % of the orders) while
others idle. ``balanced`` assigns whole zones, largest first, each to the least-loaded store
among those within ``detour_s`` of road time of its nearest; ties go to the nearer store. The
assignment is computed once before time 0, from populations and travel times only, so the
planner can size every store for the load it will get.

>>> import networkx as nx
>>> from twin.network.regions import Region, ZoneInfo
>>> from twin.network.tables import TravelTables
>>> times = np.array([[60.0, 90.0], [60.0, 90.0], [60.0, 500.0]])
>>> tables = TravelTables(times, *[np.zeros((0, 0))] * 5)
>>> zones = [ZoneInfo(f"Z{i}", 0.0, 0.0, 100, "R1") for i in range(3)]
>>> region = Region("R1", [], zones, nx.Graph(), tables)
>>> zone_stores(region, np.array([True, True]), 300.0)
[0, 1, 0]
>>> zone_stores(region, np.array([True, True]), 0.0)
[0, 0, 0]
"""

from __future__ import annotations

import numpy as np

from twin.network.regions import Region

NO_STORE = -1


def zone_stores(region: Region, allowed: np.ndarray, detour_s: float) -> list[int]:
    """Per zone, the index of the store serving it (``NO_STORE`` when none is allowed).

    ``allowed`` masks the stores offering the channel; ``detour_s`` is how much longer than to
    its nearest allowed store a zone's road trip to its store may be (0 = nearest).
    """
    n_zones = len(region.zones)
    if not allowed.any() or n_zones == 0:
        return [NO_STORE] * n_zones
    times = np.where(allowed[None, :], region.tables.zone_store_s, np.inf)
    nearest = np.argmin(times, axis=1)
    if detour_s <= 0:
        return nearest.tolist()
    weight = np.array([max(zone.population, 0) for zone in region.zones], dtype=float)
    load = np.zeros(times.shape[1])
    chosen = nearest.copy()
    for z in np.argsort(-weight, kind="stable").tolist():
        best_s = times[z, nearest[z]]
        near = np.flatnonzero(times[z] <= best_s + detour_s)
        # least load first, then nearer, then lower index (lexsort: last key is primary)
        pick = near[np.lexsort((near, times[z, near], load[near]))[0]]
        chosen[z] = pick
        load[pick] += weight[z]
    return chosen.tolist()


def candidate_stores(
    region: Region, allowed: np.ndarray, count: int, detour_s: float
) -> list[list[int]]:
    """Per zone, up to ``count`` allowed stores: its own store, then the others nearest first."""
    if not allowed.any():
        return [[] for _ in region.zones]
    times = np.where(allowed[None, :], region.tables.zone_store_s, np.inf)
    by_time = np.argsort(times, axis=1, kind="stable")[:, : int(allowed.sum())].tolist()
    out = []
    for assigned, ranked in zip(zone_stores(region, allowed, detour_s), by_time, strict=True):
        out.append(([assigned] + [s for s in ranked if s != assigned])[: max(1, count)])
    return out


def zone_store_matrix(region: Region, allowed: np.ndarray, detour_s: float) -> np.ndarray:
    """(zones, stores) 0/1 matrix: which store serves each zone (rows of zeros: none)."""
    out = np.zeros((len(region.zones), len(region.stores)))
    for z, store in enumerate(zone_stores(region, allowed, detour_s)):
        if store != NO_STORE:
            out[z, store] = 1.0
    return out
