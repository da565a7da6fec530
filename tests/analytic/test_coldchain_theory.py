"""The cold chain's integration path against closed forms, and its monotonicity.

Orders go through :class:`twin.domain.coldchain.chain.ColdChain` as after a run
(timeline + cold legs -> stage intervals -> segments cut at hours and faults ->
``chain_stages``), so these tests check the whole path, not only the physics module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.coldchain_support import (
    COUNTER,
    DAY_S,
    LOCKER,
    item_values,
    make_order,
    run_chain,
    uniform_config,
)
from twin.config.coldchain import FaultConfig
from twin.core.sampling import DistSpec
from twin.core.streams import Streams
from twin.domain.coldchain.environment import draw_faults
from twin.domain.coldchain.kpis import ORDER

pytestmark = pytest.mark.analytic

GAS = 8.314462618
HOUR_S = 3600.0
SL_REF_S = 10 * DAY_S
ABOVE = ORDER["time_above_safe_s"]


def q10_shelf_life_s(temp_c: float, q10: float) -> float:
    return SL_REF_S * q10 ** (-(temp_c - 4.0) / 10.0)


def arrhenius_shelf_life_s(temp_c: float, ea: float) -> float:
    return SL_REF_S * math.exp(ea / GAS * (1.0 / (temp_c + 273.15) - 1.0 / (4.0 + 273.15)))


@pytest.mark.parametrize("temp_c", [-2.0, 4.0, 12.5, 30.0])
@pytest.mark.parametrize(
    ("model", "shelf_life"),
    [
        ("q10", lambda t: q10_shelf_life_s(t, 3.0)),
        ("arrhenius", lambda t: arrhenius_shelf_life_s(t, 70_000.0)),
    ],
)
def test_constant_temperature_uses_duration_over_shelf_life(
    model: str, shelf_life: object, temp_c: float
) -> None:
    # A pickup order in air at the product's own temperature from storage to collection,
    # across hour boundaries: the whole chain is one temperature.
    config = uniform_config(temp_c, model=model)
    order = make_order(0, left_storage_s=1234.0, picked_s=2000.0, collected_s=20_000.0)
    _, log = run_chain(config, [order])
    expected = (20_000.0 - 1234.0) / shelf_life(temp_c)  # type: ignore[operator]
    assert item_values(log, "lost_frac") == pytest.approx(expected, rel=1e-12)
    assert item_values(log, "left_frac") == pytest.approx(1.0 - expected, rel=1e-12)
    assert item_values(log, "handover_temp_c") == pytest.approx(temp_c, abs=1e-12)


def test_a_delivered_order_at_constant_temperature_counts_every_leg() -> None:
    config = uniform_config(8.0)
    order = make_order(0, is_pickup=False, left_storage_s=1000.0, picked_s=1500.0)
    legs = [
        (0, "van", 2000.0, 5000.0),
        (0, "doorstep", 5000.0, 9000.0),  # staging 1500-2000, then the legs until 9000
    ]
    _, log = run_chain(config, [order], legs)
    expected = (9000.0 - 1000.0) / q10_shelf_life_s(8.0, 3.0)
    assert item_values(log, "lost_frac") == pytest.approx(expected, rel=1e-12)


def test_step_change_gives_the_exponential_approach() -> None:
    # Product leaves 4 C storage into 14 C air (floor, then locker): T = 14 - 10 exp(-t / tau).
    tau_s = 3600.0
    config = uniform_config(14.0, storage_temp_c=4.0)
    config.packaging.bare_pack_s = tau_s
    for collected in (1000.0 + 60.0, 1000.0 + 1800.0, 1000.0 + 3 * HOUR_S, 1000.0 + 30 * HOUR_S):
        order = make_order(0, left_storage_s=1000.0, picked_s=1030.0, collected_s=collected)
        _, log = run_chain(config, [order])
        elapsed = collected - 1000.0
        expected = 14.0 - 10.0 * math.exp(-elapsed / tau_s)
        assert item_values(log, "handover_temp_c") == pytest.approx(expected, abs=1e-12)


def test_two_steps_chain_the_exponentials() -> None:
    # Picking at 14 C for 30 min, then a 4 C locker for 2 h: the locker pulls it back down.
    tau_s = 3600.0
    config = uniform_config(14.0, storage_temp_c=4.0)
    config.environment.locker_chilled_c = 4.0
    order = make_order(0, left_storage_s=0.0, picked_s=1800.0, collected_s=1800.0 + 7200.0)
    _, log = run_chain(config, [order])
    after_picking = 14.0 - 10.0 * math.exp(-1800.0 / tau_s)
    expected = 4.0 + (after_picking - 4.0) * math.exp(-7200.0 / tau_s)
    assert item_values(log, "handover_temp_c") == pytest.approx(expected, abs=1e-12)


def test_time_above_safe_is_the_crossing_time() -> None:
    # 4 C product into 14 C air for 3 h, safe limit 8 C: above it after tau ln(10 / 6).
    config = uniform_config(14.0, storage_temp_c=4.0, max_safe_temp_c=8.0)
    order = make_order(0, left_storage_s=0.0, picked_s=600.0, collected_s=3 * HOUR_S)
    _, log = run_chain(config, [order])
    crossing = HOUR_S * math.log(10.0 / 6.0)
    assert log.orders[0, ORDER["time_above_safe_s"]] == pytest.approx(
        3 * HOUR_S - crossing, rel=1e-12
    )


def test_fault_coverage_matches_the_poisson_boolean_model() -> None:
    # Onsets at rate r, fixed repair D: a moment is inside a fault with probability
    # 1 - exp(-r D) (Boolean model), at any time of day (the look-back covers time 0).
    rate_per_h, repair_s, horizon_s, units = 0.05, 2 * HOUR_S, DAY_S, 4000
    fault = FaultConfig(rate_per_h=rate_per_h, duration_s=DistSpec(kind="fixed", mean=repair_s))
    faults = draw_faults(fault, units, horizon_s, Streams(7, 0, "R1"), "test.fault")
    inside = np.clip(faults.end_s, 0, horizon_s) - np.clip(faults.start_s, 0, horizon_s)
    share = inside.sum() / (units * horizon_s)
    expected = 1.0 - math.exp(-rate_per_h * repair_s / HOUR_S)
    # binomial-ish standard error over ~4000 independent day-long timelines
    assert share == pytest.approx(expected, abs=4 * math.sqrt(expected / units))


# --- longer exposure never leaves more shelf life -----------------------------------------------

temps = st.floats(min_value=-5.0, max_value=40.0, allow_nan=False)
durations = st.floats(min_value=0.0, max_value=6 * HOUR_S, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    floor=st.lists(temps, min_size=24, max_size=24),
    outdoor=st.lists(temps, min_size=24, max_size=24),
    locker_c=temps,
    van_c=temps,
    left_s=st.floats(min_value=0.0, max_value=20 * HOUR_S),
    picking_s=durations,
    staging_s=durations,
    van_s=durations,
    doorstep_s=durations,
    extra_s=st.floats(min_value=0.0, max_value=8 * HOUR_S),
    model=st.sampled_from(["q10", "arrhenius"]),
    van_fault=st.booleans(),
)
def test_a_later_handover_never_leaves_more_shelf_life(
    floor: list[float],
    outdoor: list[float],
    locker_c: float,
    van_c: float,
    left_s: float,
    picking_s: float,
    staging_s: float,
    van_s: float,
    doorstep_s: float,
    extra_s: float,
    model: str,
    van_fault: bool,
) -> None:
    """Any air profile, faults included: waiting longer for the customer only takes shelf life
    and adds time above the safe temperature; what happened before is unchanged."""
    config = uniform_config(4.0, model=model, storage_temp_c=4.0, max_safe_temp_c=8.0)
    env = config.environment
    env.shop_floor_c_by_hour = floor
    env.outdoor_c_by_hour = outdoor
    env.locker_chilled_c = locker_c
    env.van_chilled_c = van_c
    if van_fault:
        config.faults.van_cooler.rate_per_h = 0.5
    picked = left_s + picking_s
    pickup = make_order(0, left_storage_s=left_s, picked_s=picked, collected_s=picked + staging_s)
    later_pickup = make_order(
        0, left_storage_s=left_s, picked_s=picked, collected_s=picked + staging_s + extra_s
    )
    out = picked + staging_s
    delivered = make_order(1, is_pickup=False, left_storage_s=left_s, picked_s=picked)
    legs = [(1, "van", out, out + van_s), (1, "doorstep", out + van_s, out + van_s + doorstep_s)]
    later_legs = [legs[0], (1, "doorstep", out + van_s, out + van_s + doorstep_s + extra_s)]
    for method in (LOCKER, COUNTER):
        _, short = run_chain(config, [pickup, delivered], legs, method=method)
        _, long = run_chain(config, [later_pickup, delivered], later_legs, method=method)
        for column in ("lost_frac", "is_written_off", "is_breached"):
            assert np.all(item_values(long, column) >= item_values(short, column) - 1e-12), column
        assert np.all(item_values(long, "left_frac") <= item_values(short, "left_frac") + 1e-12)
        assert np.all(long.orders[:, ABOVE] >= short.orders[:, ABOVE] - 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    air_c=st.floats(min_value=4.0, max_value=40.0),
    picking_s=durations,
    extra_s=durations,
    staging_s=durations,
    model=st.sampled_from(["q10", "arrhenius"]),
)
def test_a_longer_warm_pick_never_leaves_more_shelf_life(
    air_c: float, picking_s: float, extra_s: float, staging_s: float, model: str
) -> None:
    """Air at or above storage temperature: a slower pick warms the product more, and every
    later stage (same length) then starts warmer."""
    config = uniform_config(air_c, model=model, storage_temp_c=4.0, max_safe_temp_c=8.0)
    config.environment.locker_chilled_c = 4.0 + 0.5 * (air_c - 4.0)
    results = []
    for pick in (picking_s, picking_s + extra_s):
        order = make_order(0, left_storage_s=0.0, picked_s=pick, collected_s=pick + staging_s)
        results.append(run_chain(config, [order])[1])
    short, long = results
    assert np.all(item_values(long, "lost_frac") >= item_values(short, "lost_frac") - 1e-12)
    assert np.all(item_values(long, "left_frac") <= item_values(short, "left_frac") + 1e-12)
