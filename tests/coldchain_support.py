"""Test helpers for the cold chain: hand-made orders, a fake last mile, one-category configs.

:func:`run_chain` drives :class:`twin.domain.coldchain.chain.ColdChain` exactly as the model does
after ``env.run`` (orders' timelines + the last mile's ``cold_legs()``), without simulating.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from twin.config.coldchain import ColdChainConfig, ProductCategoryConfig
from twin.config.validate import validate
from twin.core.sampling import DistSpec
from twin.core.streams import Streams
from twin.domain.coldchain.chain import ColdChain
from twin.domain.coldchain.kpis import ITEM, ColdChainLog
from twin.domain.online.lockers import LockerBank
from twin.domain.online.orders import COLLECTED, DELIVERY, DISPATCHED, EXPIRED, PICKUP, Order
from twin.domain.online.pickup import COUNTER, LOCKER

NAN = math.nan
DAY_S = 86400.0
ZONE_INDEX = {"ambient": 0, "chilled": 1, "frozen": 2}

Leg = tuple[int, str, float, float]


def uniform_config(
    air_c: float,
    *,
    zone: str = "chilled",
    model: str = "q10",
    storage_temp_c: float | None = None,
    q10: float = 3.0,
    activation_energy_j_per_mol: float = 70_000.0,
    ref_shelf_life_s: float = 10 * DAY_S,
    max_safe_temp_c: float = 60.0,
    max_time_above_safe_s: float = 7200.0,
    tote_s: float = 21600.0,
    pick_tote_s: float = 3600.0,
) -> ColdChainConfig:
    """One category; every place's air at ``air_c`` (no door offsets); items fresh at pick."""
    storage = air_c if storage_temp_c is None else storage_temp_c
    category = ProductCategoryConfig(
        zone=zone,
        model=model,
        ref_shelf_life_s=ref_shelf_life_s,
        ref_temp_c=4.0,
        q10=q10,
        activation_energy_j_per_mol=activation_energy_j_per_mol,
        storage_temp_c=storage,
        max_safe_temp_c=max(max_safe_temp_c, storage),
        max_time_above_safe_s=max_time_above_safe_s,
        order_item_share=1.0,
        weight_per_item_kg=0.5,
        value_per_item=4.0,
        age_at_pick_frac=DistSpec(kind="fixed", mean=0.0),
    )
    config = ColdChainConfig(enabled=True, categories={"x": category})
    env = config.environment
    env.shop_floor_c_by_hour = [air_c] * 24
    env.outdoor_c_by_hour = [air_c] * 24
    for name in ("locker_ambient_c", "locker_chilled_c", "locker_frozen_c", "van_chilled_c"):
        setattr(env, name, air_c)
    env.van_frozen_c = air_c
    env.store_cooler_c = air_c
    env.store_freezer_c = air_c
    env.home_c = air_c
    env.locker_door_offset_c = 0.0
    env.van_door_offset_c = 0.0
    config.packaging.insulated_tote_s = tote_s
    config.packaging.pick_tote_s = pick_tote_s  # picked bare unless a test says otherwise
    config.faults.locker_zone.rate_per_h = 0.0
    config.faults.van_cooler.rate_per_h = 0.0
    validate(config, "coldchain")
    return config


def make_order(
    order_id: int,
    *,
    items: int = 4,
    zone: str = "chilled",
    is_pickup: bool = True,
    left_storage_s: float = 1000.0,
    picked_s: float = 1600.0,
    collected_s: float = NAN,
    expired_s: float = NAN,
    store: int = 0,
) -> Order:
    """An order with ``items`` units in one zone and its timeline after the run."""
    units = [0, 0, 0]
    units[ZONE_INDEX[zone]] = items
    z = ZONE_INDEX[zone]
    order = Order(
        id=order_id,
        channel=PICKUP if is_pickup else DELIVERY,
        is_pickup=is_pickup,
        zone=0,
        created_s=min(left_storage_s, 500.0),
        due_s=left_storage_s + 900.0,
        hold_s=2700.0,
        units=(units[0], units[1], units[2]),
        weight_kg=(0.5 * units[0], 0.5 * units[1], 0.5 * units[2]),
        volume_l=(1.0 * units[0], 1.0 * units[1], 1.0 * units[2]),
        value=4.0 * items,
        locker_class=(0, 0, 0),
        locker_count=(int(units[0] > 0), int(units[1] > 0), int(units[2] > 0)),
        arrive_offset_s=0.0,
        retrieval_s=0.0,
        counter_s=0.0,
        runner_s=0.0,
        tasks=[],
    )
    order.store = store
    order.picked_s = picked_s
    order.ready_s = picked_s
    order.left_storage_s[z] = left_storage_s
    if is_pickup:
        order.collected_s = collected_s
        order.expired_s = expired_s
        order.outcome = EXPIRED if not math.isnan(expired_s) else COLLECTED
    else:
        order.outcome = DISPATCHED
    return order


class FakeLastMile:
    """A last mile that only reports the cold legs it was given (docs/CONTRACTS.md)."""

    def __init__(self, legs: Sequence[Leg]) -> None:
        self.legs = list(legs)

    def cold_legs(self) -> list[Leg]:
        return list(self.legs)

    def logs(self) -> dict[str, dict[str, Any]]:
        return {}


def _overflowing_lockers(overflowed: Sequence[tuple[int, int]]) -> LockerBank:
    """A locker bank whose log says these (order, zone) parts found no compartment."""
    bank = LockerBank([[0], [0], [0]], allow_larger=False)
    for order, zone in overflowed:
        bank.offers.extend((order, zone, 0.0, True))
    return bank


def run_chain(
    config: ColdChainConfig,
    orders: Sequence[Order],
    legs: Sequence[Leg] = (),
    *,
    method: int = LOCKER,
    overflow_waits: bool = False,
    overflowed: Sequence[tuple[int, int]] = (),
    horizon_s: float = DAY_S,
    seed: int = 1,
) -> tuple[ColdChain, ColdChainLog]:
    """The cold chain of one store's ``orders`` as the model computes it after the run."""
    site = SimpleNamespace(
        store_id="S01",
        store_index=0,
        method=method,
        overflow_waits=overflow_waits,
        lockers=_overflowing_lockers(overflowed) if method == LOCKER else None,
    )
    online = SimpleNamespace(
        orders=list(orders),
        expired=[o for o in orders if o.outcome == EXPIRED],
        sites=[site],
    )
    region = SimpleNamespace(stores=[SimpleNamespace(id="S01")])
    streams = Streams(seed, 0, "R1")
    chain = ColdChain(region, config, streams, online, horizon_s, before=[FakeLastMile(legs)])  # type: ignore[arg-type]
    log = chain.logs()["S01"]["coldchain"]
    assert isinstance(log, ColdChainLog)
    return chain, log


def item_values(log: ColdChainLog, column: str, order_id: int | None = None) -> np.ndarray:
    items = log.items
    if order_id is not None:
        items = items[items[:, ITEM["order"]] == order_id]
    return np.asarray(items[:, ITEM[column]], dtype=float)


__all__ = [
    "COUNTER",
    "LOCKER",
    "FakeLastMile",
    "item_values",
    "make_order",
    "run_chain",
    "uniform_config",
]
