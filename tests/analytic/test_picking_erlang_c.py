"""Pickers with Poisson orders, one exponential pick task each, FCFS: an M/M/c queue.

P(wait) and the mean wait of pick tasks must match Erlang C inside the replication 95%
confidence interval; picker utilisation is a / c.
"""

from __future__ import annotations

import pytest

import twin
from tests.orders_support import exponential_picking_overrides, poisson_pickup_overrides
from tests.support import kpi_values
from twin.kpi.stats import t_interval
from twin.kpi.theory import erlang_c, mmc_mean_wait_s

pytestmark = pytest.mark.analytic

# (orders per hour, mean pick s, pickers): 2 and 3 Erlangs offered
CASES = [(20.0, 360.0, 3), (30.0, 360.0, 4)]


@pytest.mark.parametrize(("orders_per_h", "pick_s", "pickers"), CASES)
def test_exponential_picking_matches_erlang_c(
    orders_per_h: float, pick_s: float, pickers: int
) -> None:
    cfg = twin.load_config(
        poisson_pickup_overrides(orders_per_h, replications=20)
        + exponential_picking_overrides(pick_s, pickers)
    )
    result = twin.simulate(cfg)
    arrival_per_s = orders_per_h / 3600
    offered = arrival_per_s * pick_s
    p_wait, p_hw = t_interval(kpi_values(result, "picking.waited_frac").to_numpy())
    wait, wait_hw = t_interval(kpi_values(result, "picking.wait_s").to_numpy())
    used, used_hw = t_interval(kpi_values(result, "picking.picker_utilisation_frac").to_numpy())
    assert abs(p_wait - erlang_c(pickers, offered)) <= p_hw
    theory_wait = mmc_mean_wait_s(arrival_per_s, pick_s, pickers)
    assert abs(wait - theory_wait) <= wait_hw, (wait, wait_hw, theory_wait)
    assert wait_hw < 0.4 * theory_wait  # tight enough to mean something
    assert abs(used - offered / pickers) <= used_hw


def test_one_picker_less_is_detected() -> None:
    cfg = twin.load_config(
        poisson_pickup_overrides(20.0, replications=20) + exponential_picking_overrides(360.0, 3)
    )
    result = twin.simulate(cfg)
    wait, wait_hw = t_interval(kpi_values(result, "picking.wait_s").to_numpy())
    assert abs(wait - mmc_mean_wait_s(20 / 3600, 360.0, 4)) > wait_hw
