"""KPIs of pickup locker banks, per temperature zone and overall, from a :class:`LockerLog`.

Per-zone KPIs have the zone in their name (``locker.chilled_overflow_frac``); the zone-less
names pool the zones (utilisation) or count orders (overflow: any part overflowed).
"""

from __future__ import annotations

import numpy as np

from twin.config.orders import TEMPERATURE_ZONES
from twin.domain.common import Series, Window, seconds_in
from twin.domain.online.lockers import OFFER_COLUMNS, STAY_COLUMNS, LockerLog
from twin.kpi.catalog import KpiRows, define
from twin.kpi.censoring import km_restricted_mean
from twin.kpi.levels import Intervals, level_from_intervals, level_stats

S = {name: i for i, name in enumerate(STAY_COLUMNS)}
F = {name: i for i, name in enumerate(OFFER_COLUMNS)}

UTILISATION = define(
    "locker.utilisation_frac",
    "frac",
    "ratio",
    "Occupied compartment time / compartment time, all temperature zones.",
)
OVERFLOW = define(
    "locker.overflow_frac",
    "frac",
    "ratio",
    "Pickup orders with at least one part that found no free compartment "
    "(sent to the counter, or waited) / orders offered to the lockers.",
)
DWELL_S = define(
    "locker.dwell_s",
    "s",
    "tally",
    "Part placed in a locker -> collected or expired (stays that ended; see dwell_km_s).",
)
DWELL_KM_S = define(
    "locker.dwell_km_s",
    "s",
    "ratio",
    "Mean stay of parts placed in the window, stays still open at the end counted as "
    "right-censored (Kaplan-Meier restricted mean): no truncation bias.",
)
DWELL_OPEN_N = define(
    "locker.dwell_open_n",
    "parts",
    "total",
    "Locker stays placed in the window and still open at the end of the run (censored).",
)
OCCUPIED = define("locker.occupied_n", "compartments", "level", "Compartments in use.")
ZONE_UTILISATION = {
    zone: define(
        f"locker.{zone}_utilisation_frac",
        "frac",
        "ratio",
        f"Occupied / available compartment time, {zone} compartments.",
    )
    for zone in TEMPERATURE_ZONES
}
ZONE_OVERFLOW = {
    zone: define(
        f"locker.{zone}_overflow_frac",
        "frac",
        "ratio",
        f"Order parts with {zone} items that found no free {zone} compartment / "
        f"parts offered (Erlang B blocking of the {zone} compartments).",
    )
    for zone in TEMPERATURE_ZONES
}


def lockers_kpis(rows: KpiRows, log: LockerLog, window: Window) -> None:
    """Locker KPIs over ``window`` (offers and stays count when they happened inside it)."""
    start, end = window
    span = end - start
    stays = log.stays
    offers = log.offers
    offer_in = (offers[:, F["at_s"]] >= start) & (offers[:, F["at_s"]] < end)
    busy_by_zone = [
        seconds_in(
            stays[of_zone, S["placed_s"]],
            stays[of_zone, S["released_s"]],
            window,
            stays[of_zone, S["compartments"]],
        )
        for of_zone in (stays[:, S["zone"]] == z for z in range(len(TEMPERATURE_ZONES)))
    ]
    rows.ratio(UTILISATION, sum(busy_by_zone), float(log.compartments.sum()) * span)
    order_ids = offers[offer_in, F["order"]]
    blocked_ids = order_ids[offers[offer_in, F["overflowed"]] > 0]
    rows.ratio(OVERFLOW, np.unique(blocked_ids).size, np.unique(order_ids).size)
    placed_in = (stays[:, S["placed_s"]] >= start) & (stays[:, S["placed_s"]] < end)
    released = placed_in & np.isfinite(stays[:, S["released_s"]])
    rows.tally(DWELL_S, stays[released, S["released_s"]] - stays[released, S["placed_s"]])
    placed = stays[placed_in, S["placed_s"]]
    ended = released[placed_in]
    end_s = log.end_s if np.isfinite(log.end_s) else end
    dwell = np.where(ended, stays[placed_in, S["released_s"]], end_s) - placed
    rows.value(DWELL_KM_S, km_restricted_mean(dwell, ended))
    rows.value(DWELL_OPEN_N, float(np.count_nonzero(~ended)), "total")
    rows.level(OCCUPIED, *level_stats(*_in_use(stays), start, end))
    for z, zone in enumerate(TEMPERATURE_ZONES):
        rows.ratio(ZONE_UTILISATION[zone], busy_by_zone[z], float(log.compartments[z]) * span)
        of_zone = offer_in & (offers[:, F["zone"]] == z)
        rows.ratio(
            ZONE_OVERFLOW[zone],
            np.count_nonzero(offers[of_zone, F["overflowed"]] > 0),
            np.count_nonzero(of_zone),
        )


def lockers_series(log: LockerLog, window: Window, bin_s: float) -> list[Series]:
    """Per-bin compartments in use."""
    return [
        (
            "lockers_occupied",
            level_from_intervals(*_in_use(log.stays), *window, bin_s).bin_avg,
            "compartments",
        )
    ]


def _in_use(stays: np.ndarray) -> Intervals:
    """Each compartment's stay (a stay holding several counts once per compartment)."""
    counts = stays[:, S["compartments"]].astype(np.int64)
    return (
        np.repeat(stays[:, S["placed_s"]], counts),
        np.repeat(stays[:, S["released_s"]], counts),
    )
