"""Shelf-life physics: temperature lag, consumed fraction (both models), time above safe."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from twin.domain.coldchain.shelf_life import (
    chain_stages,
    consumed_fraction,
    expose_stage,
    product_temp_c,
    rate_per_s,
    shelf_life_s,
    time_above_safe_s,
)
from twin.domain.coldchain.shelf_life_kinetics import GAS_CONSTANT_J_PER_MOL_K, Kinetics

pytestmark = pytest.mark.unit

DAY_S = 86400.0
HOUR_S = 3600.0
DAIRY = Kinetics("q10", ref_shelf_life_s=10 * DAY_S, ref_temp_c=4.0, q10=5.0)
MEAT = Kinetics(
    "arrhenius", ref_shelf_life_s=2 * DAY_S, ref_temp_c=4.0, activation_energy_j_per_mol=100_000.0
)
MODELS = {"q10": DAIRY, "arrhenius": MEAT}


def quad_consumed(
    kinetics: Kinetics, start_c: float, env_c: float, duration_s: float, tau_s: float
) -> float:
    """The consumed fraction by adaptive quadrature of 1 / SL(T(t)) over the stage."""

    def rate(t: float) -> float:
        return float(rate_per_s(kinetics, env_c + (start_c - env_c) * math.exp(-t / tau_s)))

    breaks = [k * tau_s for k in (0.01, 0.1, 1.0, 4.0, 10.0, 50.0) if k * tau_s < duration_s]
    value, _ = quad(
        rate, 0.0, duration_s, epsabs=0.0, epsrel=1e-13, limit=1000, points=breaks or None
    )
    return value


# --- shelf life at a constant temperature ------------------------------------------------------


def test_q10_shelf_life_divides_by_q10_per_ten_degrees() -> None:
    sl = shelf_life_s(DAIRY, [4.0, 14.0, 24.0, -6.0])
    assert sl == pytest.approx([10 * DAY_S, 2 * DAY_S, 0.4 * DAY_S, 50 * DAY_S], rel=1e-12)


def test_arrhenius_rate_follows_the_arrhenius_law() -> None:
    temps_c = np.array([-2.0, 4.0, 10.0, 25.0])
    temps_k, ref_k = temps_c + 273.15, 4.0 + 273.15
    expected = np.exp(-100_000.0 / GAS_CONSTANT_J_PER_MOL_K * (1 / temps_k - 1 / ref_k)) / (
        2 * DAY_S
    )
    assert rate_per_s(MEAT, temps_c) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("model", ["q10", "arrhenius"])
@pytest.mark.parametrize("temp_c", [-18.0, 0.0, 4.0, 9.5, 30.0])
@pytest.mark.parametrize("tau_s", [60.0, HOUR_S, 6 * HOUR_S])
def test_constant_temperature_consumes_duration_over_shelf_life(
    model: str, temp_c: float, tau_s: float
) -> None:
    kinetics = MODELS[model]
    duration_s = 7.3 * HOUR_S
    got = consumed_fraction(kinetics, temp_c, temp_c, duration_s, tau_s)
    assert float(got) == pytest.approx(
        duration_s / float(shelf_life_s(kinetics, temp_c)), rel=1e-13
    )


def test_zero_duration_consumes_nothing() -> None:
    for kinetics in MODELS.values():
        assert consumed_fraction(kinetics, [4.0, 30.0], [30.0, 4.0], 0.0, HOUR_S) == pytest.approx(
            [0.0, 0.0], abs=0.0
        )


# --- the temperature lag -----------------------------------------------------------------------


def test_step_change_approaches_environment_exponentially() -> None:
    t = np.linspace(0.0, 5 * HOUR_S, 11)
    temps = product_temp_c(t, 4.0, 25.0, HOUR_S)
    assert temps == pytest.approx(25.0 - 21.0 * np.exp(-t / HOUR_S), rel=1e-14)
    assert temps[0] == 4.0
    assert np.all(np.diff(temps) > 0)


def test_chain_end_temperature_is_the_composed_exponential() -> None:
    # Cooler -> shop floor -> van -> doorstep: each stage starts where the last ended.
    stages = [(21.0, 600.0), (4.0, 2 * HOUR_S, 6 * HOUR_S), (25.0, 1800.0)]
    chain = chain_stages(DAIRY, 4.0, stages, HOUR_S, 4.4)
    temp = 4.0
    for stage in stages:
        env, duration = stage[0], stage[1]
        tau = stage[2] if len(stage) == 3 else HOUR_S
        temp = env + (temp - env) * math.exp(-duration / tau)
    assert float(chain.end_temp_c) == pytest.approx(temp, rel=1e-14)
    assert chain.time_above_safe_s.shape == (3,)


@pytest.mark.parametrize("model", ["q10", "arrhenius"])
def test_splitting_a_stage_changes_nothing(model: str) -> None:
    kinetics = MODELS[model]
    whole = expose_stage(kinetics, 4.0, 30.0, 3 * HOUR_S, HOUR_S, 4.4)
    parts = chain_stages(
        kinetics, 4.0, [(30.0, 1000.0), (30.0, 2 * HOUR_S), (30.0, 2600.0)], HOUR_S, 4.4
    )
    assert float(parts.end_temp_c) == pytest.approx(float(whole.end_temp_c), rel=1e-13)
    assert float(parts.consumed_fraction) == pytest.approx(
        float(whole.consumed_fraction), rel=1e-12
    )
    assert float(parts.total_time_above_safe_s) == pytest.approx(
        float(whole.time_above_safe_s), rel=1e-12
    )


# --- consumed fraction during the lag, against numerical integration ---------------------------

LAG_CASES = [
    # start, env, duration / tau, tau: covering every branch of both models
    (4.0, 4.5, 3.0, HOUR_S),  # q10: c -> 0, power series
    (4.0, 14.0, 1.5, HOUR_S),  # q10: |c| near the series limit
    (4.0, 30.0, 2.0, HOUR_S),  # q10: closed form, warming
    (30.0, 4.0, 2.0, HOUR_S),  # q10: closed form, cooling
    (4.0, 35.0, 0.05, HOUR_S),  # q10: short stage, large gap (quadrature)
    (-18.0, 25.0, 0.02, 6 * HOUR_S),  # frozen item on a doorstep, briefly
    (4.0, 25.0, 400.0, 60.0),  # long stage: settled at Te for most of it
    (20.0, -18.0, 30.0, HOUR_S),  # freezing down
    (4.0, 41.5, 1e-4, HOUR_S),  # a few tenths of a second
]


@pytest.mark.parametrize("model", ["q10", "arrhenius"])
@pytest.mark.parametrize(("start_c", "env_c", "taus", "tau_s"), LAG_CASES)
def test_lag_stage_matches_quadrature(
    model: str, start_c: float, env_c: float, taus: float, tau_s: float
) -> None:
    kinetics = MODELS[model]
    duration_s = taus * tau_s
    got = float(consumed_fraction(kinetics, start_c, env_c, duration_s, tau_s))
    assert got == pytest.approx(
        quad_consumed(kinetics, start_c, env_c, duration_s, tau_s), rel=1e-9
    )


@pytest.mark.parametrize("q10", [1.2, 2.5, 7.0, 10.0])
@pytest.mark.parametrize("activation_energy", [20_000.0, 100_000.0, 200_000.0])
def test_random_lag_stages_match_quadrature(q10: float, activation_energy: float) -> None:
    rng = np.random.default_rng(int(q10 * 10 + activation_energy / 1000))
    for kinetics in (
        Kinetics("q10", ref_shelf_life_s=5 * DAY_S, ref_temp_c=4.0, q10=q10),
        Kinetics(
            "arrhenius",
            ref_shelf_life_s=5 * DAY_S,
            ref_temp_c=4.0,
            activation_energy_j_per_mol=activation_energy,
        ),
    ):
        start = rng.uniform(-25.0, 40.0, 8)
        env = rng.uniform(-25.0, 40.0, 8)
        tau = 10 ** rng.uniform(2.0, 4.5, 8)
        duration = tau * 10 ** rng.uniform(-3.0, 2.0, 8)
        got = consumed_fraction(kinetics, start, env, duration, tau)
        expected = [
            quad_consumed(kinetics, *args) for args in zip(start, env, duration, tau, strict=True)
        ]
        assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("start_c", "env_c", "taus"), [(200.0, 0.0, 2.0), (0.0, 200.0, 3.0)])
def test_huge_gaps_stay_finite_and_exact(start_c: float, env_c: float, taus: float) -> None:
    # |c| = ln(10) / 10 * 200 = 46: exp(-x) Ei(x) from its asymptotic series.
    kinetics = Kinetics("q10", ref_shelf_life_s=DAY_S, ref_temp_c=4.0, q10=10.0)
    got = float(consumed_fraction(kinetics, start_c, env_c, taus * HOUR_S, HOUR_S))
    expected = quad_consumed(kinetics, start_c, env_c, taus * HOUR_S, HOUR_S)
    assert got == pytest.approx(expected, rel=1e-9)


def test_arrays_of_items_and_parameters_broadcast() -> None:
    ref_shelf_life_s = np.array([2.0, 10.0, 180.0]) * DAY_S
    ref_temp_c = np.array([4.0, 4.0, -18.0])
    q10 = np.array([2.5, 5.0, 5.0])
    kinetics = Kinetics("q10", ref_shelf_life_s=ref_shelf_life_s, ref_temp_c=ref_temp_c, q10=q10)
    start = ref_temp_c
    got = consumed_fraction(kinetics, start, 25.0, 1800.0, HOUR_S)
    for i in range(3):
        one = Kinetics("q10", float(ref_shelf_life_s[i]), float(ref_temp_c[i]), float(q10[i]))
        expected = float(consumed_fraction(one, start[i], 25.0, 1800.0, HOUR_S))
        assert got[i] == pytest.approx(expected, rel=1e-14)
    assert consumed_fraction(DAIRY, np.zeros((2, 3)), 10.0, 60.0, HOUR_S).shape == (2, 3)


@settings(max_examples=150, deadline=None)
@given(
    model=st.sampled_from(["q10", "arrhenius"]),
    start_c=st.floats(-25.0, 40.0),
    env_c=st.floats(-25.0, 40.0),
    tau_s=st.floats(30.0, 20 * HOUR_S),
    duration_s=st.floats(0.0, 5 * DAY_S),
    extra_s=st.floats(0.0, DAY_S),
)
def test_longer_exposure_never_leaves_more_shelf_life(
    model: str, start_c: float, env_c: float, tau_s: float, duration_s: float, extra_s: float
) -> None:
    kinetics = MODELS[model]
    shorter = float(consumed_fraction(kinetics, start_c, env_c, duration_s, tau_s))
    longer = float(consumed_fraction(kinetics, start_c, env_c, duration_s + extra_s, tau_s))
    assert shorter >= 0.0
    assert longer >= shorter * (1 - 1e-12)


@settings(max_examples=100, deadline=None)
@given(
    model=st.sampled_from(["q10", "arrhenius"]),
    start_c=st.floats(-25.0, 40.0),
    env_c=st.floats(-25.0, 40.0),
    warmer_by=st.floats(0.0, 20.0),
    tau_s=st.floats(30.0, 20 * HOUR_S),
    duration_s=st.floats(1.0, 2 * DAY_S),
)
def test_warmer_environment_never_leaves_more_shelf_life(
    model: str, start_c: float, env_c: float, warmer_by: float, tau_s: float, duration_s: float
) -> None:
    kinetics = MODELS[model]
    cool = float(consumed_fraction(kinetics, start_c, env_c, duration_s, tau_s))
    warm = float(consumed_fraction(kinetics, start_c, env_c + warmer_by, duration_s, tau_s))
    assert warm >= cool * (1 - 1e-12)


# --- time above the safe temperature -----------------------------------------------------------

SAFE_CASES = [
    # start, env, safe, duration / tau
    (4.0, 25.0, 4.4, 2.0),  # crosses upwards early
    (4.0, 25.0, 20.0, 3.0),  # crosses upwards late
    (4.0, 25.0, 24.0, 1.0),  # never gets there within the stage
    (25.0, 4.0, 8.0, 3.0),  # cools below within the stage
    (25.0, 4.0, 8.0, 0.5),  # still above at the end
    (25.0, 30.0, 8.0, 1.0),  # above throughout
    (2.0, 4.0, 4.4, 5.0),  # below throughout
    (4.4, 25.0, 4.4, 1.0),  # starts exactly at the limit
    (-18.0, 21.0, -12.0, 0.7),  # frozen item thawing on the shop floor
]


@pytest.mark.parametrize(("start_c", "env_c", "safe_c", "taus"), SAFE_CASES)
def test_time_above_safe_matches_a_fine_grid(
    start_c: float, env_c: float, safe_c: float, taus: float
) -> None:
    tau_s = HOUR_S
    duration_s = taus * tau_s
    n = 400_000
    t = (np.arange(n) + 0.5) * duration_s / n  # midpoints
    grid = (
        float(np.count_nonzero(product_temp_c(t, start_c, env_c, tau_s) > safe_c)) * duration_s / n
    )
    got = float(time_above_safe_s(start_c, env_c, duration_s, tau_s, safe_c))
    assert got == pytest.approx(grid, abs=2 * duration_s / n)
    assert 0.0 <= got <= duration_s


def test_time_above_safe_crossing_is_the_closed_form() -> None:
    # From 4 C towards 25 C the product passes 10 C at tau ln(21 / 15).
    got = time_above_safe_s(4.0, 25.0, 3 * HOUR_S, HOUR_S, 10.0)
    assert float(got) == pytest.approx(3 * HOUR_S - HOUR_S * math.log(21.0 / 15.0), rel=1e-14)


def test_chain_reports_time_above_safe_per_stage_and_item() -> None:
    start = np.array([4.0, 2.0])
    chain = chain_stages(
        DAIRY, start, [(4.0, 600.0), (25.0, HOUR_S), (4.0, 2 * HOUR_S)], HOUR_S, 4.4
    )
    assert chain.time_above_safe_s.shape == (3, 2)
    assert chain.time_above_safe_s[0] == pytest.approx([0.0, 0.0], abs=0.0)
    assert np.all(chain.time_above_safe_s[1] > 0)
    assert chain.total_time_above_safe_s == pytest.approx(chain.time_above_safe_s.sum(axis=0))
    assert chain_stages(DAIRY, start, [], HOUR_S, 4.4).time_above_safe_s.shape == (0, 2)


# --- bad input ---------------------------------------------------------------------------------


def test_bad_time_constant_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape('"time_constant_s" must be > 0.')):
        consumed_fraction(DAIRY, 4.0, 20.0, 60.0, [HOUR_S, 0.0])
    with pytest.raises(ValueError, match=re.escape('"time_constant_s" must be > 0.')):
        time_above_safe_s(4.0, 20.0, 60.0, -1.0, 4.4)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape('"duration_s" must be >= 0.')):
        consumed_fraction(DAIRY, 4.0, 20.0, -1.0, HOUR_S)


def test_bad_kinetics_are_refused() -> None:
    with pytest.raises(
        ValueError, match=re.escape("\"model\" must be one of q10, arrhenius, not 'linear'.")
    ):
        Kinetics("linear", ref_shelf_life_s=DAY_S, ref_temp_c=4.0)
    with pytest.raises(ValueError, match=re.escape('"ref_shelf_life_s" must be > 0.')):
        Kinetics("q10", ref_shelf_life_s=0.0, ref_temp_c=4.0)
    with pytest.raises(ValueError, match=re.escape('"ref_temp_c" must be above absolute zero.')):
        Kinetics("arrhenius", ref_shelf_life_s=DAY_S, ref_temp_c=-300.0)
