"""Cold chain: journeys from timelines and cold legs, segments, breaches by stage, write-offs."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

import twin
from tests.coldchain_support import (
    COUNTER,
    DAY_S,
    item_values,
    make_order,
    run_chain,
    uniform_config,
)
from twin.config.coldchain import ColdChainConfig
from twin.config.validate import validate
from twin.core.sampling import DistSpec
from twin.domain.coldchain.environment import (
    CHILLED,
    FLOOR,
    PICKING,
    STAGES,
    VAN,
    ColdEnvironment,
    FaultTimelines,
    Intervals,
    split_intervals,
)
from twin.domain.coldchain.environment import (
    LOCKER as LOCKER_PLACE,
)
from twin.domain.coldchain.kpis import ORDER, ColdChainLog, coldchain_kpis
from twin.errors import ConfigError, TwinError
from twin.kpi.catalog import CATALOG, KpiRows
from twin.kpi.columns import StackedColumns

pytestmark = pytest.mark.unit

HOUR_S = 3600.0


def lag(start_c: float, air_c: float, elapsed_s: float, tau_s: float = HOUR_S) -> float:
    """Newton's law of cooling: product temperature after ``elapsed_s`` in ``air_c``."""
    return air_c + (start_c - air_c) * math.exp(-elapsed_s / tau_s)


def kpis(log: ColdChainLog, window: tuple[float, float] = (0.0, DAY_S)) -> dict[str, float]:
    rows = KpiRows()
    coldchain_kpis(rows, log, window)
    return {f"{kpi}:{stat}": value for kpi, stat, value, _ in rows.rows}


# --- segments ------------------------------------------------------------------------------------


def environment(faults: FaultTimelines | None = None) -> ColdEnvironment:
    config = ColdChainConfig()
    config.environment.shop_floor_c_by_hour = [float(h) for h in range(24)]
    return ColdEnvironment(config, faults or FaultTimelines.empty())


def test_intervals_are_cut_at_hours_with_the_hours_air() -> None:
    intervals = Intervals.from_rows([(0, PICKING, FLOOR, CHILLED, -1, 3000.0, 8000.0)])
    segments = split_intervals(intervals, environment())
    assert segments.start_s.tolist() == [3000.0, 3600.0, 7200.0]
    assert segments.duration_s.tolist() == [600.0, 3600.0, 800.0]
    assert segments.env_c.tolist() == [0.0, 1.0, 2.0]


def test_constant_air_across_hours_is_one_segment_and_empty_intervals_none() -> None:
    intervals = Intervals.from_rows(
        [
            (0, 1, LOCKER_PLACE, CHILLED, 3, 1000.0, 20_000.0),
            (1, 1, LOCKER_PLACE, CHILLED, 3, 500.0, 500.0),
        ]
    )
    segments = split_intervals(intervals, environment())
    assert segments.duration_s.tolist() == [19_000.0]
    assert segments.env_c.tolist() == [3.0 + 0.5]  # set point + door offset


def test_a_fault_switches_the_locker_to_floor_air_and_back() -> None:
    faults = FaultTimelines.merged(np.array([3]), np.array([4000.0]), np.array([5000.0]))
    intervals = Intervals.from_rows(
        [
            (0, 1, LOCKER_PLACE, CHILLED, 3, 3700.0, 6000.0),
            (1, 1, LOCKER_PLACE, CHILLED, 4, 3700.0, 6000.0),  # another zone: unaffected
        ]
    )
    segments = split_intervals(intervals, environment(faults))
    first = segments.interval == 0
    assert segments.duration_s[first].tolist() == [300.0, 1000.0, 1000.0]
    assert segments.env_c[first].tolist() == [3.5, 1.0, 3.5]  # 01:00 floor air while failed
    assert segments.env_c[~first].tolist() == [3.5]


def test_overlapping_faults_merge() -> None:
    faults = FaultTimelines.merged(
        np.array([2, 1, 1, 1]),
        np.array([0.0, 100.0, 50.0, 500.0]),
        np.array([10.0, 300.0, 200.0, 600.0]),
    )
    assert faults.timeline.tolist() == [1, 1, 2]
    assert faults.start_s.tolist() == [50.0, 500.0, 0.0]
    assert faults.end_s.tolist() == [300.0, 600.0, 10.0]


def test_van_air_by_zone_and_fault() -> None:
    config = ColdChainConfig()
    config.environment.outdoor_c_by_hour = [30.0] * 24
    env = ColdEnvironment(config, FaultTimelines.empty())
    place = np.array([VAN, VAN, VAN])
    zone = np.array([0, 1, 2])
    ok = env.air_c(place, zone, np.zeros(3), np.zeros(3, dtype=bool))
    failed = env.air_c(place, zone, np.zeros(3), np.ones(3, dtype=bool))
    assert ok.tolist() == [30.0, 3.0 + 1.0, -18.0 + 1.0]
    assert failed.tolist() == [30.0, 30.0, 30.0]


# --- journeys ------------------------------------------------------------------------------------


def breach_config() -> ColdChainConfig:
    """Storage 4 C, air 20 C, safe limit 8 C for at most 1 h."""
    return uniform_config(
        20.0, storage_temp_c=4.0, max_safe_temp_c=8.0, max_time_above_safe_s=HOUR_S
    )


def test_breaches_are_counted_where_they_happen() -> None:
    config = breach_config()
    long, short = 4 * HOUR_S, 600.0
    orders = [
        make_order(0, left_storage_s=0.0, picked_s=long, collected_s=long + short),
        make_order(1, left_storage_s=0.0, picked_s=short, collected_s=short + long),
        make_order(2, is_pickup=False, left_storage_s=0.0, picked_s=short),
        make_order(3, is_pickup=False, left_storage_s=0.0, picked_s=short),
        make_order(4, left_storage_s=0.0, picked_s=short, collected_s=2 * short),
    ]
    legs = [
        (2, "bike_tote", short, short + long),  # tote air 20 C, tau 6 h: slow but it gets there
        (3, "drone_box", short, 2 * short),
        (3, "doorstep", 2 * short, 2 * short + long),
    ]
    config.packaging.insulated_tote_s = 1800.0
    _, log = run_chain(config, orders, legs, method=COUNTER)
    stage = dict(
        zip(
            log.orders[:, ORDER["order"]].tolist(),
            log.orders[:, ORDER["breach_stage"]].tolist(),
            strict=True,
        )
    )
    assert stage == {0: 0, 1: 1, 2: 2, 3: 3, 4: -1}
    values = kpis(log)
    for name in STAGES:
        assert values[f"coldchain.breaches_{name}_n:total"] == 1, name
    assert values["coldchain.breach_frac:mean"] == pytest.approx(4 / 5)
    assert values["coldchain.spoiled_frac:mean"] == pytest.approx(4 / 5)  # breached: written off
    assert values["coldchain.waste_kg:total"] == pytest.approx(4 * 4 * 0.5)
    assert values["coldchain.refund_money:total"] == pytest.approx(4 * 4 * 4.0)


def test_a_van_cooler_fault_breaks_the_chain_in_the_vehicle() -> None:
    config = breach_config()
    config.environment.van_chilled_c = 4.0
    order = make_order(0, is_pickup=False, left_storage_s=0.0, picked_s=60.0)
    legs = [(0, "van", 60.0, 60.0 + 4 * HOUR_S)]
    _, fine = run_chain(config, [order], legs)
    config.faults.van_cooler.rate_per_h = 10.0  # failed nearly all the time
    config.faults.van_cooler.duration_s = DistSpec(kind="fixed", mean=DAY_S)
    _, failed = run_chain(config, [order], legs)
    assert fine.orders[0, ORDER["breach_stage"]] == -1
    assert failed.orders[0, ORDER["breach_stage"]] == STAGES.index("vehicle")


def test_an_overflowed_part_waits_in_the_staging_area() -> None:
    config = breach_config()
    config.environment.locker_chilled_c = 4.0
    orders = [
        make_order(0, left_storage_s=0.0, picked_s=60.0, collected_s=60.0 + 3 * HOUR_S),
        make_order(1, left_storage_s=0.0, picked_s=60.0, collected_s=60.0 + 3 * HOUR_S),
    ]
    _, log = run_chain(config, orders, overflowed=[(1, CHILLED)])
    in_locker = item_values(log, "handover_temp_c", 0)
    at_counter = item_values(log, "handover_temp_c", 1)
    assert np.all(in_locker < 4.2) and np.all(at_counter > 15.0)
    # waiting for a compartment: floor air until ready, then the locker
    orders[1].ready_s = 60.0 + HOUR_S
    _, waited = run_chain(config, orders, overflowed=[(1, CHILLED)], overflow_waits=True)
    temp = item_values(waited, "handover_temp_c", 1)
    after_floor = lag(4.0, 20.0, 60.0 + HOUR_S)  # picking, then waiting for a compartment
    assert temp == pytest.approx(lag(after_floor, 4.0, 2 * HOUR_S), abs=1e-9)


def test_back_at_the_store_between_attempts_is_store_storage() -> None:
    config = uniform_config(10.0, storage_temp_c=10.0)
    config.environment.shop_floor_c_by_hour = [30.0] * 24
    config.environment.store_cooler_c = 2.0
    config.environment.staging_area = "floor"  # the what-if: totes wait on the floor
    order = make_order(0, is_pickup=False, left_storage_s=0.0, picked_s=100.0)
    legs = [(0, "van", 200.0, 1000.0), (0, "van", 5000.0, 6000.0)]
    _, log = run_chain(config, [order], legs)
    # floor air (30 C) while picked and at the dispatch desk, the van (10 C), 4000 s back in
    # the store cooler (2 C) awaiting the retry, the van again
    temp = lag(10.0, 30.0, 200.0)
    temp = lag(temp, 10.0, 800.0)
    temp = lag(temp, 2.0, 4000.0)
    expected = lag(temp, 10.0, 1000.0)
    assert item_values(log, "handover_temp_c") == pytest.approx(expected, rel=1e-9)


def test_orders_not_handed_over_are_not_assessed_but_expired_ones_are_written_off() -> None:
    config = uniform_config(4.0)
    orders = [
        make_order(0, collected_s=5000.0),
        make_order(1, is_pickup=False),  # no cold legs: still with the last mile
        make_order(2, items=3, expired_s=9000.0),
        make_order(3, items=5, zone="ambient", expired_s=9000.0),  # ambient: back to stock
    ]
    config.categories["y"] = dataclasses.replace(
        config.categories["x"], zone="ambient", order_item_share=1.0
    )
    _, log = run_chain(config, orders)
    assert log.orders[:, ORDER["order"]].tolist() == [0]
    values = kpis(log)
    assert values["coldchain.orders_n:total"] == 1
    assert values["coldchain.expired_waste_kg:total"] == pytest.approx(3 * 0.5)
    assert values["coldchain.waste_kg:total"] == pytest.approx(3 * 0.5)
    assert values["coldchain.write_off_money:total"] == pytest.approx(3 * 4.0)
    assert values["coldchain.refund_money:total"] == 0.0


def test_the_age_limit_caps_the_age_at_pick() -> None:
    # freshest first with an age limit: no item leaves the shelf older than the limit, so a
    # short handling (5% of the shelf life) writes nothing off
    config = uniform_config(4.0)
    config.categories["x"].age_at_pick_frac = DistSpec(kind="uniform", low=0.0, high=1.0)
    config.max_age_at_pick_frac = 0.5
    order = make_order(0, items=400, collected_s=1000.0 + 0.05 * 10 * DAY_S)
    _, log = run_chain(config, [order])
    left = item_values(log, "left_frac")
    assert left.min() >= 0.5 - 0.06 and np.mean(left < 0.5) > 0.05  # some at the cap
    assert not np.any(item_values(log, "is_written_off"))


def test_items_below_the_remaining_threshold_are_written_off() -> None:
    config = uniform_config(4.0)
    config.categories["x"].age_at_pick_frac = DistSpec(kind="uniform", low=0.0, high=1.0)
    config.max_age_at_pick_frac = 1.0  # no age limit here: the threshold alone decides
    order = make_order(0, items=400, collected_s=1000.0 + 0.05 * 10 * DAY_S)  # 5% of life
    _, log = run_chain(config, [order])
    left = item_values(log, "left_frac")
    assert np.all(item_values(log, "is_written_off") == (left < 0.25))
    assert np.mean(left < 0.25) == pytest.approx(0.30, abs=0.07)  # ages above 0.7


def test_categories_share_their_zone_items() -> None:
    config = ColdChainConfig(enabled=True)
    orders = [make_order(i, items=30, collected_s=5000.0) for i in range(200)]
    chain, _ = run_chain(config, orders)
    chilled = [i for i, c in enumerate(chain.categories) if c.zone == "chilled"]
    counts = chain.counts[:, chilled]
    assert np.all(counts.sum(axis=1) == 30)
    shares = counts.sum(axis=0) / counts.sum()
    assert shares == pytest.approx(np.array([0.15, 0.12, 0.08]) / 0.35, abs=0.02)


def test_an_unknown_cold_leg_environment_is_an_error() -> None:
    order = make_order(0, is_pickup=False)
    with pytest.raises(TwinError, match=re.escape("order 0 has a leg in environment 'boat'")):
        run_chain(uniform_config(4.0), [order], [(0, "boat", 2000.0, 3000.0)])


# --- config --------------------------------------------------------------------------------------


def test_age_at_pick_above_the_whole_shelf_life_is_refused() -> None:
    config = ColdChainConfig()
    config.categories["dairy"].age_at_pick_frac = DistSpec(kind="uniform", low=0.0, high=1.2)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "coldchain.categories.dairy.age_at_pick_frac.high = 1.2; expected a share of the "
            "shelf life, at most 1."
        ),
    ):
        validate(config, "coldchain")


def test_staging_area_lists_the_valid_ones() -> None:
    config = ColdChainConfig()
    config.environment.staging_area = "fridge"
    with pytest.raises(ConfigError, match=re.escape("expected one of floor, cold.")):
        validate(config, "coldchain")


# --- in the model --------------------------------------------------------------------------------

SMALL = ["network=single_store", "run.replications=1"]


def test_on_by_default_every_kpi_defined_and_off_none() -> None:
    assert twin.load_config(SMALL).coldchain.enabled
    off = twin.simulate(twin.load_config([*SMALL, "coldchain.enabled=false"])).kpis
    on = twin.simulate(twin.load_config([*SMALL, "coldchain.enabled=true"])).kpis
    assert not off.kpi.str.startswith("coldchain.").any()
    names = set(on.kpi[on.kpi.str.startswith("coldchain.")])
    assert names == {name for name in CATALOG if name.startswith("coldchain.")}
    shared = off.merge(on, on=["region", "store", "kpi", "stat"], suffixes=("_off", "_on"))
    # the cold chain only reads the run: every other KPI is unchanged
    assert np.array_equal(shared.value_off.to_numpy(), shared.value_on.to_numpy(), equal_nan=True)


def test_same_seed_same_cold_chain() -> None:
    config = twin.load_config([*SMALL, "coldchain.enabled=true", "coldchain=heatwave"])
    a, b = twin.simulate(config).kpis, twin.simulate(config).kpis
    assert a.equals(b)
    row = a[(a.kpi == "coldchain.orders_n") & (a.store == "all")]
    assert float(row.value.iloc[0]) > 0


def test_pooled_logs_are_the_stores_rows_stacked_column_by_column() -> None:
    """Pooled tables are long (a national day: 1.2 M item rows); the KPIs read columns, so
    the pooled tables are laid out column by column, with the same rows in store order."""
    rng = np.random.default_rng(3)
    logs = [
        ColdChainLog(rng.random((n, 4)), rng.random((2 * n, 5)), rng.random((n // 2, 3)))
        for n in (3, 8, 0, 5)
    ]
    pooled = ColdChainLog.concat(logs)
    for name in ("orders", "expired"):
        table = getattr(pooled, name)
        assert table.flags.f_contiguous
        np.testing.assert_array_equal(table, np.vstack([getattr(log, name) for log in logs]))
    # the long item table: each column stacked when a KPI part first reads it, then kept
    items, stacked = pooled.items, np.vstack([log.items for log in logs])
    assert isinstance(items, StackedColumns) and items.shape == stacked.shape
    for column in range(stacked.shape[1]):
        np.testing.assert_array_equal(items[:, column], stacked[:, column])
        assert items[:, column] is items[:, column]
    chosen = stacked[:, 0] > 0.5
    np.testing.assert_array_equal(items[chosen, 3], stacked[chosen, 3])
    np.testing.assert_array_equal(np.asarray(items), stacked)
