"""The default world sits inside every calibration target (twin.kpi.targets); a mis-set one not.

Runs the default metro day with 5 replications (the scenario docs/CALIBRATION.md reports) and
checks every row, network and every store; then the same day with chilled picks staged on the
21 C shop floor and one van per store (no bikes, no drones, no planning of fleets) and checks
that the calibration catches it.
"""

from __future__ import annotations

import pytest

import twin
from twin.experiment.calibration import DEFAULT_OVERRIDES, calibration_table

pytestmark = [pytest.mark.calibration, pytest.mark.slow]

MIS_SET = [
    "coldchain.environment.staging_area=floor",
    "planner.fleet.mode=fixed",
    "delivery.van.vehicles=1",
    "delivery.bike.vehicles=0",
    "delivery.drone.drones=0",
]


@pytest.fixture(scope="module")
def default_checks() -> list:
    return calibration_table(twin.simulate(twin.load_config(list(DEFAULT_OVERRIDES))).kpis)


def test_default_world_is_inside_every_target(default_checks: list) -> None:
    off = [
        f"{c.target.kpi} ({c.target.scope}) = {c.value:.4g}, worst store {c.store} "
        f"{c.store_value:.4g}, target [{c.target.low}, {c.target.high}]"
        for c in default_checks
        if not c.inside
    ]
    assert not off, "\n".join(off)


def test_a_mis_set_world_fails_the_calibration() -> None:
    kpis = twin.simulate(twin.load_config([*DEFAULT_OVERRIDES, *MIS_SET])).kpis
    off = {(c.target.kpi, c.target.scope) for c in calibration_table(kpis) if not c.inside}
    assert ("coldchain.chilled_handover_temp_c", "network") in off  # floor staging
    assert any(kpi == "delivery.on_time_frac" for kpi, _ in off)  # one van per store
