"""Where an order's items were, stage by stage, from picking to handover: the intervals of
each chain (one order's temperature zone) in a place, from the order's timeline and the last
mile's cold legs (see :mod:`twin.domain.coldchain.chain` for the stages).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from twin.config.orders import TEMPERATURE_ZONES
from twin.domain.coldchain.environment import (
    COLD_STORE,
    LEG_ENVIRONMENTS,
    LOCKER,
    NO_TIMELINE,
    PICK_TOTE,
    PICKING,
    STAGING,
    VAN,
    Intervals,
)
from twin.domain.online.orders import COLLECTED, Order
from twin.domain.online.pickup import LOCKER as LOCKER_METHOD
from twin.domain.online.pickup import StoreFulfilment

N_ZONES = len(TEMPERATURE_ZONES)
IntervalRow = tuple[int, int, int, int, int, float, float]
Leg = tuple[str, float, float]  # environment, start_s, end_s


def journeys(
    orders: Sequence[Order],
    legs: dict[int, list[Leg]],
    tracked: list[list[int]],
    sites: Sequence[StoreFulfilment | None],
    staging_place: int,
    van_timeline_offset: int,
) -> tuple[Intervals, np.ndarray, list[tuple[int, int]]]:
    """The stage intervals of every handed-over order's ``tracked`` zones, by chain and start.

    Also returns each order's handover time (NaN: not handed over) and each chain's
    (order index, zone).
    """
    overflowed = overflowed_parts(sites)
    handover = np.full(len(orders), np.nan)
    rows: list[IntervalRow] = []
    chains: list[tuple[int, int]] = []  # (order index, zone)
    for index, order in enumerate(orders):
        end_s = handover_time_s(order, legs)
        if end_s is None:
            continue
        handover[index] = end_s
        zones = tracked[index]
        first = len(chains)
        chains.extend((index, z) for z in zones)
        _journeys_of_order(
            first,
            order,
            zones,
            end_s,
            legs.get(order.id, []),
            overflowed,
            rows,
            sites,
            staging_place,
            van_timeline_offset,
        )
    intervals = Intervals.from_rows(rows)
    intervals = intervals.take(np.lexsort((intervals.start_s, intervals.chain)))
    return intervals, handover, chains


def handover_time_s(order: Order, legs: dict[int, list[Leg]]) -> float | None:
    """When the customer took the order (None: not handed over, so not assessed)."""
    if order.is_pickup:
        return order.collected_s if order.outcome == COLLECTED else None
    mine = legs.get(order.id)
    return max(leg[2] for leg in mine) if mine else None


def overflowed_parts(sites: Sequence[StoreFulfilment | None]) -> set[tuple[int, int]]:
    """(order id, zone) of every pickup part that found no free compartment."""
    parts: set[tuple[int, int]] = set()
    for site in sites:
        if site is not None and site.lockers is not None:
            parts.update(
                (int(order_id), int(zone))
                for order_id, zone, _, is_overflow in site.lockers.offer_rows().tolist()
                if is_overflow
            )
    return parts


def _journeys_of_order(
    first_chain: int,
    order: Order,
    zones: list[int],
    handover_s: float,
    legs: list[Leg],
    overflowed: set[tuple[int, int]],
    rows: list[IntervalRow],
    sites: Sequence[StoreFulfilment | None],
    staging: int,
    van_timeline_offset: int,
) -> None:
    """Append the stage intervals of one order's items, zone by zone (chains ``first_chain``,
    ``first_chain + 1``, ... in the order of ``zones``); what is the same for every zone of the
    order is found once."""
    picked = order.picked_s
    append = rows.append
    site = sites[order.store] if order.is_pickup else None
    in_locker = site is not None and site.method == LOCKER_METHOD
    overflow_waits = in_locker and site is not None and site.overflow_waits
    load = order.locker_load_s  # a booked order waits in staging until then
    van_timeline = van_timeline_offset + order.id
    for chain, zone in enumerate(zones, start=first_chain):
        left = order.left_storage_s[zone]
        left = picked if math.isnan(left) else left  # no pick record for the zone
        append((chain, PICKING, PICK_TOTE, zone, NO_TIMELINE, left, picked))
        locker_timeline = order.store * N_ZONES + zone
        if order.is_pickup:
            if in_locker and (order.id, zone) not in overflowed:
                if load > picked:  # NaN: loaded when picked
                    append((chain, STAGING, staging, zone, NO_TIMELINE, picked, load))
                start = load if load > picked else picked
                append((chain, STAGING, LOCKER, zone, locker_timeline, start, handover_s))
            elif overflow_waits:
                ready = order.ready_s
                append((chain, STAGING, staging, zone, NO_TIMELINE, picked, ready))
                append((chain, STAGING, LOCKER, zone, locker_timeline, ready, handover_s))
            else:
                append((chain, STAGING, staging, zone, NO_TIMELINE, picked, handover_s))
            continue
        at_s = picked
        for environment, start_s, end_s in legs:
            if start_s > at_s:  # at the dispatch desk, or back in store storage for a retry
                place = staging if at_s == picked else COLD_STORE
                append((chain, STAGING, place, zone, NO_TIMELINE, at_s, start_s))
            place, stage = LEG_ENVIRONMENTS[environment]
            timeline = NO_TIMELINE
            if place == VAN:
                timeline = van_timeline
            elif place == LOCKER:
                timeline = locker_timeline
            append((chain, stage, place, zone, timeline, start_s, end_s))
            at_s = max(at_s, end_s)
