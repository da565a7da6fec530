"""Where online orders' items wait and travel, and how warm the air is there.

An item's journey is a list of *intervals* (a stage at a place: picking on the shop floor,
staging in a locker, a van leg, a doorstep wait). :func:`split_intervals` cuts them at every
hour boundary (the floor and outdoor air follow an hour-of-day profile) and at every fault
boundary (a locker zone or van cooler failing), so that each resulting *segment* has one
environment temperature, as :func:`twin.domain.coldchain.shelf_life.chain_stages` needs; consecutive
segments of an interval at the same temperature are merged again.

Places and their air (``zone``: the items' temperature zone, ambient / chilled / frozen):

========== ===================================================== ====================
place      air                                                   packaging (tau)
========== ===================================================== ====================
floor      shop floor by hour (+ heatwave rise)                  bare pack
cold_store store cooler (chilled) / freezer (frozen); ambient: floor  bare pack
locker     locker zone set point + door offset; failed: floor    bare pack
van        van compartment + door offset; ambient or failed: outdoor  bare pack
bike_tote  outdoor air by hour                                   insulated tote
drone_box  outdoor air + drone_box_offset_c                      drone box
doorstep   outdoor air + doorstep_offset_c                       bare pack
home       home_c                                                bare pack
========== ===================================================== ====================

Faults are drawn before the run (:func:`draw_faults`): Poisson onsets at ``rate_per_h`` over
the horizon plus a look-back (so a fault may already be on at time 0), each lasting a drawn
repair time; overlapping faults of one timeline merge. A locker zone of a store is one
timeline; every delivery order rides in its own van timeline (the last mile does not name its
vehicles), which gets the fault share right but not the correlation between orders of one van.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.config.coldchain import ColdChainConfig, FaultConfig
from twin.core.sampling import block_drawer, dist_mean
from twin.core.streams import Streams

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

HOUR_S = 3600.0
AMBIENT, CHILLED, FROZEN = range(3)  # temperature zones, as twin.domain.online.orders

PLACES = (
    "floor", "cold_store", "locker", "van", "bike_tote", "drone_box", "doorstep", "home",
    "pick_tote",
)  # fmt: skip
FLOOR, COLD_STORE, LOCKER, VAN, TOTE, DRONE, DOORSTEP, HOME, PICK_TOTE = range(len(PLACES))
# Where in the chain an interval is; breaches are counted by the stage they happen in.
STAGES = ("picking", "staging", "vehicle", "doorstep")
PICKING, STAGING, VEHICLE, DESTINATION = range(len(STAGES))
# The last mile's cold legs (docs/CONTRACTS.md): environment -> (place, stage).
LEG_ENVIRONMENTS = {
    "van": (VAN, VEHICLE),
    "bike_tote": (TOTE, VEHICLE),
    "drone_box": (DRONE, VEHICLE),
    "doorstep": (DOORSTEP, DESTINATION),
    "home": (HOME, DESTINATION),
    "locker_redirect": (LOCKER, DESTINATION),
}
NO_TIMELINE = -1
# A fault that started this many mean repair times before time 0 is over by then (lognormal
# repair times with cv <= 1 exceed 5 means with probability < 0.3%).
_LOOKBACK_MEANS = 5.0


@dataclass(slots=True)
class Intervals:
    """Stage intervals of item chains (flat arrays; a chain is one order's temperature zone).

    ``timeline`` is the fault timeline an interval is exposed to (:data:`NO_TIMELINE`: none).
    """

    chain: IntArray
    stage: IntArray
    place: IntArray
    zone: IntArray
    timeline: IntArray
    start_s: FloatArray
    end_s: FloatArray

    @staticmethod
    def from_rows(rows: list[tuple[int, int, int, int, int, float, float]]) -> Intervals:
        table = np.array(rows, dtype=float).reshape(-1, 7)
        ints = table[:, :5].astype(np.int64)
        return Intervals(
            ints[:, 0], ints[:, 1], ints[:, 2], ints[:, 3], ints[:, 4], table[:, 5], table[:, 6]
        )

    def __len__(self) -> int:
        return int(self.chain.size)

    def take(self, index: IntArray) -> Intervals:
        """The intervals at ``index``, in that order."""
        return Intervals(
            self.chain[index],
            self.stage[index],
            self.place[index],
            self.zone[index],
            self.timeline[index],
            self.start_s[index],
            self.end_s[index],
        )


@dataclass(slots=True)
class Segments:
    """Pieces of intervals with one environment temperature each, in chain order."""

    interval: IntArray
    start_s: FloatArray
    duration_s: FloatArray
    env_c: FloatArray
    tau_s: FloatArray


@dataclass(slots=True)
class FaultTimelines:
    """Failure intervals, merged and sorted per timeline id."""

    timeline: IntArray
    start_s: FloatArray
    end_s: FloatArray

    @staticmethod
    def empty() -> FaultTimelines:
        return FaultTimelines(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))

    @staticmethod
    def merged(timeline: IntArray, start_s: FloatArray, end_s: FloatArray) -> FaultTimelines:
        """Sort by (timeline, start) and merge overlapping intervals of one timeline."""
        order = np.lexsort((start_s, timeline))
        timeline, start_s, end_s = timeline[order], start_s[order], end_s[order]
        if timeline.size == 0:
            return FaultTimelines(timeline, start_s, end_s)
        # running max of ends within a timeline: a fault starting before it overlaps
        reach = end_s.copy()
        new_timeline = np.r_[True, timeline[1:] != timeline[:-1]]
        for i in range(1, reach.size):  # few faults: a plain loop is clearest
            if not new_timeline[i]:
                reach[i] = max(reach[i], reach[i - 1])
        starts_run = new_timeline | np.r_[True, start_s[1:] > reach[:-1]]
        run = np.cumsum(starts_run) - 1
        last = np.r_[np.flatnonzero(starts_run)[1:] - 1, run.size - 1]
        return FaultTimelines(timeline[starts_run], start_s[starts_run], reach[last])

    def by_timeline(self) -> dict[int, tuple[FloatArray, FloatArray]]:
        out: dict[int, tuple[FloatArray, FloatArray]] = {}
        ids, first = np.unique(self.timeline, return_index=True)
        bounds = np.r_[first, self.timeline.size]
        for k, timeline_id in enumerate(ids.tolist()):
            part = slice(bounds[k], bounds[k + 1])
            out[timeline_id] = (self.start_s[part], self.end_s[part])
        return out

    def failed_s(self) -> float:
        return float(np.sum(self.end_s - self.start_s))


def draw_faults(
    fault: FaultConfig, timelines: int, horizon_s: float, streams: Streams, name: str
) -> FaultTimelines:
    """Failure intervals of ``timelines`` independent units over ``[0, horizon_s]``.

    Streams ``<name>.onsets`` and ``<name>.repair``; nothing is drawn when the rate is 0.
    """
    if fault.rate_per_h <= 0 or timelines == 0:
        return FaultTimelines.empty()
    lookback_s = _LOOKBACK_MEANS * dist_mean(fault.duration_s)
    span_s = horizon_s + lookback_s
    onsets = streams.get(f"{name}.onsets")
    counts = onsets.poisson(fault.rate_per_h * span_s / HOUR_S, size=timelines)
    total = int(counts.sum())
    start = onsets.uniform(-lookback_s, horizon_s, size=total)
    repair = block_drawer(fault.duration_s, streams.get(f"{name}.repair"))(total)
    timeline = np.repeat(np.arange(timelines, dtype=np.int64), counts)
    return FaultTimelines.merged(timeline, start, start + repair)


class ColdEnvironment:
    """Air temperatures and packaging time constants of every place, with faults."""

    def __init__(self, config: ColdChainConfig, faults: FaultTimelines) -> None:
        env = config.environment
        self.floor_c = np.asarray(config.shop_floor_profile_c(), dtype=float)
        self.outdoor_c = np.asarray(config.outdoor_profile_c(), dtype=float)
        self.faults = faults
        self.cold_store_c = np.array([np.nan, env.store_cooler_c, env.store_freezer_c])
        door = env.locker_door_offset_c
        self.locker_c = np.array(
            [env.locker_ambient_c, env.locker_chilled_c + door, env.locker_frozen_c + door]
        )
        self.van_c = np.array(
            [
                np.nan,
                env.van_chilled_c + env.van_door_offset_c,
                env.van_frozen_c + env.van_door_offset_c,
            ]
        )
        self.drone_offset_c = env.drone_box_offset_c
        self.doorstep_offset_c = env.doorstep_offset_c
        self.home_c = env.home_c
        packaging = config.packaging
        self.tau_by_place = np.full(len(PLACES), packaging.bare_pack_s)
        self.tau_by_place[TOTE] = packaging.insulated_tote_s
        self.tau_by_place[DRONE] = packaging.drone_box_s
        self.tau_by_place[PICK_TOTE] = packaging.pick_tote_s

    def air_c(
        self, place: IntArray, zone: IntArray, at_s: FloatArray, is_failed: npt.NDArray[np.bool_]
    ) -> FloatArray:
        """Air temperature around items of ``zone`` at ``place`` at time ``at_s``."""
        hour = (np.floor(at_s / HOUR_S).astype(np.int64)) % 24
        floor = self.floor_c[hour]
        outdoor = self.outdoor_c[hour]
        cold = zone != AMBIENT
        store = np.where(cold, self.cold_store_c[zone], floor)
        locker = np.where(is_failed, floor, self.locker_c[zone])
        van = np.where(cold & ~is_failed, self.van_c[zone], outdoor)
        choices = [
            floor,
            store,
            locker,
            van,
            outdoor,
            outdoor + self.drone_offset_c,
            outdoor + self.doorstep_offset_c,
            np.full(place.size, self.home_c),
            floor,  # the pick tote, carried on the shop floor
        ]
        return np.asarray(np.choose(place, choices), dtype=float)


def split_intervals(intervals: Intervals, environment: ColdEnvironment) -> Segments:
    """Cut intervals at hour and fault boundaries; one air temperature per segment.

    Intervals must be sorted by (chain, start); segments come out in the same order, and
    zero-length pieces are dropped.
    """
    n = len(intervals)
    start, end = intervals.start_s, intervals.end_s
    first_hour = np.floor(start / HOUR_S).astype(np.int64) + 1
    last_hour = np.ceil(end / HOUR_S).astype(np.int64) - 1
    per_interval = np.maximum(last_hour - first_hour + 1, 0)
    hour_owner = np.repeat(np.arange(n), per_interval)
    within = np.arange(hour_owner.size) - np.repeat(
        np.cumsum(per_interval) - per_interval, per_interval
    )
    hour_points = (first_hour[hour_owner] + within) * HOUR_S
    fault_owner, fault_points = _fault_points(intervals, environment.faults)
    owner = np.concatenate([np.arange(n), np.arange(n), hour_owner, fault_owner])
    points = np.concatenate([start, end, hour_points, fault_points])
    order = np.lexsort((points, owner))
    owner, points = owner[order], points[order]
    same = owner[1:] == owner[:-1]
    piece_owner = owner[:-1][same]
    piece_start = points[:-1][same]
    piece_end = points[1:][same]
    keep = piece_end > piece_start
    piece_owner, piece_start, piece_end = piece_owner[keep], piece_start[keep], piece_end[keep]
    middle = 0.5 * (piece_start + piece_end)
    failed = _is_failed(intervals.timeline[piece_owner], middle, environment.faults)
    air = environment.air_c(
        intervals.place[piece_owner], intervals.zone[piece_owner], middle, failed
    )
    # merge consecutive pieces of one interval at the same temperature
    new_run = np.ones(piece_owner.size, dtype=bool)
    new_run[1:] = (piece_owner[1:] != piece_owner[:-1]) | (air[1:] != air[:-1])
    run = np.cumsum(new_run) - 1
    firsts = np.flatnonzero(new_run)
    duration: FloatArray = np.bincount(run, weights=piece_end - piece_start).astype(float)
    owners = piece_owner[firsts]
    return Segments(
        interval=owners,
        start_s=piece_start[firsts],
        duration_s=duration,
        env_c=air[firsts],
        tau_s=environment.tau_by_place[intervals.place[owners]],
    )


def _fault_points(intervals: Intervals, faults: FaultTimelines) -> tuple[IntArray, FloatArray]:
    """(interval, time) of every fault start or end strictly inside an exposed interval."""
    if faults.timeline.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    order = np.argsort(intervals.timeline, kind="stable")
    sorted_ids = intervals.timeline[order]
    owners: list[IntArray] = []
    points: list[FloatArray] = []
    for timeline_id, (fault_start, fault_end) in faults.by_timeline().items():
        lo, hi = np.searchsorted(sorted_ids, [timeline_id, timeline_id + 1])
        if lo == hi:
            continue
        chosen = order[lo:hi]
        bounds = np.concatenate([fault_start, fault_end])
        inside = (bounds[None, :] > intervals.start_s[chosen, None]) & (
            bounds[None, :] < intervals.end_s[chosen, None]
        )
        rows, cols = np.nonzero(inside)
        owners.append(chosen[rows])
        points.append(bounds[cols])
    if not owners:
        return np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(owners), np.concatenate(points)


def _is_failed(
    timeline: IntArray, at_s: FloatArray, faults: FaultTimelines
) -> npt.NDArray[np.bool_]:
    failed = np.zeros(at_s.size, dtype=bool)
    if faults.timeline.size == 0:
        return failed
    for timeline_id, (fault_start, fault_end) in faults.by_timeline().items():
        mine = np.flatnonzero(timeline == timeline_id)
        if mine.size == 0:
            continue
        k = np.searchsorted(fault_start, at_s[mine], side="right") - 1
        failed[mine] = (k >= 0) & (at_s[mine] < fault_end[np.maximum(k, 0)])
    return failed


# A store's temperature sensors (docs/DATA.md ``temperatures``): (place, zone) each, in order.
SENSORS = (
    (FLOOR, AMBIENT), (COLD_STORE, CHILLED), (COLD_STORE, FROZEN),
    (LOCKER, AMBIENT), (LOCKER, CHILLED), (LOCKER, FROZEN),
)  # fmt: skip


def hourly_readings(environment: ColdEnvironment, store_index: int, horizon_s: float) -> FloatArray:
    """Rows (sensor, at_s, air_c): every sensor of a store at the start of every hour, its
    locker zones warm while failed (their fault timelines are store x zone)."""
    hours = np.arange(0.0, horizon_s, HOUR_S)
    place = np.repeat([p for p, _ in SENSORS], hours.size).astype(np.int64)
    zone = np.repeat([z for _, z in SENSORS], hours.size).astype(np.int64)
    at_s = np.tile(hours, len(SENSORS))
    timeline = np.where(place == LOCKER, store_index * 3 + zone, NO_TIMELINE)
    failed = _is_failed(timeline, at_s, environment.faults)
    sensor = np.repeat(np.arange(len(SENSORS), dtype=float), hours.size)
    return np.column_stack([sensor, at_s, environment.air_c(place, zone, at_s, failed)])
