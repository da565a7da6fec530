"""A temperature-zoned pickup locker bank: compartments by zone and size class.

Each temperature zone of an order (ambient, chilled, frozen) needs its own compartments: the
smallest free class its volume fits (a larger one if ``allow_larger``), or several of the
largest class for a part bigger than the largest compartment. A part that finds none free
overflows; the caller sends it to the counter or makes it wait (:mod:`twin.domain.online.pickup`).
With one compartment per part and no waiting, each zone is an Erlang loss system (M/G/c/c)
whose blocking does not depend on the dwell-time distribution.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass

import numpy as np

from twin.domain.online.orders import N_ZONES, Order

STAY_COLUMNS = ("zone", "size_class", "compartments", "placed_s", "released_s")
OFFER_COLUMNS = ("order", "zone", "at_s", "overflowed")


class LockerBank:
    """Free compartments per zone and size class; every placement and offer is logged."""

    __slots__ = ("allow_larger", "capacity", "free", "offers", "stays", "waiting")

    def __init__(self, counts_by_zone: list[list[int]], allow_larger: bool) -> None:
        self.capacity = [list(counts) for counts in counts_by_zone]
        self.free = [list(counts) for counts in counts_by_zone]
        self.allow_larger = allow_larger
        # Logs are flat arrays of numbers, row after row (not a tuple or list per row: those
        # would be objects for the garbage collector to walk and free after a large run).
        self.stays = array("d")  # rows of STAY_COLUMNS; released_s inf until freed
        self.offers = array("d")  # rows of OFFER_COLUMNS
        self.waiting: list[deque[Order]] = [deque() for _ in range(N_ZONES)]

    def place(self, order: Order, zone: int, now: float) -> bool:
        """Put ``order``'s part of ``zone`` into compartments; False when none fits."""
        free = self.free[zone]
        size_class = order.locker_class[zone]
        count = order.locker_count[zone]
        chosen = -1
        if count == 1 and self.allow_larger:
            for c in range(size_class, len(free)):
                if free[c]:
                    chosen = c
                    break
        elif size_class < len(free) and free[size_class] >= count:
            chosen = size_class
        if chosen < 0:
            return False
        free[chosen] -= count
        order.stays[zone] = len(self.stays)  # where the stay's row starts
        self.stays.extend((zone, chosen, count, now, np.inf))
        return True

    def offer(self, order: Order, zone: int, now: float) -> bool:
        """Place a part as it arrives from picking and log the offer (Erlang B's arrivals)."""
        placed = self.place(order, zone, now)
        self.offers.extend((order.id, zone, now, not placed))
        return placed

    def offer_rows(self) -> np.ndarray:
        """Every offer so far, as rows of OFFER_COLUMNS."""
        return np.array(self.offers, dtype=float).reshape(-1, len(OFFER_COLUMNS))

    def release(self, order: Order, now: float) -> list[int]:
        """Free every compartment ``order`` holds; returns the zones freed."""
        freed = []
        for zone in range(N_ZONES):
            row = order.stays[zone]
            if row < 0:
                continue
            stays = self.stays
            stays[row + 4] = now
            self.free[zone][int(stays[row + 1])] += int(stays[row + 2])
            order.stays[zone] = -1
            freed.append(zone)
        return freed

    def log(self, end_s: float = math.nan) -> LockerLog:
        """The stays and offers so far; ``end_s``: when the run ended (open stays end later)."""
        return LockerLog(
            np.array(self.stays, dtype=float).reshape(-1, len(STAY_COLUMNS)),
            self.offer_rows(),
            np.array([sum(counts) for counts in self.capacity], dtype=float),
            end_s,
        )


@dataclass(slots=True)
class LockerLog:
    """Compartment stays and placement offers of one or more stores' locker banks."""

    stays: np.ndarray  # rows of STAY_COLUMNS
    offers: np.ndarray  # rows of OFFER_COLUMNS (order ids are unique per region only)
    compartments: np.ndarray  # per zone
    end_s: float = math.nan  # when the run ended: stays still open were open at least until then

    @staticmethod
    def concat(logs: list[LockerLog]) -> LockerLog:
        return LockerLog(
            np.concatenate([log.stays for log in logs]),
            np.concatenate([_offers_with_store(log.offers, i) for i, log in enumerate(logs)]),
            np.sum([log.compartments for log in logs], axis=0),
            max((log.end_s for log in logs), default=math.nan),
        )


def _offers_with_store(offers: np.ndarray, store: int) -> np.ndarray:
    """Keep order ids distinct when pooling stores: order ids count per region."""
    out = offers.copy()
    out[:, 0] = out[:, 0] + store * 1e9
    return out
