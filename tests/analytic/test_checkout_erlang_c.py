"""A single-line staffed checkout with Poisson arrivals and exponential service is M/M/c.

Theory (Erlang C, DOMAIN.md 2.1) must lie inside the replication 95% confidence interval for
both the mean wait and P(wait).
"""

from __future__ import annotations

import pytest

import twin
from tests.support import exponential_checkout_overrides, kpi_values, poisson_store_overrides
from twin.kpi.stats import t_interval
from twin.kpi.theory import erlang_c, mmc_mean_wait_s

pytestmark = pytest.mark.analytic

# (arrivals per hour, mean service s, lanes): rows of the DOMAIN.md M/M/c table
CASES = [(30.0, 60.0, 1), (120.0, 90.0, 4), (60.0, 90.0, 2)]


@pytest.mark.parametrize(("arrivals_per_h", "service_s", "lanes"), CASES)
def test_mmc_checkout_matches_erlang_c(arrivals_per_h: float, service_s: float, lanes: int) -> None:
    cfg = twin.load_config(
        poisson_store_overrides(arrivals_per_h, replications=20)
        + exponential_checkout_overrides(service_s, lanes)
    )
    result = twin.simulate(cfg)
    arrival_per_s = arrivals_per_h / 3600
    mean_wait, wait_hw = t_interval(kpi_values(result, "checkout.wait_s").to_numpy())
    p_wait, p_hw = t_interval(kpi_values(result, "checkout.waited_frac").to_numpy())
    theory_wait = mmc_mean_wait_s(arrival_per_s, service_s, lanes)
    theory_p = erlang_c(lanes, arrival_per_s * service_s)
    assert abs(mean_wait - theory_wait) <= wait_hw, (mean_wait, wait_hw, theory_wait)
    assert abs(p_wait - theory_p) <= p_hw, (p_wait, p_hw, theory_p)
    # the interval must be tight enough to mean something
    assert wait_hw < 0.2 * theory_wait


def test_twice_the_service_time_is_detected() -> None:
    """The same check fails when the model is wrong: theory at a doubled service mean is out."""
    cfg = twin.load_config(
        poisson_store_overrides(30.0, replications=20) + exponential_checkout_overrides(60.0, 1)
    )
    mean_wait, wait_hw = t_interval(kpi_values(twin.simulate(cfg), "checkout.wait_s").to_numpy())
    wrong_theory = mmc_mean_wait_s(30.0 / 3600, 66.0, 1)  # 10% slower service
    assert abs(mean_wait - wrong_theory) > wait_hw
