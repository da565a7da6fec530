"""Fulfilment config: which stores serve which channel, picking, pickup lockers and handoff.

Defaults follow ../shared/DOMAIN.md 1(b) and section 3; configs/fulfilment/default.yaml
restates them with a source on each value. Every store offering a channel runs
``fulfilment.store``; ``fulfilment.store_overrides`` changes the capacities of single stores
(what ``twin-size`` searches over), spelled as in ``fulfilment.store``: ``pickers`` and
``lockers.<zone>.compartments``. :meth:`FulfilmentConfig.capacity_of` gives a store's
effective capacities; the model, the planner and the checks read them there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from twin.config.fields import choice, dist, items, num, prob
from twin.config.orders import CHANNELS, TEMPERATURE_ZONES
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

KEEP = -1  # in store_overrides: keep the value of fulfilment.store


def _d(kind: str, mean: float = 0.0, cv: float = 0.0) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv)


def _kroger() -> DistSpec:
    return _d("lognormal", 28.0, 0.5)


@dataclass
class ZonePickTimesConfig:
    """Picking time of one item, by temperature zone (walking between items included)."""

    ambient: DistSpec = dist(_kroger)
    chilled: DistSpec = dist(_kroger)
    frozen: DistSpec = dist(_kroger)


@dataclass
class PickingConfig:
    """Pickers, their shifts, and how orders become pick tasks and pick runs."""

    pickers: int = num(5, ge=0, doc="pickers on shift from start_hour to end_hour")
    pickers_by_hour: list[int] = items(
        list, ge=0, length=24, doc="pickers per hour, empty = pickers"
    )
    start_hour: int = num(7, ge=0, le=23)
    end_hour: int = num(22, ge=1, le=24)
    split_by_zone: bool = True
    max_items_per_task: int = num(15, ge=0, doc="longer pick lists are split; 0 = no limit")
    per_item_s: ZonePickTimesConfig = field(default_factory=ZonePickTimesConfig)
    walk_s: DistSpec = dist(lambda: _d("lognormal", 90.0, 0.5), doc="overhead of one pick run")
    stage_s: DistSpec = dist(lambda: _d("lognormal", 30.0, 0.5), doc="staging one task's tote")
    batch_size: int = num(1, ge=1, doc="tasks of several orders picked in one run")
    priority: str = choice("edf", ("edf", "fcfs"), doc="earliest due first, or first come")
    booked_release_s: float = num(
        3600.0,
        gt=0.0,
        doc="a booked pickup's tasks go to the pickers this long before its window (or at once)",
    )

    def check(self, key: str) -> None:
        if self.end_hour <= self.start_hour:
            raise ConfigError(
                f"{key}.end_hour", self.end_hour, f"an hour after start_hour ({self.start_hour})"
            )
        if self.pickers_by_hour and not any(self.pickers_by_hour):
            raise ConfigError(
                f"{key}.pickers_by_hour",
                self.pickers_by_hour,
                "a schedule with a picker in at least one hour (an empty list: the planner's)",
            )

    def by_hour(self, pickers: int | None = None) -> list[int]:
        """Pickers on shift in each hour of the day (``pickers`` replaces the flat level)."""
        if self.pickers_by_hour and pickers is None:
            return list(self.pickers_by_hour)
        level = self.pickers if pickers is None else pickers
        return [level if self.start_hour <= h < self.end_hour else 0 for h in range(24)]


@dataclass
class LockerZoneConfig:
    """The compartments of one temperature zone: how many, and their size classes."""

    compartments: int = num(8, ge=0)
    size_volume_l: list[float] = items(lambda: [24.0, 47.0], ge=0.0, doc="small to large")
    size_shares: list[float] = items(lambda: [0.5, 0.5], ge=0.0, doc="share of compartments")

    def check(self, key: str) -> None:
        if not self.size_volume_l or len(self.size_volume_l) != len(self.size_shares):
            raise ConfigError(
                f"{key}.size_shares",
                self.size_shares,
                f"one share per size class ({len(self.size_volume_l)} in "
                "size_volume_l, at least one)",
            )
        if min(self.size_volume_l) <= 0 or self.size_volume_l != sorted(self.size_volume_l):
            raise ConfigError(
                f"{key}.size_volume_l",
                self.size_volume_l,
                "volumes > 0, from the smallest class to the largest",
            )
        if sum(self.size_shares) <= 0:
            raise ConfigError(f"{key}.size_shares", self.size_shares, "shares with a sum > 0")

    def class_counts(self, compartments: int | None = None) -> list[int]:
        """Compartments per size class: largest-remainder split of the total by the shares."""
        total = self.compartments if compartments is None else compartments
        shares = self.size_shares
        quotas = [total * s / sum(shares) for s in shares]
        counts = [int(q) for q in quotas]
        by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        return counts


@dataclass
class LockerConfig:
    """A temperature-zoned locker bank at each store (Stop & Shop: ambient, chilled, frozen)."""

    ambient: LockerZoneConfig = field(
        default_factory=lambda: LockerZoneConfig(8, [24.0, 47.0], [0.4, 0.6])
    )
    chilled: LockerZoneConfig = field(
        default_factory=lambda: LockerZoneConfig(6, [24.0, 47.0], [0.8, 0.2])
    )
    frozen: LockerZoneConfig = field(default_factory=lambda: LockerZoneConfig(4, [24.0], [1.0]))
    overflow: str = choice(
        "counter", ("counter", "wait"), doc="no free compartment: counter, or wait"
    )
    allow_larger: bool = True
    retrieval_s: DistSpec = dist(lambda: _d("lognormal", 45.0, 0.5), doc="customer opens, takes")
    load_before_s: float = num(
        900.0,
        gt=0.0,
        doc="a booked order picked earlier waits in staging; its lockers are loaded this long "
        "before its window",
    )

    def zone(self, name: str) -> LockerZoneConfig:
        zone: LockerZoneConfig = getattr(self, name)
        return zone


@dataclass
class CollectionConfig:
    """How pickup customers come and collect: when, how long orders are held, and where."""

    method: str = choice("locker", ("locker", "counter", "curbside"))
    relative_to: str = choice(
        "promise",
        ("promise", "ready"),
        doc="customers come after the booked slot start, or when notified",
    )
    dwell_s: DistSpec = dist(
        lambda: _d("lognormal", 900.0, 0.8), doc="slot start (or ready) -> customer arrives"
    )
    early_frac: float = prob(0.15, doc="customers who come before the slot start (promise only)")
    early_s: DistSpec = dist(lambda: _d("lognormal", 300.0, 0.6), doc="how early they come")
    grocery_hold_s: float = num(2700.0, gt=0.0, doc="hold of orders with chilled or frozen items")
    parcel_hold_s: float = num(259200.0, gt=0.0, doc="hold of ambient-only orders")
    counter_staff: int = num(1, ge=0, doc="staff at the pickup counter")
    counter_handoff_s: DistSpec = dist(lambda: _d("lognormal", 180.0, 0.5))
    curbside_bays: int = num(8, ge=0)
    curbside_runners: int = num(4, ge=0)
    runner_handoff_s: DistSpec = dist(lambda: _d("lognormal", 300.0, 0.5))


@dataclass
class StoreFulfilmentConfig:
    """What every store offering online channels runs."""

    picking: PickingConfig = field(default_factory=PickingConfig)
    lockers: LockerConfig = field(default_factory=LockerConfig)
    collection: CollectionConfig = field(default_factory=CollectionConfig)

    def check(self, key: str) -> None:
        collection = self.collection
        uses_counter = collection.method == "counter" or (
            collection.method == "locker" and self.lockers.overflow == "counter"
        )
        if uses_counter and collection.counter_staff < 1:
            raise ConfigError(
                f"{key}.collection.counter_staff",
                collection.counter_staff,
                "at least 1 when orders are handed over at the counter (method "
                "counter, or lockers overflowing to the counter)",
            )
        if collection.method == "curbside":
            for name in ("curbside_bays", "curbside_runners"):
                if getattr(collection, name) < 1:
                    raise ConfigError(
                        f"{key}.collection.{name}",
                        getattr(collection, name),
                        "at least 1 for collection.method curbside",
                    )


@dataclass
class ZoneCapacityConfig:
    """One temperature zone's compartments at one store (-1 = keep ``fulfilment.store``'s)."""

    compartments: int = num(KEEP, ge=KEEP, doc="-1 = keep fulfilment.store.lockers.<zone>")


@dataclass
class LockerCapacityConfig:
    """A store's compartments by temperature zone, keyed as ``fulfilment.store.lockers``."""

    ambient: ZoneCapacityConfig = field(default_factory=ZoneCapacityConfig)
    chilled: ZoneCapacityConfig = field(default_factory=ZoneCapacityConfig)
    frozen: ZoneCapacityConfig = field(default_factory=ZoneCapacityConfig)

    def zone(self, name: str) -> ZoneCapacityConfig:
        zone: ZoneCapacityConfig = getattr(self, name)
        return zone


def capacity_key(resource: str) -> str:
    """The key under ``fulfilment.store_overrides.<store>`` of a sized resource (twin-size's
    names): ``pickers``, or ``lockers.<zone>.compartments`` for ``lockers.<zone>``.

    >>> capacity_key("lockers.chilled")
    'lockers.chilled.compartments'
    """
    if resource == "pickers":
        return resource
    kind, _, zone = resource.partition(".")
    if kind != "lockers" or zone not in TEMPERATURE_ZONES:
        raise ValueError(f"not a sized resource: {resource!r} (pickers or lockers.<zone>)")
    return f"lockers.{zone}.compartments"


@dataclass
class CapacityConfig:
    """Capacities of one store replacing those of ``fulfilment.store`` (-1 = keep), with the
    same keys: ``pickers`` (a flat level over the shift) and ``lockers.<zone>.compartments``."""

    pickers: int = num(KEEP, ge=KEEP, doc="flat picker level over the shift, -1 = keep")
    lockers: LockerCapacityConfig = field(default_factory=LockerCapacityConfig)

    def set_capacity(self, resource: str, capacity: int) -> None:
        """Set a sized resource (``pickers`` or ``lockers.<zone>``, see :func:`capacity_key`)."""
        *path, name = capacity_key(resource).split(".")
        target: Any = self
        for part in path:
            target = getattr(target, part)
        setattr(target, name, capacity)


@dataclass(frozen=True)
class StoreCapacity:
    """The capacities a store runs with: its overrides, else those of ``fulfilment.store``."""

    # a flat picker level over the shift; None: fulfilment.store.picking (or the planner's)
    pickers: int | None
    compartments: dict[str, int]  # by temperature zone


# The spelling before 2026-12-05 (store_overrides.<id>.<zone>_compartments): refused, naming
# the new key (twin.config.load.translate_error).
_OLD_COMPARTMENTS_KEY = re.compile(
    r"^(fulfilment\.store_overrides\.[^.]+)\.(" + "|".join(TEMPERATURE_ZONES) + r")_compartments$"
)


def renamed_key(key: str) -> str | None:
    """The key that replaced ``key`` when ``key`` is a retired spelling, else None.

    >>> renamed_key("fulfilment.store_overrides.S01.chilled_compartments")
    'fulfilment.store_overrides.S01.lockers.chilled.compartments'
    """
    old = _OLD_COMPARTMENTS_KEY.match(key)
    return f"{old.group(1)}.lockers.{old.group(2)}.compartments" if old else None


def _all_channels() -> dict[str, list[str]]:
    return {"grocery": list(CHANNELS)}


@dataclass
class FulfilmentConfig:
    """Which stores serve online orders, how orders find a store, and what each store runs."""

    channels_by_format: dict[str, list[str]] = field(default_factory=_all_channels)
    assignment: str = choice(
        "balanced",
        ("balanced", "nearest", "nearest_with_capacity"),
        doc="balanced: zones to the least-loaded store within balance_detour_s of the nearest",
    )
    balance_detour_s: float = num(600.0, ge=0.0, doc="balanced: extra road time a zone may go")
    max_backlog_tasks: int = num(20, ge=1, doc="nearest_with_capacity: a store is full above this")
    candidates: int = num(3, ge=1, doc="nearest_with_capacity: stores tried, nearest first")
    store: StoreFulfilmentConfig = field(default_factory=StoreFulfilmentConfig)
    store_overrides: dict[str, CapacityConfig] = field(default_factory=dict)

    def check(self, key: str) -> None:
        for fmt, channels in self.channels_by_format.items():
            for channel in channels:
                if channel not in CHANNELS:
                    raise ConfigError(
                        f"{key}.channels_by_format.{fmt}",
                        channel,
                        f"channel names from {', '.join(CHANNELS)}",
                    )

    def offers(self, fmt: str, channel: str) -> bool:
        return channel in self.channels_by_format.get(fmt, [])

    def capacity_of(self, store_id: str) -> StoreCapacity:
        """Store ``store_id``'s pickers and compartments: its override where one is set."""
        store = self.store
        override = self.store_overrides.get(store_id, CapacityConfig())
        compartments = {}
        for zone in TEMPERATURE_ZONES:
            count = override.lockers.zone(zone).compartments
            compartments[zone] = store.lockers.zone(zone).compartments if count == KEEP else count
        pickers = None if override.pickers == KEEP else override.pickers
        return StoreCapacity(pickers, compartments)


def check_orders_fulfilment(orders: Any, fulfilment: FulfilmentConfig, formats: Any) -> None:
    """Rules across the orders and fulfilment sections (called from ``TwinConfig.check``)."""
    for fmt in fulfilment.channels_by_format:
        if not hasattr(formats, fmt):
            known = [name for name in vars(formats) if not name.startswith("_")]
            raise ConfigError(
                f"fulfilment.channels_by_format.{fmt}",
                fmt,
                f"a store format, one of: {', '.join(known)}",
            )
    if not orders.enabled:
        return
    store = fulfilment.store
    if store.collection.method != "locker" or not orders.pickup.enabled:
        return
    for zone in TEMPERATURE_ZONES:
        share = getattr(orders.zones, zone).share
        if share <= 0:
            continue
        levels = [("fulfilment.store", store.lockers.zone(zone).compartments)]
        levels += [
            (f"fulfilment.store_overrides.{sid}", fulfilment.capacity_of(sid).compartments[zone])
            for sid in fulfilment.store_overrides
        ]
        for prefix, count in levels:
            if count < 1:
                raise ConfigError(
                    f"{prefix}.lockers.{zone}.compartments",
                    count,
                    f"at least 1 compartment: pickup orders have {zone} items "
                    f"(orders.zones.{zone}.share = {share:g})",
                    "Set the share to 0, or use collection.method counter.",
                )
