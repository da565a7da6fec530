"""How an order's items become work: pick tasks (zone by zone, at most so many items each) and
locker compartments (the smallest size class that fits, per temperature zone).

Pure rules on an order's contents, shared by the draws before time 0
(:mod:`twin.domain.online.orders_draws`), the planner's load estimate and the sizing estimate.
"""

from __future__ import annotations

import numpy as np

from twin.config.fulfilment import LockerConfig
from twin.config.orders import TEMPERATURE_ZONES


def split_tasks(
    item_s: list[list[float]], split_by_zone: bool, max_items: int
) -> list[tuple[tuple[int, int, int], tuple[float, float, float]]]:
    """Cut a pick list (items by zone, walked ambient -> chilled -> frozen) into pick tasks.

    >>> split_tasks([[10.0, 10.0, 10.0], [], [5.0]], True, 2)
    [((2, 0, 0), (20.0, 0.0, 0.0)), ((1, 0, 0), (10.0, 0.0, 0.0)), ((0, 0, 1), (0.0, 0.0, 5.0))]
    """
    if split_by_zone:  # the usual rule, once per order when drawing: one zone per task
        return [
            task
            for z, items in enumerate(item_s)
            for task in _zone_tasks(z, items, max_items if max_items > 0 else max(len(items), 1))
        ]
    # mixed: the whole pick list in walk order, cut into pieces of max_items
    walk = [(z, s) for z, items in enumerate(item_s) for s in items]
    size = max_items if max_items > 0 else max(len(walk), 1)
    tasks = []
    for start in range(0, len(walk), size):
        units = [0, 0, 0]
        seconds = [0.0, 0.0, 0.0]
        for z, s in walk[start : start + size]:
            units[z] += 1
            seconds[z] += s
        tasks.append(((units[0], units[1], units[2]), (seconds[0], seconds[1], seconds[2])))
    return tasks


def _zone_tasks(
    zone: int, items: list[float], size: int
) -> list[tuple[tuple[int, int, int], tuple[float, float, float]]]:
    """One zone's items in tasks of ``size``, seconds added in walk order (as
    :func:`split_tasks` adds them)."""
    tasks = []
    for start in range(0, len(items), size):
        seconds = 0.0
        count = 0
        for s in items[start : start + size]:
            seconds += s
            count += 1
        if zone == 0:
            tasks.append(((count, 0, 0), (seconds, 0.0, 0.0)))
        elif zone == 1:
            tasks.append(((0, count, 0), (0.0, seconds, 0.0)))
        else:
            tasks.append(((0, 0, count), (0.0, 0.0, seconds)))
    return tasks


def locker_needs(volume_l: np.ndarray, lockers: LockerConfig) -> tuple[np.ndarray, np.ndarray]:
    """Smallest fitting size class and compartments needed, per order and temperature zone.

    A part larger than the largest class takes several compartments of the largest class.
    """
    classes = np.zeros(volume_l.shape, dtype=np.int64)
    counts = np.zeros(volume_l.shape, dtype=np.int64)
    for z, name in enumerate(TEMPERATURE_ZONES):
        sizes = np.asarray(lockers.zone(name).size_volume_l, dtype=float)
        v = volume_l[:, z]
        index = np.searchsorted(sizes, v, side="left")
        too_big = index >= sizes.size
        classes[:, z] = np.where(too_big, sizes.size - 1, index)
        counts[:, z] = np.where(too_big, np.ceil(v / sizes[-1]), 1)
    return classes, counts
