"""Walk-in arrivals are a non-homogeneous Poisson process with the configured hourly profile."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import twin
from tests.support import PLANNER_FIXED
from twin.config.schema import DAY_FACTORS, WEEKDAY_HOUR_SHARES
from twin.core.arrivals import hourly_rates_per_s, nhpp_arrival_times

pytestmark = pytest.mark.analytic


def test_hourly_counts_are_poisson_with_the_profile_means() -> None:
    replications = 30
    cfg = twin.load_config(
        [
            "network=single_store",
            *PLANNER_FIXED,
            f"run.replications={replications}",
            "run.bin_s=3600",
        ]
    )
    series = twin.simulate(cfg).timeseries
    counts = series[(series["series"] == "arrivals_n") & (series["store"] == "S01")]
    table = counts.pivot(index="replication", columns="bin_start_s", values="value").to_numpy()
    shares = np.asarray(WEEKDAY_HOUR_SHARES) / sum(WEEKDAY_HOUR_SHARES[7:22])
    expected = 1800.0 * DAY_FACTORS[0] * shares  # Monday
    open_hours = expected > 0
    observed = table[:, open_hours]
    # Poisson: each hour's count has mean = variance = expected; pooled chi-square test
    chi2 = float(np.sum((observed - expected[open_hours]) ** 2 / expected[open_hours]))
    dof = observed.size
    assert stats.chi2.sf(chi2, dof) > 0.001, (chi2, dof)
    assert np.all(table[:, ~open_hours] == 0)
    dispersion = observed.var(axis=0, ddof=1) / observed.mean(axis=0)
    assert 0.7 < float(dispersion.mean()) < 1.3


def test_a_five_percent_rate_error_would_be_caught() -> None:
    rng = np.random.default_rng(3)
    rates = hourly_rates_per_s(
        1800.0, WEEKDAY_HOUR_SHARES, WEEKDAY_HOUR_SHARES, DAY_FACTORS, 7, 22, 1, 0
    )
    expected = rates * 3600
    open_hours = expected > 0
    counts = np.array(
        [
            np.bincount((nhpp_arrival_times(rates * 1.05, rng) // 3600).astype(int), minlength=24)
            for _ in range(30)
        ]
    )[:, open_hours]
    chi2 = float(np.sum((counts - expected[open_hours]) ** 2 / expected[open_hours]))
    assert stats.chi2.sf(chi2, counts.size) < 0.001


def test_arrival_times_are_sorted_and_inside_open_hours() -> None:
    rates = hourly_rates_per_s(500.0, [1.0] * 24, [1.0] * 24, [1.0] * 7, 8, 20, 2, 0)
    times = nhpp_arrival_times(rates, np.random.default_rng(1))
    assert np.all(np.diff(times) >= 0)
    hours = (times % 86400) // 3600
    assert hours.min() >= 8 and hours.max() < 20
