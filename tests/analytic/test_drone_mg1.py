"""One drone at one store, Poisson orders, known flight times, no weather: an M/G/1 queue.

Orders are placed as a Poisson stream and ready for dispatch one second later; every order
flies (payload and range unlimited, no queue limit, battery packs never short). A flight to
zone z takes S_z = load + 2 x straight-line km / cruise speed + drop + swap, and zones come
with the population weights the order stream uses, so E[S] and E[S^2] are known from the
network's tables. The mean wait from ready to loading must match Pollaczek-Khinchine inside
the replication 95% confidence interval; the drone is busy rho = lambda E[S] of the time; and
battery packs out of the charged pool obey Little's law (L = flight rate x pack cycle).
"""

from __future__ import annotations

import numpy as np
import pytest

import twin
from tests.delivery_support import (
    delivery_only_overrides,
    population_weights,
    run_with_logs,
    single_drone_overrides,
)
from tests.support import kpi_values
from twin.domain.delivery_kpis import FLIGHT_COL
from twin.kpi.stats import t_interval
from twin.kpi.theory import mg1_mean_wait_s
from twin.network.build import build_network

pytestmark = pytest.mark.analytic

LOAD_S, DROP_S, SWAP_S = 60.0, 30.0, 60.0
CRUISE_MPS = 26.0  # the schema default
REPLICATIONS = 60


def service_moments(config: twin.TwinConfig, extra_s: float = 0.0) -> tuple[float, float]:
    """E[S] and E[S^2] of one flight, over zones weighted by population."""
    region = build_network(config.network, list(vars(config.formats))).regions[0]
    weights = population_weights(region)
    air_km = region.tables.zone_store_air_km[:, 0]
    service = LOAD_S + DROP_S + SWAP_S + extra_s + 2 * air_km * 1000 / CRUISE_MPS
    return float(weights @ service), float(weights @ service**2)


@pytest.mark.parametrize("orders_per_h", [4.0, 5.0])  # utilisation ~0.53 and ~0.66
def test_single_drone_wait_matches_pollaczek_khinchine(orders_per_h: float) -> None:
    config = twin.load_config(
        delivery_only_overrides(orders_per_h, replications=REPLICATIONS)
        + single_drone_overrides(LOAD_S, DROP_S, SWAP_S)
    )
    mean_s, second_s2 = service_moments(config)
    arrival_per_s = orders_per_h / 3600
    theory = mg1_mean_wait_s(arrival_per_s, mean_s, second_s2)
    result = twin.simulate(config)
    wait, wait_hw = t_interval(kpi_values(result, "drone.wait_s").to_numpy())
    busy, busy_hw = t_interval(kpi_values(result, "drone.utilisation_frac").to_numpy())
    share, _ = t_interval(kpi_values(result, "drone.share_frac").to_numpy())
    assert share == 1.0  # every order flew
    assert abs(wait - theory) <= wait_hw, (wait, wait_hw, theory)
    assert wait_hw < 0.2 * theory  # tight enough to mean something
    assert abs(busy - arrival_per_s * mean_s) <= busy_hw, (busy, busy_hw, arrival_per_s * mean_s)


def test_a_forgotten_battery_swap_is_detected() -> None:
    """The same theory without the 60 s swap in the service time falls outside the interval."""
    config = twin.load_config(
        delivery_only_overrides(5.0, replications=REPLICATIONS)
        + single_drone_overrides(LOAD_S, DROP_S, SWAP_S)
    )
    mean_s, second_s2 = service_moments(config, extra_s=-SWAP_S)
    wait, wait_hw = t_interval(kpi_values(twin.simulate(config), "drone.wait_s").to_numpy())
    assert abs(wait - mg1_mean_wait_s(5.0 / 3600, mean_s, second_s2)) > wait_hw


def test_battery_packs_obey_littles_law() -> None:
    """Two drones, five packs: packs out = flights per s x (flight cycle + recharge)."""
    overrides = delivery_only_overrides(6.0, warmup_s=0.0) + single_drone_overrides(
        LOAD_S, DROP_S, SWAP_S
    )
    overrides += ["delivery.drone.drones=2", "delivery.drone.packs=5"]
    config, _, log, _ = run_with_logs(overrides)
    flights = log.flights
    packs = log.packs
    assert flights.shape[0] > 100
    horizon = config.run.days * 86400.0
    done = np.isfinite(packs[:, 1])
    # L = time-average packs out; lambda = packs taken per s; W = mean time out (all closed
    # by the end but the last few, which Little's law on a finite window counts partially)
    out_s = np.minimum(packs[:, 1], horizon) - packs[:, 0]
    level = out_s.sum() / horizon
    rate = packs.shape[0] / horizon
    cycle = float(np.mean(packs[done, 1] - packs[done, 0]))
    assert level == pytest.approx(rate * cycle, rel=0.02)
    # each cycle is its flight (launch to swap done) plus the fixed 600 s recharge
    flight_s = dict(
        zip(
            flights[:, FLIGHT_COL["launch_s"]].tolist(),
            (flights[:, FLIGHT_COL["end_s"]] - flights[:, FLIGHT_COL["launch_s"]]).tolist(),
            strict=True,
        )
    )
    for taken, charged in packs[done].tolist():
        assert charged - taken == pytest.approx(flight_s[taken] + 600.0, abs=1e-6)
