"""Online orders, picking, lockers and handoff: the pieces, and whole small runs."""

from __future__ import annotations

import contextlib
import math
from collections import OrderedDict

import numpy as np
import pytest
import simpy

import twin
from tests.support import kpi_values
from twin.config.fulfilment import LockerConfig, LockerZoneConfig
from twin.core.streams import Streams
from twin.domain.online import orders_build
from twin.domain.online.lockers import LockerBank
from twin.domain.online.orders import (
    COLLECTED,
    DISPATCHED,
    EXPIRED,
    PENDING,
    Order,
)
from twin.domain.online.orders_build import build_orders, reusing_draws
from twin.domain.online.orders_draws import draw_region
from twin.domain.online.pick_lists import locker_needs, split_tasks
from twin.domain.online.picking import PickingStation, PickTask
from twin.domain.online.region import OnlineOrders
from twin.domain.registry import DISPATCHERS, FORMATS, KPI_DOMAINS, REGION_BUILDERS
from twin.model import wire_region
from twin.network.build import build_network

pytestmark = pytest.mark.unit

SINGLE = ["network=single_store", "formats.grocery.demand_scale=0"]


@pytest.fixture(scope="module")
def single() -> twin.TwinConfig:
    return twin.load_config(SINGLE)


def run_online(config: twin.TwinConfig, replication: int = 0) -> OnlineOrders:
    network = build_network(config.network, FORMATS.keys())
    env = simpy.Environment()
    region = network.regions[0]
    streams = Streams(config.run.seed, replication, region.name)
    online, *_ = wire_region(env, region, config, streams, {})
    env.run(until=config.run.days * 86400.0)
    assert isinstance(online, OnlineOrders)
    return online


def order(
    units: tuple[int, int, int] = (1, 0, 0),
    classes: tuple[int, int, int] = (0, 0, 0),
    counts: tuple[int, int, int] = (1, 0, 0),
    **kw: float,
) -> Order:
    return Order(
        id=int(kw.get("id", 0)),
        channel=0,
        is_pickup=True,
        zone=0,
        created_s=0.0,
        due_s=kw.get("due_s", 900.0),
        hold_s=2700.0,
        units=units,
        weight_kg=(1.0, 0.0, 0.0),
        volume_l=(1.0, 0.0, 0.0),
        value=10.0,
        locker_class=classes,
        locker_count=counts,
        arrive_offset_s=0.0,
        retrieval_s=0.0,
        counter_s=0.0,
        runner_s=0.0,
        tasks=[],
    )


def test_registered_as_region_domain_with_kpi_domains() -> None:
    from twin.domain.online.region import build_online_orders

    assert build_online_orders in REGION_BUILDERS
    assert {"orders", "picking", "lockers"} <= set(KPI_DOMAINS)


def test_pick_list_splits_by_zone_and_size_frozen_last() -> None:
    tasks = split_tasks([[10.0] * 5, [20.0] * 2, [30.0]], split_by_zone=True, max_items=3)
    assert [t[0] for t in tasks] == [(3, 0, 0), (2, 0, 0), (0, 2, 0), (0, 0, 1)]
    whole = split_tasks([[10.0] * 5, [20.0] * 2, [30.0]], split_by_zone=False, max_items=0)
    assert whole == [((5, 2, 1), (50.0, 40.0, 30.0))]
    mixed = split_tasks([[10.0] * 2, [20.0] * 2, []], split_by_zone=False, max_items=3)
    assert [t[0] for t in mixed] == [(2, 1, 0), (0, 1, 0)]


def test_a_regions_order_draws_ask_only_for_streams_made_in_its_batch() -> None:
    # order_streams lists what draw_orders, draw_attributes and the pick tasks ask for; a name
    # missing from it is still drawn right (made alone), only slower: this keeps it complete
    config = twin.load_config(["network=metro", "network.n_zones=6"])
    network = build_network(config.network, FORMATS.keys())
    region = network.regions[0]

    class Counting(Streams):
        def get(self, name: str) -> np.random.Generator:
            if name not in self._ready:
                alone.append(name)
            return super().get(name)

    alone: list[str] = []
    drawn = draw_region(region, config.orders, config.fulfilment, Counting(1, 0, region.name), 1, 0)
    reference = draw_region(
        region, config.orders, config.fulfilment, Streams(1, 0, region.name), 1, 0
    )
    assert len(drawn) > 50 and alone == []
    assert repr(drawn) == repr(reference)


@pytest.mark.parametrize("max_items", [0, 1, 2, 5])
def test_zone_by_zone_tasks_are_each_zone_cut_alone_by_the_general_rule(max_items: int) -> None:
    # the by-zone rule has its own loop (it runs for every order drawn): it must cut and add
    # exactly as the general rule does on one zone at a time, seconds added in walk order
    rng = np.random.default_rng(7)
    for _ in range(200):
        item_s = [rng.exponential(9.0, rng.integers(0, 8)).tolist() for _ in range(3)]
        alone = [
            task
            for z in range(3)
            for task in split_tasks(
                [items if k == z else [] for k, items in enumerate(item_s)], False, max_items
            )
        ]
        assert split_tasks(item_s, True, max_items) == alone


def test_locker_needs_smallest_fitting_class_or_several_large() -> None:
    lockers = LockerConfig()
    volume = np.array([[10.0, 30.0, 5.0], [47.0, 60.0, 0.0], [100.0, 1.0, 24.0]])
    classes, counts = locker_needs(volume, lockers)
    assert classes.tolist() == [[0, 1, 0], [1, 1, 0], [1, 0, 0]]
    assert counts.tolist() == [[1, 1, 1], [1, 2, 1], [3, 1, 1]]


def test_class_counts_split_by_largest_remainder() -> None:
    zone = LockerZoneConfig(7, [24.0, 47.0], [0.4, 0.6])
    assert zone.class_counts() == [3, 4]
    assert zone.class_counts(1) == [0, 1]
    assert sum(zone.class_counts(13)) == 13


def test_locker_bank_upgrades_overflows_and_frees() -> None:
    bank = LockerBank([[1, 1], [0], [0]], allow_larger=True)
    first, second, third = order(id=0), order(id=1), order(id=2)
    assert bank.offer(first, 0, 0.0) and first.stays[0] == 0
    assert bank.offer(second, 0, 1.0)  # small taken: takes the large one
    assert bank.log().stays[1, 1] == 1
    assert not bank.offer(third, 0, 2.0)
    assert bank.release(first, 5.0) == [0] and bank.free[0] == [1, 0]
    assert bank.log().stays[0, 4] == 5.0
    strict = LockerBank([[1, 1], [0], [0]], allow_larger=False)
    assert strict.offer(order(id=0), 0, 0.0) and not strict.offer(order(id=1), 0, 0.0)
    big = order(classes=(1, 0, 0), counts=(2, 0, 0))
    assert not strict.place(big, 0, 0.0)


def test_picking_runs_earliest_due_first_and_batches() -> None:
    env = simpy.Environment()
    done: list[int] = []
    station = PickingStation(
        env,
        [1] * 24,
        86400.0,
        batch_size=2,
        earliest_due_first=True,
        on_done=lambda task: done.append(task.order.id),
    )
    orders = [order(id=i, due_s=due) for i, due in enumerate([900.0, 300.0, 600.0, 100.0])]
    for o in orders:
        o.tasks_left = 1
        station.submit(PickTask(o, (1, 0, 0), (60.0, 0.0, 0.0), 30.0, 10.0))
    env.run(until=3600.0)
    # order 0 started alone at once; then (3, 1) by due time in one run, then 2
    assert done == [0, 3, 1, 2]
    runs = station.log().runs
    assert runs[:, 2].tolist() == [1.0, 2.0, 1.0]
    assert runs[1, 1] - runs[1, 0] == pytest.approx(30.0 + 2 * 70.0)  # one walk for the batch


@pytest.mark.parametrize("batch_size", [1, 2])
def test_items_leave_storage_zone_by_zone_after_the_walk(batch_size: int) -> None:
    # a run walks once (the longest walk), then picks every task's ambient items, then the
    # chilled, then the frozen: each zone's items leave storage when its segment starts
    env = simpy.Environment()
    shift = [0] + [1] * 23  # the picker comes at 01:00 and finds both tasks waiting
    station = PickingStation(env, shift, 86400.0, batch_size, False, lambda task: None)
    first, second = order(id=0), order(id=1)
    first.tasks_left = second.tasks_left = 1
    station.submit(PickTask(first, (2, 1, 1), (20.0, 10.0, 5.0), 30.0, 10.0))
    station.submit(PickTask(second, (1, 1, 1), (4.0, 6.0, 8.0), 40.0, 10.0))
    env.run(until=7200.0)
    if batch_size == 1:  # one after the other: the second starts at 3600 + 30 + 35 + 10
        assert first.left_storage_s == [3630.0, 3650.0, 3660.0]
        assert second.left_storage_s == [3715.0, 3719.0, 3725.0]
    else:  # together: one walk of 40 s, ambient 24 s, chilled 16 s, frozen 13 s
        assert first.left_storage_s == second.left_storage_s == [3640.0, 3664.0, 3680.0]


def test_pickers_follow_the_shift_plan() -> None:
    env = simpy.Environment()
    shift = [0] * 8 + [2] * 16
    station = PickingStation(env, shift, 86400.0, 1, False, lambda task: None)
    o = order()
    o.tasks_left = 1
    station.submit(PickTask(o, (1, 0, 0), (60.0, 0.0, 0.0), 0.0, 0.0))
    env.run(until=86400.0)
    assert station.log().tasks[0, 3] == 8 * 3600.0  # waited for the first shift
    assert station.log().shift_start_s.size == 32


@pytest.mark.parametrize(
    ("shift", "horizon_s"),
    [
        ([0] * 8 + [2] * 16, 3 * 86400.0),  # every day alike
        ([h % 3 for h in range(48)], 2 * 86400.0),  # one level per hour of the horizon (a plan)
        ([1, 2, 0], 86400.0),  # shorter than a day: repeats
        ([0] * 6 + [3] * 18, 6 * 3600.0),  # a horizon under a day: still a whole day of shifts
    ],
    ids=["daily", "planned", "short", "under_a_day"],
)
def test_picker_hours_on_shift_are_the_roster_of_the_shift(
    shift: list[int], horizon_s: float
) -> None:
    """One (start, end) per picker and hour of the shift, hour by hour, built by the shared
    roster builder: the same intervals as before it was shared."""
    station = PickingStation(simpy.Environment(), shift, horizon_s, 1, False, lambda task: None)
    log = station.log()
    days = max(1, round(horizon_s / 86400.0))
    levels = [shift[h % len(shift)] for h in range(days * 24)]
    expected = [h * 3600.0 for h, n in enumerate(levels) for _ in range(n)]
    assert log.shift_start_s.tolist() == expected
    assert log.shift_end_s.tolist() == [s + 3600.0 for s in expected]


@pytest.mark.parametrize("reuse", [False, True], ids=["drawn", "reused"])
def test_orders_do_not_depend_on_capacities_common_random_numbers(
    single: twin.TwinConfig, reuse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders_build, "_DRAWN", OrderedDict())
    network = build_network(single.network, FORMATS.keys())
    region = network.regions[0]
    streams = Streams(single.run.seed, 0, region.name)
    changed = twin.load_config(
        [
            *SINGLE,
            "fulfilment.store.picking.pickers=9",
            "fulfilment.store.lockers.ambient.compartments=30",
        ]
    )
    with reusing_draws() if reuse else contextlib.nullcontext():
        a = build_orders(region, single.orders, single.fulfilment, streams, 1, 0)
        b = build_orders(region, changed.orders, changed.fulfilment, streams, 1, 0)
        other = build_orders(
            region, single.orders, single.fulfilment, Streams(single.run.seed, 1, region.name), 1, 0
        )
    assert [(o.created_s, o.units, o.value, o.tasks) for o in a] == [
        (o.created_s, o.units, o.value, o.tasks) for o in b
    ]
    assert a[0] is not b[0]  # fresh copies: a run never sees another run's timeline
    assert [o.created_s for o in other] != [o.created_s for o in a]
    # kept only when asked for (a national run must not hold every region's orders): then
    # the draws of replication 0 (b reused them) and of replication 1
    assert len(orders_build._DRAWN) == (2 if reuse else 0)


def test_volumes_and_baskets_follow_the_config(single: twin.TwinConfig) -> None:
    online = run_online(single)
    by_channel = np.bincount([o.channel for o in online.orders], minlength=3)
    assert 10 < by_channel[0] < 60 and 3 < by_channel[1] < 35 and by_channel[2] < 20
    units = np.array([o.units for o in online.orders if o.channel < 2])
    assert 24 < units.sum(axis=1).mean() < 36
    assert units.sum(axis=0)[2] < units.sum(axis=0)[1] < units.sum(axis=0)[0]
    hours = np.array([o.created_s for o in online.orders if o.channel == 0]) / 3600
    assert hours.min() >= 8 and hours.max() < 21


def test_every_order_is_accounted_for_and_frozen_leaves_storage_last(
    single: twin.TwinConfig,
) -> None:
    cfg = twin.load_config(
        [
            *SINGLE,
            "run.days=2",
            "fulfilment.store.picking.split_by_zone=false",
            "fulfilment.store.picking.max_items_per_task=0",
        ]
    )
    online = run_online(cfg)
    for o in online.orders:
        if o.is_pickup:
            assert o.outcome in (COLLECTED, EXPIRED, PENDING)
            if o.outcome == COLLECTED:
                assert o.created_s <= o.picked_s <= o.ready_s <= o.collected_s
                assert o.collected_s >= o.arrived_s
        else:
            assert o.outcome in (DISPATCHED, PENDING)
        left = [t for t, u in zip(o.left_storage_s, o.units, strict=True) if u and t == t]
        assert left == sorted(left)  # ambient, chilled, frozen: frozen picked last
    assert sum(o.outcome == COLLECTED for o in online.orders) > 40


def test_expired_orders_are_returned_with_their_zones(single: twin.TwinConfig) -> None:
    cfg = twin.load_config([*SINGLE, "fulfilment.store.collection.grocery_hold_s=300"])
    online = run_online(cfg)
    seen: list[Order] = online.expired
    assert seen and all(o.outcome == EXPIRED for o in seen)
    assert all(o.expired_s == pytest.approx(max(o.ready_s, o.due_s) + 300.0) for o in seen)
    assert all(o.zones for o in seen) and all(o.stays == [-1, -1, -1] for o in seen)
    result = twin.simulate(cfg)
    assert kpi_values(result, "locker.expired_frac").iloc[0] > 0.3
    assert kpi_values(result, "orders.refund_money", "total").iloc[0] == pytest.approx(
        sum(o.value for o in seen if o.created_s >= 0), rel=1e-9
    )


def test_delivery_orders_are_handed_to_registered_dispatchers(single: twin.TwinConfig) -> None:
    taken: list[Order] = []

    class Couriers:
        def __init__(self, env: simpy.Environment, desks: dict) -> None:
            for desk in desks.values():
                desk.on_ready.append(taken.append)
            env.process(self.courier(desks["S01"]))
            self.delivered = 0

        def courier(self, desk):  # type: ignore[no-untyped-def]
            while True:
                got = yield desk.queue.get()
                assert got.outcome == DISPATCHED and not math.isnan(got.ready_s)
                self.delivered += 1

        def logs(self) -> dict:
            return {"S01": {}}

    fleets: list[Couriers] = []

    def build(env, region, config, streams, desks, orders, before):  # type: ignore[no-untyped-def]
        fleets.append(Couriers(env, desks))
        return fleets[-1]

    DISPATCHERS.append(build)
    try:
        online = run_online(single)
    finally:
        DISPATCHERS.remove(build)
    handed = [o for o in online.orders if not o.is_pickup and o.outcome == DISPATCHED]
    assert handed and taken == online.desks["S01"].handed == sorted(handed, key=lambda o: o.ready_s)
    assert fleets[0].delivered == len(handed)


@pytest.mark.parametrize("method", ["counter", "curbside"])
def test_counter_and_curbside_collection(method: str) -> None:
    cfg = twin.load_config([*SINGLE, f"fulfilment.store.collection.method={method}"])
    result = twin.simulate(cfg)
    wait = kpi_values(result, "pickup.customer_wait_s").iloc[0]
    assert 60 < wait < 1800
    assert not (result.kpis["kpi"] == "locker.overflow_frac").any()


def test_waiting_for_a_compartment_delays_readiness() -> None:
    base = [*SINGLE, "fulfilment.store.lockers.ambient.compartments=1"]
    counter = twin.simulate(twin.load_config(base))
    wait = twin.simulate(twin.load_config([*base, "fulfilment.store.lockers.overflow=wait"]))
    ready = "pickup.order_to_ready_s"
    assert kpi_values(wait, ready).iloc[0] > kpi_values(counter, ready).iloc[0] + 60
    assert kpi_values(wait, "locker.overflow_frac").iloc[0] > 0.3


def test_metro_assigns_each_zone_to_its_nearest_store_or_one_with_capacity() -> None:
    cfg = twin.load_config(["formats.grocery.demand_scale=0", "fulfilment.assignment=nearest"])
    online = run_online(cfg)
    times = online.region.tables.zone_store_s
    assert all(o.store == int(np.argmin(times[o.zone])) for o in online.orders)
    balanced = run_online(twin.load_config(["formats.grocery.demand_scale=0"]))
    detour = [times[o.zone, o.store] - times[o.zone].min() for o in balanced.orders]
    assert max(detour) <= 600.0 + 1e-9 and max(detour) > 0  # some zones go to another store
    per_store = np.bincount([o.store for o in balanced.orders], minlength=times.shape[1])
    nearest = np.bincount([o.store for o in online.orders], minlength=times.shape[1])
    assert per_store.max() < nearest.max() and per_store.min() > nearest.min()
    busy = twin.load_config(
        [
            "formats.grocery.demand_scale=0",
            "fulfilment.max_backlog_tasks=1",
            "fulfilment.assignment=nearest_with_capacity",
            "fulfilment.store.picking.pickers=1",
            "planner.pickers.mode=fixed",
        ]
    )
    moved = run_online(busy)
    assert any(o.store != int(np.argmin(times[o.zone])) for o in moved.orders)
    assert all(o.store in online.candidates[o.channel][o.zone] for o in moved.orders)


def test_same_seed_same_kpis_and_store_overrides_apply() -> None:
    a = twin.simulate(twin.load_config(SINGLE)).kpis
    b = twin.simulate(twin.load_config(SINGLE)).kpis
    assert a.equals(b)
    over = twin.simulate(
        twin.load_config([*SINGLE, "+fulfilment.store_overrides={S01:{pickers:1}}"])
    )
    hours = kpi_values(over, "picking.picker_h", "total").iloc[0]
    assert hours == pytest.approx(15.0)
