"""Kiosk-bar receipt codes become online orders: placed, picked, staged, collected or dispatched.

A grocery store (S01) serves the online orders; a kiosk bar (S02) open 0-23 h with Poisson
visitors feeds them. Regular online orders are off, so every order comes from the bar.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import twin
from tests.support import FLAT_24H, SAME_EVERY_DAY, kpi_values
from twin.data.read import read_logs
from twin.domain.online.bar_orders import nearest_zone
from twin.domain.online.orders import COLLECTED, DELIVERY, DISPATCHED, PICKUP, booked_due_s
from twin.domain.online.region import OnlineOrders
from twin.domain.registry import FORMATS
from twin.domain.stores.bar import BarSite
from twin.fit.online import fit_online
from twin.model import build_region
from twin.network.build import build_network

pytestmark = pytest.mark.unit

B = "formats.bar"
VISITS_PER_H = 30.0
P_ACCEPT = 0.6
DELAY_S = 600.0


def bar_network(p_online_order: float, replications: int = 1, *extra: str) -> list[str]:
    """S01 grocery (no walk-ins) serving online orders, S02 a bar; no regular online orders."""
    return [
        "network=metro",
        "network.n_stores=2",
        "network.n_zones=6",
        "+network.format_overrides.S02=bar",
        f"run.replications={replications}",
        "formats.grocery.demand_scale=0",
        f"demand.weekday_hour_shares={FLAT_24H}",
        f"demand.weekend_hour_shares={FLAT_24H}",
        f"demand.day_factors={SAME_EVERY_DAY}",
        f"demand.daily_shoppers_per_store={VISITS_PER_H * 24}",
        f"{B}.demand_scale=1",
        f"{B}.open_hour=0",
        f"{B}.close_hour=23",  # codes redeemed 10 min later: all inside the day
        f"{B}.p_accept={P_ACCEPT}",
        f"{B}.p_online_order={p_online_order}",
        f"{B}.online_delay_s={{kind:fixed,mean:{DELAY_S}}}",
        "orders.pickup.daily_orders_per_store=0",
        "orders.delivery.daily_orders_per_store=0",
        "orders.replenishment.daily_orders_per_store=0",
        "fulfilment.store.picking.start_hour=0",  # pickers on shift whenever a code is redeemed
        "fulfilment.store.picking.end_hour=24",
        *extra,
    ]


def run_bar_region(config: twin.TwinConfig) -> tuple[BarSite, OnlineOrders]:
    """One replication of the first region, as twin.model.run_region wires it."""
    network = build_network(config.network, FORMATS.keys())
    env, sites, extensions = build_region(config, network.regions[0], 0)
    env.run(until=config.run.days * 86400.0)
    (online,) = [e for e in extensions if isinstance(e, OnlineOrders)]
    bar = sites["S02"]
    assert isinstance(bar, BarSite)
    return bar, online


def test_bar_codes_flow_through_picking_to_collection_and_dispatch() -> None:
    bar, online = run_bar_region(twin.load_config(bar_network(0.5)))
    log = bar.bar_log()
    placed = [o for o in online.orders if not math.isnan(o.created_s)]
    converted = np.flatnonzero(~np.isnan(log.online_order_s))
    assert len(placed) == converted.size > 50
    assert sorted(o.created_s for o in placed) == pytest.approx(
        np.sort(log.online_order_s[converted]).tolist()
    )
    assert [o.id for o in online.orders] == list(range(len(online.orders)))  # ids = positions
    region = online.region
    grocery = [s.id for s in region.stores].index("S01")
    zone = nearest_zone(region, [s.id for s in region.stores].index("S02"))
    assert {o.channel for o in placed} == {PICKUP, DELIVERY}
    for order in placed:
        assert order.is_from_bar and order.store == grocery and order.zone == zone
        assert order.created_s <= order.picked_s <= order.ready_s
        if order.channel == PICKUP:
            # the express promise, or a booked window (orders.pickup.slots), set when placed
            due = booked_due_s(order.created_s, order.booked_lead_s, 900.0, 21 * 3600.0)
            assert order.due_s == pytest.approx(due) and due >= order.created_s + 900.0
            assert order.outcome == COLLECTED and order.collected_s >= order.ready_s
        else:
            assert order.due_s == pytest.approx(order.created_s + 3600.0)
            assert order.outcome == DISPATCHED and not order.is_pickup


def test_bar_orders_count_visits_x_acceptance_x_conversion() -> None:
    p_online = 0.2
    reps = 8
    result = twin.simulate(twin.load_config(bar_network(p_online, reps)))
    from_bar = kpi_values(result, "orders.from_bar_n", "total")
    visits = kpi_values(result, "store.shoppers_n", "total", store="S02")
    # a code printed today is redeemed today (short delay): the bar counts the same codes
    assert (from_bar == kpi_values(result, "bar.online_orders_n", "total")).all()
    assert (from_bar == kpi_values(result, "orders.n", "total")).all()
    p = P_ACCEPT * p_online
    expected = float(visits.sum()) * p
    sd = math.sqrt(float(visits.sum()) * p * (1 - p))
    assert abs(float(from_bar.sum()) - expected) < 4 * sd, (from_bar.sum(), expected)
    delivered = kpi_values(result, "orders.delivery_n", "total").sum()
    share = float(delivered / from_bar.sum())
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / float(from_bar.sum()))
    collected = kpi_values(result, "pickup.customer_wait_s", "n")
    assert (collected > 0).all()


def test_no_bar_orders_when_no_code_converts() -> None:
    result = twin.simulate(twin.load_config(bar_network(0.0, 2)))
    assert (kpi_values(result, "orders.from_bar_n", "total") == 0).all()
    assert (kpi_values(result, "orders.n", "total") == 0).all()
    assert (kpi_values(result, "bar.acceptance_frac") > 0).all()


def test_orders_from_bar_kpi_only_in_regions_with_bars() -> None:
    result = twin.simulate(twin.load_config(["network=single_store"]))
    assert "orders.from_bar_n" not in set(result.kpis["kpi"])
    assert (kpi_values(result, "orders.n", "total") > 0).all()


def test_codes_of_a_channel_nobody_serves_place_no_order() -> None:
    config = twin.load_config(bar_network(0.5, 1, "orders.delivery.enabled=false"))
    bar, online = run_bar_region(config)
    placed = [o for o in online.orders if not math.isnan(o.created_s)]
    assert placed and all(o.channel == PICKUP for o in placed)
    assert len(placed) < np.count_nonzero(~np.isnan(bar.bar_log().online_order_s))


def test_a_visitor_keeps_its_order_whatever_the_conversion_rate() -> None:
    """Common random numbers: orders are drawn per visitor, before time 0."""
    _, some = run_bar_region(twin.load_config(bar_network(0.3)))
    _, every = run_bar_region(twin.load_config(bar_network(1.0)))

    def by_time(online: OnlineOrders) -> dict[float, tuple[object, ...]]:
        return {
            o.created_s: (o.channel, o.units, o.weight_kg, o.value, o.tasks)
            for o in online.orders
            if not math.isnan(o.created_s)
        }

    fewer, more = by_time(some), by_time(every)
    assert 0 < len(fewer) < len(more)
    assert all(more[created] == drawn for created, drawn in fewer.items())


def test_bar_online_zone_shares_must_add_up_to_one() -> None:
    with pytest.raises(twin.ConfigError, match=r"formats\.bar\.online_zone_shares.*add up to 1"):
        twin.load_config([f"{B}.online_zone_shares=[0.5,0.4,0.0]"])


def test_the_plan_expects_the_orders_the_bar_codes_become() -> None:
    """The planner sizes S01's pickers and couriers for the bar's codes (no other orders)."""
    from twin.config.orders import CHANNELS
    from twin.plan.load import online_load

    config = twin.load_config(bar_network(0.5))
    region = build_network(config.network, FORMATS.keys()).regions[0]
    load = online_load(config, region)
    grocery = [s.id for s in region.stores].index("S01")
    codes_per_day = VISITS_PER_H * 24 * P_ACCEPT * 0.5  # the day's visitors, within 0-23 h
    share = config.formats.bar.online_delivery_share
    for channel, frac in (("delivery", share), ("pickup", 1 - share)):
        per_day = load.per_h[CHANNELS.index(channel), grocery].sum() / 7
        assert per_day == pytest.approx(codes_per_day * frac, rel=1e-9)
    assert load.per_h[CHANNELS.index("replenishment")].sum() == 0


def test_replaying_the_logs_of_a_bar_places_each_recorded_order_once(tmp_path: Path) -> None:
    """The orders table marks the bar-code orders (source bar_code); a trace replay places the
    recorded orders as recorded and the bars place none of their own, so none comes twice."""

    def network(*extra: str) -> list[str]:  # the grocery store has shoppers: it is in the logs
        overrides = bar_network(0.5, 1, "run.records=true", *extra)
        return [o.replace("grocery.demand_scale=0", "grocery.demand_scale=0.05") for o in overrides]

    recorded = twin.simulate(twin.load_config(network())).records
    for name, frame in recorded.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    logged = recorded["orders"]
    assert (logged["source"] == "bar_code").sum() > 20
    replay = network("demand.source=trace", f"demand.trace={tmp_path}", "run.seed=7")
    replayed = twin.simulate(twin.load_config(replay)).records["orders"]
    key = ["placed", "store", "channel", "source"]
    assert len(replayed) == len(logged)
    assert (
        replayed.sort_values(key)[key].values.tolist()
        == logged.sort_values(key)[key].values.tolist()
    )
    # twin-fit leaves them out of the zones' order rates: here every order is a bar's
    notes: list[str] = []
    fitted = fit_online(read_logs(tmp_path), [], notes)
    assert not any(fitted[channel].get("enabled", True) for channel in ("pickup", "delivery"))
    assert any("receipt codes" in note for note in notes)
