"""The operations planner (twin.plan): expected load before time 0, bad input, plan.parquet."""

from __future__ import annotations

import numpy as np
import pytest

import twin
from tests.support import PLANNER_FIXED
from twin.config.fulfilment import CapacityConfig
from twin.config.planner import FleetOverride
from twin.config.validate import validate
from twin.domain.registry import FORMATS
from twin.experiment.plan_table import plan_frame
from twin.kpi.theory import erlang_c
from twin.network.build import build_network
from twin.network.catchment import zone_stores
from twin.plan.load import shift_week
from twin.plan.plan import RESOURCES, build_plan, plan_network
from twin.plan.staffing import lanes_for, wait_beyond_prob

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def metro() -> tuple[twin.TwinConfig, object]:
    config = twin.load_config([])
    network = build_network(config.network, FORMATS.keys())
    return config, network


def test_lanes_meet_the_erlang_c_target_with_the_fewest_lanes() -> None:
    lanes, short = lanes_for(300.0, 72.0, 180.0, 0.2, 1, 20)
    offered = 300.0 / 3600 * 72.0
    assert short == 0
    assert wait_beyond_prob(lanes, offered, 72.0, 180.0) <= 0.2
    assert wait_beyond_prob(lanes - 1, offered, 72.0, 180.0) > 0.2
    # the formula itself: C(c, a) exp(-(c - a) t / s)
    expected = erlang_c(lanes, offered) * np.exp(-(lanes - offered) * 180.0 / 72.0)
    assert wait_beyond_prob(lanes, offered, 72.0, 180.0) == pytest.approx(expected)


def test_lanes_capped_at_the_tills_report_the_shortfall() -> None:
    lanes, short = lanes_for(3000.0, 72.0, 60.0, 0.1, 1, 8)
    assert lanes == 8 and short > 50


def test_till_load_is_the_walk_in_profile_shifted_by_the_time_in_store() -> None:
    week = np.zeros((7, 24))
    week[0, 10] = 100.0
    shifted = shift_week(week, 1.25)
    assert shifted[0, 11] == pytest.approx(75.0) and shifted[0, 12] == pytest.approx(25.0)
    assert shifted.sum() == pytest.approx(100.0)


def test_default_plan_follows_demand(metro: tuple[twin.TwinConfig, object]) -> None:
    config, network = metro
    plan = build_plan(config, network.regions[0])
    lanes = plan.stores["S01"].levels["staffed_lanes"]
    monday, saturday = lanes[0], lanes[5]
    assert monday[:7].sum() == 0 and monday[22:].sum() == 0  # closed
    assert (monday[7:22] >= 1).all()  # the minimum while open
    assert monday.max() > monday[7]  # more lanes at the peak than at opening
    assert saturday.sum() > monday.sum()  # weekdays distinct: Saturday is busier
    assert monday.sum() < 8 * 15  # fewer lane-hours than 8 lanes all day
    pickers = {sid: p.levels["pickers"][0].sum() for sid, p in plan.stores.items()}
    vans = {sid: p.fleet("van") for sid, p in plan.stores.items()}
    busiest = max(pickers, key=lambda sid: pickers[sid])
    assert pickers[busiest] > min(pickers.values())  # capacity follows each store's orders
    assert vans[busiest] >= max(vans.values()) - 1


def test_fixed_mode_keeps_the_configured_levels(metro: tuple[twin.TwinConfig, object]) -> None:
    _, network = metro
    config = twin.load_config(PLANNER_FIXED)
    plan = build_plan(config, network.regions[0])
    store = plan.stores["S01"]
    assert (store.levels["staffed_lanes"][:, 7:22] == 8).all()
    assert (store.levels["pickers"][:, 7:22] == 5).all()
    assert store.fleet("van") == 1 and store.fleet("bike") == 1 and store.fleet("drone") == 2


def test_explicit_schedules_and_overrides_win(metro: tuple[twin.TwinConfig, object]) -> None:
    _, network = metro
    lanes = [0] * 7 + [3] * 15 + [0, 0]
    config = twin.load_config(
        [f"formats.grocery.checkout.lanes_by_hour=[{','.join(map(str, lanes))}]"]
    )
    # per-store overrides come from YAML (a Hydra command line cannot add a typed dict entry)
    config.fulfilment.store_overrides["S03"] = CapacityConfig(pickers=7)
    config.planner.fleet.store_overrides["S02"] = FleetOverride(vans=4)
    plan = build_plan(config, network.regions[0])
    assert (plan.stores["S01"].levels["staffed_lanes"][:, 7:22] == 3).all()
    assert (plan.stores["S03"].levels["pickers"][:, 7:22] == 7).all()
    assert plan.stores["S02"].fleet("van") == 4


def test_balanced_catchment_eases_the_busiest_store(metro: tuple[twin.TwinConfig, object]) -> None:
    _, network = metro
    region = network.regions[0]
    population = np.array([zone.population for zone in region.zones], dtype=float)
    every = np.ones(len(region.stores), dtype=bool)

    def largest_share(detour_s: float) -> float:
        stores = np.array(zone_stores(region, every, detour_s))
        return float(np.bincount(stores, population, len(region.stores)).max() / population.sum())

    assert largest_share(600.0) < largest_share(0.0)
    assert zone_stores(region, every, 600.0) == zone_stores(region, every, 600.0)  # deterministic


def test_a_store_beyond_the_maxima_is_named_before_time_0(
    metro: tuple[twin.TwinConfig, object],
) -> None:
    _, network = metro
    config = twin.load_config(["planner.pickers.max_pickers=2"])
    with pytest.warns(RuntimeWarning, match=r"planner\.pickers\.max_pickers = 2 .*S02 short by"):
        plan_network(config, network)


def test_plan_parquet_schema(metro: tuple[twin.TwinConfig, object]) -> None:
    config, network = metro
    frame = plan_frame(plan_network(config, network), 2)
    assert list(frame.columns) == ["replication", "store", "resource", "weekday", "hour", "level"]
    assert str(frame["replication"].dtype) == "int64" and str(frame["level"].dtype) == "float64"
    assert set(frame["resource"]) == set(RESOURCES)
    assert set(frame["replication"]) == {0, 1}
    assert frame.groupby(["replication", "store", "resource"]).size().eq(7 * 24).all()


BAD = [
    (["planner.lanes.wait_alpha=0"], r"planner\.lanes\.wait_alpha = 0\.0; expected a probab"),
    (["planner.lanes.wait_alpha=1"], r"planner\.lanes\.wait_alpha = 1\.0; expected a probab"),
    (
        ["planner.pickers.utilisation_target=1"],
        r"planner\.pickers\.utilisation_target = 1\.0; expected a utilisation in \(0, 1\)",
    ),
    (
        ["planner.fleet.utilisation_target=1.2"],
        r"planner\.fleet\.utilisation_target = 1\.2; expected a utilisation",
    ),
    (["planner.pickers.ready_target=0"], r"planner\.pickers\.ready_target = 0\.0; expected"),
    (
        ["planner.lanes.mode=manual"],
        r"planner\.lanes\.mode = 'manual'; expected one of auto, fixed",
    ),
    (
        ["formats.grocery.checkout.lanes_by_hour=[" + ",".join(["0"] * 24) + "]"],
        r"formats\.grocery\.checkout\.lanes_by_hour = .*; expected a staffed lane in at least one",
    ),
    (
        ["fulfilment.store.picking.pickers_by_hour=[" + ",".join(["-1"] * 24) + "]"],
        r"fulfilment\.store\.picking\.pickers_by_hour\[0\] = -1; expected a number >= 0",
    ),
    (
        ["fulfilment.store.picking.pickers_by_hour=[" + ",".join(["0"] * 24) + "]"],
        r"fulfilment\.store\.picking\.pickers_by_hour = .*; expected a schedule with a picker",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_infeasible_targets_fail_before_time_0(overrides: list[str], message: str) -> None:
    with pytest.raises(twin.ConfigError, match=message):
        config = twin.load_config(["network=single_store", *overrides])
        plan_network(config, build_network(config.network, FORMATS.keys()))


def test_overrides_must_name_real_stores_and_counts() -> None:
    config = twin.load_config(["network=single_store"])
    network = build_network(config.network, FORMATS.keys())
    config.planner.fleet.store_overrides["S99"] = FleetOverride(vans=2)
    with pytest.raises(
        twin.ConfigError, match=r"store_overrides\.S99 = 'S99'; expected a store id"
    ):
        plan_network(config, network)
    config.planner.fleet.store_overrides = {"S01": FleetOverride(vans=-3)}
    with pytest.raises(twin.ConfigError, match=r"S01\.vans = -3; expected a number >= -1"):
        validate(config)


def test_bad_planner_input_exits_2_with_one_line(tmp_path: object) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "twin", "planner.pickers.utilisation_target=1.5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "planner.pickers.utilisation_target = 1.5" in done.stderr + done.stdout


def test_derived_online_share_is_a_ratio_of_totals() -> None:
    from twin.kpi.derived import derived_rows

    rows = [
        ("store.revenue_money", "total", 950.0, "currency"),
        ("orders.placed_money", "total", 50.0, "currency"),
    ]
    assert derived_rows(rows) == [("orders.online_revenue_share_frac", "mean", 0.05, "frac")]
    assert derived_rows(rows[:1]) == [] and derived_rows(rows[1:]) == []
