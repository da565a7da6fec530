"""Shelf-life physics against closed forms and the published numbers in DOMAIN.md 1(d)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expi

from twin.domain.coldchain.shelf_life import (
    consumed_fraction,
    product_temp_c,
    shelf_life_s,
    time_above_safe_s,
)
from twin.domain.coldchain.shelf_life_kinetics import Kinetics

pytestmark = pytest.mark.analytic

DAY_S = 86400.0
HOUR_S = 3600.0

# Pasteurised milk in HDPE bottles (Petrus et al. 2010): shelf life in days at each temperature.
PETRUS_TEMPS_C = np.array([2.0, 4.0, 9.0, 14.0, 16.0])
PETRUS_DAYS = np.array([43.0, 36.0, 8.0, 5.0, 3.0])


def test_petrus_milk_log_linear_fit_gives_q10_about_6_9() -> None:
    slope, _ = np.polyfit(PETRUS_TEMPS_C, np.log(PETRUS_DAYS), 1)
    assert math.exp(-10.0 * slope) == pytest.approx(6.9, abs=0.1)


def test_petrus_milk_shelf_lives_reproduced_by_q10_6_9() -> None:
    # Reference point from the fit: ln SL is linear in T, so anchor it at the mean temperature
    # on the geometric mean of the observed shelf lives.
    ref_temp_c = float(PETRUS_TEMPS_C.mean())
    ref_days = float(np.exp(np.log(PETRUS_DAYS).mean()))
    milk = Kinetics("q10", ref_shelf_life_s=ref_days * DAY_S, ref_temp_c=ref_temp_c, q10=6.9)
    predicted_days = shelf_life_s(milk, PETRUS_TEMPS_C) / DAY_S
    ratio = predicted_days / PETRUS_DAYS
    # The log-linear fit misses 9 C by ~40% and 4 C by ~18%; the others within ~15%.
    assert ratio == pytest.approx(1.0, rel=0.45)
    assert float(np.sqrt(np.mean(np.log(ratio) ** 2))) < 0.2
    # Held at each temperature for the observed shelf life, milk consumes about all of it.
    consumed = consumed_fraction(milk, PETRUS_TEMPS_C, PETRUS_TEMPS_C, PETRUS_DAYS * DAY_S, HOUR_S)
    assert consumed == pytest.approx(1.0 / ratio, rel=1e-12)


def test_dtu_rrs_example_arrhenius_100_kj() -> None:
    # 21 d at 5 C is 46.4 d at 0 C with Ea = 100 kJ/mol (DTU SSSP relative rate of spoilage);
    # 46.34 d with 0 C = 273.15 K, 46.38 d with 273 K, hence the 0.1 d tolerance.
    product = Kinetics(
        "arrhenius",
        ref_shelf_life_s=21 * DAY_S,
        ref_temp_c=5.0,
        activation_energy_j_per_mol=100_000.0,
    )
    assert float(shelf_life_s(product, 0.0)) / DAY_S == pytest.approx(46.4, abs=0.1)


def test_saltveit_q10_3_gives_a_third_of_the_shelf_life_at_10_c() -> None:
    # Relative shelf life of produce 100 at 0 C, 33 at 10 C (Saltveit, USDA AH 66).
    produce = Kinetics("q10", ref_shelf_life_s=100.0, ref_temp_c=0.0, q10=3.0)
    assert float(shelf_life_s(produce, 10.0)) == pytest.approx(33.3, abs=0.1)


@pytest.mark.parametrize(
    ("start_c", "env_c", "taus"),
    [
        (4.0, 25.0, 0.5),
        (4.0, 25.0, 3.0),
        (25.0, 4.0, 1.0),
        (-18.0, 20.0, 2.0),
        (4.0, 14.0, 0.1),
    ],
)
def test_q10_lag_equals_the_exponential_integral_formula(
    start_c: float, env_c: float, taus: float
) -> None:
    # integral = tau exp(b Te) [Ei(c) - Ei(c u1)] / (SL_ref exp(b T_ref)), c = b (T0 - Te).
    q10, ref_days, ref_c, tau_s = 5.0, 10.0, 4.0, HOUR_S
    b = math.log(q10) / 10.0
    c, u1 = b * (start_c - env_c), math.exp(-taus)
    expected = tau_s * math.exp(b * (env_c - ref_c)) * (expi(c) - expi(c * u1)) / (ref_days * DAY_S)
    milk = Kinetics("q10", ref_shelf_life_s=ref_days * DAY_S, ref_temp_c=ref_c, q10=q10)
    got = float(consumed_fraction(milk, start_c, env_c, taus * tau_s, tau_s))
    assert got == pytest.approx(expected, rel=1e-12)


def test_milk_warm_up_times_give_tau_about_one_hour() -> None:
    # Milk from 5 C reaches within 0.5 C of 15 / 20 / 25 C ambient in 3.0 / 3.9 / 4.2 h
    # (Braz. J. Food Technol.), i.e. tau = 1.0-1.15 h.
    for tau_h in (1.0, 1.15):
        for ambient_c, observed_h in ((15.0, 3.0), (20.0, 3.9), (25.0, 4.2)):
            horizon_s = 10 * HOUR_S
            below_s = horizon_s - float(
                time_above_safe_s(5.0, ambient_c, horizon_s, tau_h * HOUR_S, ambient_c - 0.5)
            )
            assert below_s / HOUR_S == pytest.approx(observed_h, rel=0.15)
            assert float(product_temp_c(below_s, 5.0, ambient_c, tau_h * HOUR_S)) == pytest.approx(
                ambient_c - 0.5, abs=1e-9
            )


def test_car_trunk_reproduces_kim_2013() -> None:
    # Trunk air ~37 C (32.3 -> 41.5 C): refrigerated food reached 20 C within 40 min and 30 C
    # within 90-110 min (Kim et al. 2013), i.e. tau 60-65 min.
    trunk_c, start_c, tau_s = 37.0, 4.0, 62.0 * 60.0
    horizon_s = 3 * HOUR_S
    to_20_min = (
        horizon_s - float(time_above_safe_s(start_c, trunk_c, horizon_s, tau_s, 20.0))
    ) / 60
    to_30_min = (
        horizon_s - float(time_above_safe_s(start_c, trunk_c, horizon_s, tau_s, 30.0))
    ) / 60
    assert 35.0 <= to_20_min <= 45.0
    assert 85.0 <= to_30_min <= 115.0
