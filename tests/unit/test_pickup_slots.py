"""Booked pickup windows (orders.pickup.slots): promises, release, locker loading, express offer,
the planner's spread of booked work, and bad settings refused before time 0."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
import simpy

import twin
from twin.config.orders import SlotsConfig
from twin.core.sampling import DistSpec
from twin.core.streams import Streams
from twin.domain.online.orders import booked_due_s
from twin.domain.online.region import OnlineOrders
from twin.domain.registry import FORMATS
from twin.errors import ConfigError
from twin.network.build import build_network
from twin.plan.load import booked_spread

pytestmark = pytest.mark.unit

SLOTS = "orders.pickup.slots"
SINGLE = ["network=single_store", "formats.grocery.demand_scale=0", "run.seed=7"]


def run_online(overrides: list[str]) -> OnlineOrders:
    config = twin.load_config([*SINGLE, *overrides])
    network = build_network(config.network, FORMATS.keys())
    region = network.regions[0]
    env = simpy.Environment()
    online = OnlineOrders(env, region, config, Streams(config.run.seed, 0, region.name))
    online.start()  # pickups only: no dispatchers to wire first (twin.model.wire_region)
    env.run(until=config.run.days * 86400.0)
    return online


def pickups(online: OnlineOrders) -> list:
    return [o for o in online.orders if o.is_pickup and o.created_s == o.created_s]


def test_booked_orders_are_due_at_their_window_and_picked_from_release() -> None:
    """share 1, express always: every pickup is due lead_s after ordering (1-4 h, folded back
    before 21:00), its tasks wait until 90 min before, its lockers are loaded 15 min before."""
    online = run_online(
        [
            f"{SLOTS}.share=1",
            f"{SLOTS}.express=always",
            "fulfilment.store.picking.booked_release_s=5400",
            "fulfilment.store.lockers.load_before_s=900",
            "fulfilment.store.picking.pickers=8",
        ]
    )
    orders = pickups(online)
    assert len(orders) > 20
    for order in orders:
        lead = order.due_s - order.created_s
        assert 900.0 - 1e-6 <= lead <= 14400.0 + 1e-6
        assert order.due_s % 86400.0 <= 21 * 3600.0 + 900.0 + 1e-6
        assert order.due_s == booked_due_s(order.created_s, order.booked_lead_s, 900.0, 75600.0)
        if order.pick_started_s == order.pick_started_s:
            assert order.pick_started_s >= min(order.created_s, order.due_s - 5400.0) - 1e-6
            assert order.pick_started_s >= order.due_s - 5400.0 - 1e-6 or lead <= 5400.0
        if order.ready_s == order.ready_s and not order.at_counter:
            # in its lockers no earlier than 15 min before the window (staged until then)
            assert order.ready_s >= min(order.picked_s, order.due_s - 900.0) - 1e-6
            assert order.ready_s >= order.due_s - 900.0 - 1e-6 or order.picked_s > order.due_s - 900
    ready = [o for o in orders if o.ready_s == o.ready_s]
    assert sum(o.ready_s <= o.due_s for o in ready) / len(ready) > 0.95


def test_express_is_offered_only_when_idle_pickers_can_keep_it() -> None:
    """share 0, when_free: with one picker most express requests are refused and booked a
    window instead; every express order granted is ready in time."""
    online = run_online(
        [
            f"{SLOTS}.share=0",
            f"{SLOTS}.express=when_free",
            "fulfilment.store.picking.pickers=2",
        ]
    )
    orders = pickups(online)
    refused = [o for o in orders if o.express_refused]
    granted = [o for o in orders if not o.express_refused]
    assert refused and granted
    for order in refused:
        assert order.due_s - order.created_s > 900.0 or order.due_s % 86400 > 20 * 3600
        assert order.booked_lead_s == order.fallback_lead_s
    in_time = [o.ready_s <= o.due_s + 1e-6 for o in granted if o.ready_s == o.ready_s]
    assert sum(in_time) / len(in_time) > 0.95


def test_without_slots_every_pickup_is_express_and_nothing_is_drawn() -> None:
    """The reduced configurations' world (share 0, express always): due = created + promise."""
    online = run_online([f"{SLOTS}.share=0", f"{SLOTS}.express=always"])
    orders = pickups(online)
    assert orders
    for order in orders:
        assert order.due_s == pytest.approx(order.created_s + 900.0)
        assert math.isnan(order.booked_lead_s) and math.isnan(order.fallback_lead_s)
        assert not order.express_refused


def test_the_kpis_count_booked_refused_and_express_in_time() -> None:
    result = twin.simulate(twin.load_config([*SINGLE, "run.replications=1"]))
    k = result.kpis
    row = k[(k["store"] == "all") & (k["stat"] == "mean")].set_index("kpi")["value"]
    assert 0.7 <= row["pickup.booked_frac"] < 1.0  # share 0.7 plus refused express
    assert 0.0 < row["pickup.express_refused_frac"] < 1.0
    assert row["pickup.express_within_promise_frac"] > 0.9


def test_booked_spread_puts_the_work_between_release_and_window() -> None:
    spread = booked_spread(SlotsConfig(1.0, DistSpec("fixed", 7200.0), 21), 900.0, 3600.0)
    assert spread[10].sum() == pytest.approx(1.0)
    assert spread[10, 11] == pytest.approx(0.5, abs=0.02)
    assert spread[10, 12] == pytest.approx(0.5, abs=0.02)
    uniform = booked_spread(
        SlotsConfig(1.0, DistSpec("uniform", low=3600, high=14400), 21), 900, 5400
    )
    assert np.allclose(uniform[8:20].sum(axis=1), 1.0)
    assert uniform[:20, 22:].sum() == 0.0  # booked before 20:00: no window after the last one


def test_booked_windows_need_fewer_planned_picker_hours() -> None:
    def hours(overrides: list[str]) -> float:
        result = twin.simulate(twin.load_config(["run.replications=1", *overrides]))
        k = result.kpis
        pick = k[(k["kpi"] == "picking.picker_h") & (k["store"] == "all")]
        return float(pick["value"].iloc[0])

    express_only = hours([f"{SLOTS}.share=0", f"{SLOTS}.express=always"])
    booked = hours([])
    assert booked < 0.7 * express_only


BAD = [
    (
        ["orders.delivery.slots.share=0.5"],
        "orders.delivery.slots.share = 0.5; expected 0 for a delivery channel",
    ),
    ([f"{SLOTS}.share=1.5"], f"{SLOTS}.share = 1.5; expected a number <= 1"),
    (
        [f"{SLOTS}.last_start_hour=8"],
        f"{SLOTS}.last_start_hour = 8; expected an hour after open_hour (8)",
    ),
    (
        [f"{SLOTS}.express=sometimes"],
        f"{SLOTS}.express = 'sometimes'; expected one of always, when_free",
    ),
    (
        [f"{SLOTS}.lead_s={{kind:uniform,low:-3600,high:7200}}"],
        f"{SLOTS}.lead_s",
    ),
    (
        ["fulfilment.store.picking.booked_release_s=0"],
        "fulfilment.store.picking.booked_release_s = 0.0; expected a number > 0",
    ),
    (
        ["fulfilment.store.lockers.load_before_s=-5"],
        "fulfilment.store.lockers.load_before_s = -5.0; expected a number > 0",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_bad_slot_settings_fail_before_time_0(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        twin.load_config(["network=single_store", *overrides])


def test_bad_slot_setting_exits_2_with_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twin", "network=single_store", f"{SLOTS}.share=-0.1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert f"{SLOTS}.share = -0.1" in done.stderr + done.stdout
