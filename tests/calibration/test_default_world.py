"""The default world sits inside every calibration target (twin.kpi.targets); a mis-set one not.

Runs the default metro day with 5 replications (the scenario docs/CALIBRATION.md reports) and
checks every row, network and every store, one test per row; then the same day with chilled
picks staged on the 21 C shop floor and one van per store (no bikes, no drones, fleets not
planned) and checks that the calibration catches it.

Rows the default does not meet yet are listed in KNOWN_GAPS with the reason; they are strict
expected failures, so the day one of them comes inside its range the test says so.
"""

from __future__ import annotations

import pytest

import twin
from twin.experiment.calibration import DEFAULT_OVERRIDES, Check, calibration_table
from twin.kpi.targets import CALIBRATION_TARGETS, NETWORK

pytestmark = [pytest.mark.calibration, pytest.mark.slow]

MIS_SET = [
    "coldchain.environment.staging_area=floor",
    "planner.fleet.mode=fixed",
    "delivery.van.vehicles=1",
    "delivery.bike.vehicles=0",
    "delivery.drone.drones=0",
]

KNOWN_GAPS: dict[tuple[str, str], str] = {}  # (kpi, scope) -> why the default misses it


def _params() -> list:
    out = []
    for index, target in enumerate(CALIBRATION_TARGETS):
        gap = KNOWN_GAPS.get((target.kpi, target.scope))
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(index, marks=marks, id=f"{target.kpi}-{target.scope}"))
    return out


@pytest.fixture(scope="module")
def default_checks() -> list[Check]:
    return calibration_table(twin.simulate(twin.load_config(list(DEFAULT_OVERRIDES))).kpis)


@pytest.mark.parametrize("index", _params())
def test_default_world_is_inside_the_target(default_checks: list[Check], index: int) -> None:
    check = default_checks[index]
    assert check.target == CALIBRATION_TARGETS[index]
    assert check.inside, (
        f"{check.target.kpi} ({check.target.scope}) = {check.value:.4g}, worst store "
        f"{check.store} {check.store_value:.4g}, target [{check.target.low}, {check.target.high}]"
    )


def test_a_mis_set_world_fails_the_calibration(default_checks: list[Check]) -> None:
    checks = calibration_table(twin.simulate(twin.load_config([*DEFAULT_OVERRIDES, *MIS_SET])).kpis)
    off = {(c.target.kpi, c.target.scope) for c in checks if not c.inside}
    new = off - set(KNOWN_GAPS)  # rows the default meets and the mis-set world does not
    assert any(kpi == "delivery.on_time_frac" for kpi, _ in new), off  # one van per store
    # floor staging: the chilled hand-over goes above the 5 C limit the default keeps
    temp = ("coldchain.chilled_handover_temp_c", NETWORK)
    assert temp in new, off


def test_the_national_day_stays_inside_the_network_rows() -> None:
    """504 stores, 42 regions, every format: the network rows hold there too (1 replication)."""
    checks = calibration_table(twin.simulate(twin.load_config(["network=national"])).kpis)
    network = [c for c in checks if c.target.scope == NETWORK]
    assert len(network) >= 10
    off = [f"{c.target.kpi} = {c.value:.4g}" for c in network if not c.inside]
    assert not off, off
