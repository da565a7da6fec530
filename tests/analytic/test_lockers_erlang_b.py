"""A locker zone fed by Poisson orders is an Erlang loss system (M/G/c/c).

Blocking does not depend on the dwell-time distribution (insensitivity): lognormal dwells of
very different shapes must all give the Erlang B probability inside the replication 95%
confidence interval; the compartment utilisation follows Little's law, a (1 - B) / c.
"""

from __future__ import annotations

import pytest

import twin
from tests.orders_support import locker_loss_overrides, poisson_pickup_overrides
from tests.support import kpi_values
from twin.kpi.stats import t_interval
from twin.kpi.theory import erlang_b

pytestmark = pytest.mark.analytic

# (orders per hour, mean dwell s, dwell cv, compartments): 5 and 3 Erlangs offered
CASES = [(10.0, 1800.0, 0.5, 6), (10.0, 1800.0, 2.0, 6), (12.0, 900.0, 1.0, 4)]


@pytest.mark.parametrize(("orders_per_h", "dwell_s", "cv", "compartments"), CASES)
def test_locker_overflow_is_erlang_b_whatever_the_dwell_shape(
    orders_per_h: float, dwell_s: float, cv: float, compartments: int
) -> None:
    cfg = twin.load_config(
        poisson_pickup_overrides(orders_per_h, replications=20)
        + locker_loss_overrides(compartments, dwell_s, cv)
    )
    result = twin.simulate(cfg)
    offered = orders_per_h / 3600 * dwell_s
    theory = erlang_b(compartments, offered)
    blocked, hw = t_interval(kpi_values(result, "locker.ambient_overflow_frac").to_numpy())
    assert abs(blocked - theory) <= hw, (blocked, hw, theory)
    assert hw < 0.25 * theory  # tight enough to mean something
    used, used_hw = t_interval(kpi_values(result, "locker.ambient_utilisation_frac").to_numpy())
    assert abs(used - offered * (1 - theory) / compartments) <= used_hw
    # the order-level overflow is the zone's when every order has one zone
    assert kpi_values(result, "locker.overflow_frac").equals(
        kpi_values(result, "locker.ambient_overflow_frac")
    )


def test_one_compartment_less_is_detected() -> None:
    """The test can fail: with 5 compartments the 6-compartment theory is outside the CI."""
    cfg = twin.load_config(
        poisson_pickup_overrides(10.0, replications=20) + locker_loss_overrides(5, 1800.0, 1.0)
    )
    blocked, hw = t_interval(
        kpi_values(twin.simulate(cfg), "locker.ambient_overflow_frac").to_numpy()
    )
    assert abs(blocked - erlang_b(6, 5.0)) > hw
    assert abs(blocked - erlang_b(5, 5.0)) <= hw
