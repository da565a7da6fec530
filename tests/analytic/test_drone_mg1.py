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

import functools

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
from twin.domain.lastmile.delivery_log import FLIGHT_COL
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


@functools.cache
def single_drone_run(orders_per_h: float) -> tuple[twin.TwinConfig, twin.SimulationResult]:
    config = twin.load_config(
        delivery_only_overrides(orders_per_h, replications=REPLICATIONS)
        + single_drone_overrides(LOAD_S, DROP_S, SWAP_S)
    )
    return config, twin.simulate(config)


@pytest.mark.parametrize("orders_per_h", [4.0, 5.0])  # utilisation ~0.53 and ~0.66
def test_single_drone_wait_matches_pollaczek_khinchine(orders_per_h: float) -> None:
    config, result = single_drone_run(orders_per_h)
    mean_s, second_s2 = service_moments(config)
    arrival_per_s = orders_per_h / 3600
    theory = mg1_mean_wait_s(arrival_per_s, mean_s, second_s2)
    wait, wait_hw = t_interval(kpi_values(result, "drone.wait_s").to_numpy())
    busy, busy_hw = t_interval(kpi_values(result, "drone.utilisation_frac").to_numpy())
    share, _ = t_interval(kpi_values(result, "drone.share_frac").to_numpy())
    assert share == 1.0  # every order flew
    assert abs(wait - theory) <= wait_hw, (wait, wait_hw, theory)
    assert wait_hw < 0.2 * theory  # tight enough to mean something
    assert abs(busy - arrival_per_s * mean_s) <= busy_hw, (busy, busy_hw, arrival_per_s * mean_s)


def test_a_forgotten_battery_swap_is_detected() -> None:
    """The same theory without the 60 s swap in the service time falls outside the interval."""
    config, result = single_drone_run(5.0)
    mean_s, second_s2 = service_moments(config, extra_s=-SWAP_S)
    wait, wait_hw = t_interval(kpi_values(result, "drone.wait_s").to_numpy())
    assert abs(wait - mg1_mean_wait_s(5.0 / 3600, mean_s, second_s2)) > wait_hw


def test_battery_packs_obey_littles_law() -> None:
    """Two drones, five packs: packs out of the pool = flights per s x (flight + recharge).

    Every order flies once, so the flight rate is the order rate and a pack's cycle is a
    known flight S plus the fixed 600 s recharge: L = lambda (E[S] + 600) in the CI.
    """
    overrides = delivery_only_overrides(6.0, replications=20) + single_drone_overrides(
        LOAD_S, DROP_S, SWAP_S
    )
    overrides += ["delivery.drone.drones=2", "delivery.drone.packs=5"]
    config = twin.load_config(overrides)
    mean_s, _ = service_moments(config)
    theory = 6.0 / 3600 * (mean_s + 600.0)
    packs_out, packs_hw = t_interval(
        kpi_values(twin.simulate(config), "drone.packs_out_n").to_numpy()
    )
    assert abs(packs_out - theory) <= packs_hw, (packs_out, packs_hw, theory)
    assert packs_hw < 0.05 * theory
    # one run in detail: each pack's cycle is its own flight (launch to swap done) + 600 s
    _, _, log, _ = run_with_logs(overrides)
    flights, packs = log.flights, log.packs
    assert flights.shape[0] > 100
    flight_s = dict(
        zip(
            flights[:, FLIGHT_COL["launch_s"]].tolist(),
            (flights[:, FLIGHT_COL["end_s"]] - flights[:, FLIGHT_COL["launch_s"]]).tolist(),
            strict=True,
        )
    )
    for taken, charged in packs[np.isfinite(packs[:, 1])].tolist():
        assert charged - taken == pytest.approx(flight_s[taken] + 600.0, abs=1e-6)
