"""The last mile through the model: drone eligibility, in-home access codes, failed
deliveries, dispatch rules, weather, and the cold legs handed to the cold chain."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import twin
from tests.delivery_support import delivery_only_overrides, run_with_logs, single_drone_overrides
from tests.support import kpi_values
from twin.domain.lastmile.access_code import AccessOutcome
from twin.domain.lastmile.delivery_log import (
    ACCESS_COL,
    DELIVERED,
    DRONE,
    DRONE_SHIFT_END,
    FLIGHT_COL,
    LOCKER,
    ORDER_COL,
    TRIP_COL,
    VAN,
    WEATHER,
)
from twin.network.build import build_network

pytestmark = pytest.mark.unit

ENVIRONMENTS = {"van", "bike_tote", "drone_box", "doorstep", "home", "locker_redirect"}
VAN_ONLY = ["delivery.channel_modes.delivery=[van]", "delivery.drone.drones=0"]


def drone_fleet(range_km: float, payload_kg: float, split: str) -> list[str]:
    return [
        *single_drone_overrides(60.0, 30.0, 60.0, payload_kg),
        "delivery.drone.drones=2",
        f"delivery.drone.range_km={range_km}",
        f"delivery.drone.split={split}",
        "delivery.drone.max_drones_per_order=2",
        "orders.delivery.basket_units={kind:geometric,mean:3}",
    ]


@pytest.mark.parametrize("split", ["none", "split"])
def test_no_order_over_the_payload_or_beyond_the_range_ever_flies(split: str) -> None:
    config = twin.load_config(["network=single_store"])
    region = build_network(config.network, list(vars(config.formats))).regions[0]
    air_km = region.tables.zone_store_air_km[:, 0]
    range_km = 2 * float(np.median(air_km))  # about half the zones are out of range
    payload = 2.0
    _, _, log, _ = run_with_logs(
        delivery_only_overrides(6.0, warmup_s=0.0) + drone_fleet(range_km, payload, split)
    )
    flights, orders = log.flights, log.orders
    weight = orders[:, ORDER_COL["weight_kg"]]
    out_of_range = 2 * air_km[orders[:, ORDER_COL["zone"]].astype(int)] > range_km
    flew = np.isin(orders[:, ORDER_COL["order"]], flights[:, FLIGHT_COL["order"]])
    max_kg = payload * (2 if split == "split" else 1)
    # the test can fail: heavy and far orders were offered, and drones flew others
    assert np.any(weight > max_kg) and np.any(out_of_range) and flights.shape[0] > 20
    assert np.all(flights[:, FLIGHT_COL["parcel_kg"]] <= payload + 1e-9)
    assert np.all(2 * flights[:, FLIGHT_COL["air_km"]] <= range_km + 1e-9)
    assert not np.any(flew & ((weight > max_kg) | out_of_range))
    assert np.all(orders[flew, ORDER_COL["mode"]] == DRONE)
    # eligible orders all flew (no queue limit, no weather, shift all day)
    assert np.all(flew == orders[:, ORDER_COL["is_drone_eligible"]].astype(bool))
    parcels = np.bincount(flights[:, FLIGHT_COL["order"]].astype(int))
    assert (parcels.max() == 2) == (split == "split")


def inhome_overrides(**values: object) -> list[str]:
    base = delivery_only_overrides(4.0, warmup_s=0.0) + VAN_ONLY
    base += [
        "delivery.inhome.share=1",
        "delivery.van.batch_orders=1",
        "delivery.van.max_wait_s=0",
        "delivery.van.vehicles=3",
    ]
    return base + [f"delivery.inhome.{key}={value}" for key, value in values.items()]


def test_an_access_code_cannot_be_used_twice_through_the_model() -> None:
    # half the accepted codes still fail (lock, alarm): the retry brings the same code back
    overrides = inhome_overrides(fail_prob=0.5, fallback="retry", reissue_code_on_retry="false")
    overrides += ["delivery.max_attempts=3", "delivery.retry_after_s=600"]
    _, _, log, last_mile = run_with_logs(overrides)
    access = log.access
    accepted = access[:, ACCESS_COL["outcome"]] == AccessOutcome.ACCEPTED
    used = access[:, ACCESS_COL["outcome"]] == AccessOutcome.REFUSED_USED
    assert used.sum() > 10
    order_ids = access[:, ACCESS_COL["order"]].astype(int)
    assert np.bincount(order_ids[accepted]).max() == 1  # never accepted twice
    for row in access[used]:
        earlier = access[
            (order_ids == int(row[ACCESS_COL["order"]]))
            & (access[:, ACCESS_COL["at_s"]] < row[ACCESS_COL["at_s"]])
        ]
        assert np.any(
            (earlier[:, ACCESS_COL["outcome"]] == AccessOutcome.ACCEPTED)
            & (earlier[:, ACCESS_COL["is_failed"]] > 0)
        )
    # the model's counts are the access-code issuers' own counts
    counts = sum(
        (np.array(list(site.codes.counts.values())) for site in last_mile.sites.values()),
        np.zeros(len(AccessOutcome), dtype=int),
    )
    assert counts[AccessOutcome.REFUSED_USED] == used.sum()
    # a fresh code for each retry: no code is ever offered twice
    _, _, fresh, _ = run_with_logs(
        [
            *inhome_overrides(fail_prob=0.5, fallback="retry", reissue_code_on_retry="true"),
            "delivery.max_attempts=3",
            "delivery.retry_after_s=600",
        ]
    )
    assert not np.any(fresh.access[:, ACCESS_COL["outcome"]] == AccessOutcome.REFUSED_USED)


def test_an_access_code_is_refused_outside_its_window_through_the_model() -> None:
    # slot 10-15 min after ordering, code valid only then; couriers come 0-30 min after
    overrides = inhome_overrides(fail_prob=0.0, early_s=0.0, late_s=0.0, fallback="doorstep")
    overrides += ["orders.delivery.promise_s=600", "delivery.slot_s=300"]
    config = twin.load_config(overrides)
    _, _, log, _ = run_with_logs(overrides)
    access = log.access
    at, start, end = (access[:, ACCESS_COL[k]] for k in ("at_s", "window_start_s", "window_end_s"))
    outcome = access[:, ACCESS_COL["outcome"]]
    inside = (start <= at) & (at <= end)
    assert np.all(outcome[inside] == AccessOutcome.ACCEPTED)
    assert np.all(outcome[~inside] == AccessOutcome.REFUSED_OUTSIDE_WINDOW)
    assert np.any(at < start) and np.any(at > end) and np.any(inside)
    # refused codes fell back to the doorstep; the KPI counts them
    refused = access[~inside, ACCESS_COL["order"]]
    orders = log.orders[np.isin(log.orders[:, ORDER_COL["order"]], refused)]
    assert np.all(orders[:, ORDER_COL["failed"]] == 1)
    result = twin.simulate(config)
    assert kpi_values(result, "inhome.refused_outside_window_n", "total").iloc[0] == (~inside).sum()
    frac = kpi_values(result, "inhome.refused_frac").iloc[0]
    assert frac == pytest.approx((~inside).sum() / len(access))


def test_failed_orders_go_to_the_lockers_after_the_last_attempt() -> None:
    overrides = delivery_only_overrides(4.0, warmup_s=0.0) + VAN_ONLY
    overrides += [
        "delivery.not_home_prob=0.5",
        "delivery.on_not_home=retry",
        "delivery.max_attempts=2",
        "delivery.retry_after_s=900",
    ]
    _, _, log, last_mile = run_with_logs(overrides)
    orders = log.orders
    locker = orders[:, ORDER_COL["outcome"]] == LOCKER
    assert locker.sum() > 5
    assert np.all(orders[locker, ORDER_COL["attempts"]] == 2) and np.all(
        orders[locker, ORDER_COL["failed"]] == 2
    )
    assert np.all(np.isnan(orders[locker, ORDER_COL["door_s"]]))
    retried = orders[:, ORDER_COL["attempts"]] == 2
    assert np.all(orders[retried & ~locker, ORDER_COL["outcome"]] > 0)  # second attempt succeeded
    legs = by_order(last_mile.cold_legs())
    for order_id in orders[locker, ORDER_COL["order"]].astype(int):
        envs = [leg[0] for leg in legs[order_id]]
        assert envs == ["van", "van", "locker_redirect"]


def by_order(
    legs: list[tuple[int, str, float, float]],
) -> dict[int, list[tuple[str, float, float]]]:
    out: dict[int, list[tuple[str, float, float]]] = {}
    for order_id, environment, start, end in legs:
        out.setdefault(order_id, []).append((environment, start, end))
    return out


def test_cold_legs_follow_the_contract() -> None:
    overrides = [
        "network=single_store",
        "run.days=2",
        "delivery.not_home_prob=0.3",
        "delivery.inhome.share=0.3",
        "delivery.inhome.fail_prob=0.3",
        "delivery.drone.weather.kind=none",
        "delivery.drone.start_hour=0",
        "delivery.drone.end_hour=24",
    ]
    _, _, log, last_mile = run_with_logs(overrides)
    legs = by_order(last_mile.cold_legs())
    orders = {int(row[ORDER_COL["order"]]): row for row in log.orders}
    seen = set()
    for order_id, own in legs.items():
        row = orders[order_id]
        for (_, start_a, end_a), (_, start_b, _) in itertools.pairwise(own):
            assert start_a <= end_a <= start_b + 1e-9, (order_id, own)  # in order, no overlap
        assert {leg[0] for leg in own} <= ENVIRONMENTS
        assert own[0][1] == pytest.approx(row[ORDER_COL["first_out_s"]])  # from leaving the store
        seen |= {leg[0] for leg in own}
        if row[ORDER_COL["outcome"]] in DELIVERED:
            assert own[-1][0] in {"van", "bike_tote", "doorstep", "home"}
            assert own[-1][2] >= row[ORDER_COL["door_s"]]
        if row[ORDER_COL["outcome"]] == LOCKER:
            assert own[-1][0] == "locker_redirect"
    assert seen == ENVIRONMENTS
    # every order that left the store has legs; none that did not
    out = {
        int(r[ORDER_COL["order"]])
        for r in log.orders
        if not math.isnan(r[ORDER_COL["first_out_s"]])
    }
    assert set(legs) == out


def test_waves_leave_at_wave_times() -> None:
    waves = [9.0, 12.0, 15.0, 18.0]
    overrides = delivery_only_overrides(3.0, warmup_s=0.0) + VAN_ONLY
    overrides += [
        "delivery.dispatch=waves",
        f"delivery.wave_hours=[{','.join(map(str, waves))}]",
        "delivery.van.vehicles=3",
    ]
    _, _, log, _ = run_with_logs(overrides)
    trips = log.trips[log.trips[:, TRIP_COL["mode"]] == VAN]
    assert trips.shape[0] >= len(waves)
    wave_s = np.array(waves) * 3600
    orders = log.orders
    out = ~np.isnan(orders[:, ORDER_COL["first_out_s"]])
    release = wave_s[np.searchsorted(wave_s, orders[out, ORDER_COL["ready_s"]])]
    assert np.all(orders[out, ORDER_COL["first_out_s"]] >= release)  # never before its wave
    assert np.isin(trips[:, TRIP_COL["start_s"]], wave_s).mean() > 0.5  # most leave at a wave


def test_on_demand_trips_leave_full_unless_the_oldest_waited_too_long() -> None:
    overrides = delivery_only_overrides(6.0, warmup_s=0.0) + VAN_ONLY
    overrides += ["delivery.van.batch_orders=3", "delivery.van.max_wait_s=1200"]
    _, _, log, _ = run_with_logs(overrides)
    trips = log.trips[log.trips[:, TRIP_COL["mode"]] == VAN]
    orders = log.orders
    for trip in trips:
        if trip[TRIP_COL["orders"]] < 3:
            members = orders[orders[:, ORDER_COL["first_out_s"]] == trip[TRIP_COL["start_s"]]]
            waited = trip[TRIP_COL["start_s"]] - members[:, ORDER_COL["ready_s"]].min()
            assert waited >= 1200 - 1e-6
    assert np.mean(trips[:, TRIP_COL["orders"]] == 3) > 0.3


def test_no_fly_weather_grounds_orders_then_sends_them_to_couriers(tmp_path: Path) -> None:
    trace = tmp_path / "weather.csv"
    trace.write_text("no_fly\n" + "0\n" * 12 + "1\n" * 12)  # flyable until noon only
    overrides = delivery_only_overrides(4.0, warmup_s=0.0) + single_drone_overrides(60, 30, 60)
    overrides += [
        "delivery.drone.weather.kind=trace",
        f"delivery.drone.weather.trace_csv={trace}",
        "delivery.drone.max_weather_wait_s=1800",
        "delivery.drone.end_hour=23",
    ]
    _, _, log, _ = run_with_logs(overrides)
    orders, flights = log.orders, log.flights
    assert np.all(flights[:, FLIGHT_COL["launch_s"]] < 12 * 3600)
    afternoon = (orders[:, ORDER_COL["ready_s"]] >= 12 * 3600) & (
        orders[:, ORDER_COL["ready_s"]] < 23 * 3600
    )
    assert afternoon.sum() > 20
    assert np.all(orders[afternoon, ORDER_COL["weather_deferred"]] == 1)
    assert np.all(orders[afternoon, ORDER_COL["rerouted"]] == WEATHER)
    assert np.all(orders[afternoon, ORDER_COL["mode"]] == VAN)
    # rerouted when the wait ran out, not before
    waited = orders[afternoon, ORDER_COL["first_out_s"]] - orders[afternoon, ORDER_COL["ready_s"]]
    assert np.all(waited[~np.isnan(waited)] >= 1800 - 1e-6)
    late = orders[:, ORDER_COL["ready_s"]] >= 23 * 3600
    assert np.all(orders[late, ORDER_COL["mode"]] == VAN)  # off shift: straight to the van
    assert not np.any(orders[late, ORDER_COL["offered_drone"]])


def test_orders_still_waiting_at_the_end_of_the_drone_shift_go_to_couriers() -> None:
    # one slow drone cannot keep up: the queue left at 18:00 goes to the van
    overrides = delivery_only_overrides(8.0, warmup_s=0.0) + single_drone_overrides(600, 30, 60)
    overrides += ["delivery.drone.end_hour=18"]
    _, _, log, _ = run_with_logs(overrides)
    orders, flights = log.orders, log.flights
    moved = orders[:, ORDER_COL["rerouted"]] == DRONE_SHIFT_END
    assert moved.sum() > 5
    assert np.all(orders[moved, ORDER_COL["mode"]] == VAN)
    out = orders[moved, ORDER_COL["first_out_s"]]
    assert np.all(out[~np.isnan(out)] >= 18 * 3600)
    assert np.all(flights[:, FLIGHT_COL["launch_s"]] < 18 * 3600)
