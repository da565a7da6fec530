"""The heatwave and cooler-failure experiments show their effect against their baselines.

Each experiment runs as the jobs of ``twin -m +experiment=NAME`` would: the scenario as the file
sets it, and its baseline (the file's ``experiment.baseline`` selectors as overrides), on
common random numbers; the paired 95% interval of the difference must exclude zero in the
expected direction. One store, 10 replications (a few seconds per experiment).
"""

from __future__ import annotations

import pandas as pd
import pytest

import twin
from twin.config.experiment import split_selectors
from twin.experiment.compare import compare

pytestmark = pytest.mark.e2e

REPLICATIONS = 10
SMALL = ["network=single_store", f"run.replications={REPLICATIONS}"]


def experiment_vs_baseline(name: str) -> pd.DataFrame:
    """Paired differences (scenario - baseline), store 'all' of the one region."""
    overrides = [f"+experiment={name}", *SMALL]
    scenario = twin.load_config(overrides)
    baseline = twin.load_config([*overrides, *split_selectors(scenario.experiment.baseline)])
    assert scenario.coldchain.enabled and baseline.coldchain.enabled
    table = compare(twin.simulate(scenario), twin.simulate(baseline))
    return table[(table.store == "all") & (table.region != "all")].set_index(["kpi", "stat"])


def cell(table: pd.DataFrame, kpi: str, stat: str, column: str) -> float:
    value: float = table.at[(kpi, stat), column]  # type: ignore[assignment]
    return float(value)


def assert_significant(table: pd.DataFrame, kpi: str, sign: int, stat: str = "mean") -> None:
    assert bool(table.at[(kpi, stat), "is_paired"])
    assert cell(table, kpi, stat, "n_reps") == REPLICATIONS
    diff = cell(table, kpi, stat, "diff_mean")
    half = cell(table, kpi, stat, "diff_half_width")
    assert (diff - half > 0) if sign > 0 else (diff + half < 0), (kpi, diff, half)


def test_a_heatwave_costs_shelf_life_and_warms_the_handover() -> None:
    table = experiment_vs_baseline("heatwave")
    # picked into insulated totes and staged cold, items lose little more shelf life in a
    # heatwave (+7e-5 of it, within the noise of 10 replications): the direction is checked,
    # the significant effect is on temperature
    assert cell(table, "coldchain.shelf_life_lost_frac", "mean", "diff_mean") > 0
    assert cell(table, "coldchain.shelf_life_left_frac", "mean", "diff_mean") < 0
    assert_significant(table, "coldchain.chilled_handover_temp_c", +1)
    assert_significant(table, "coldchain.time_above_safe_s", +1)
    # nothing but the temperatures changed: the same orders were handed over
    assert cell(table, "coldchain.orders_n", "total", "diff_mean") == 0


def test_cooler_failures_cost_shelf_life_and_warm_the_handover() -> None:
    table = experiment_vs_baseline("cooler_failure")
    assert_significant(table, "coldchain.shelf_life_left_frac", -1)
    assert_significant(table, "coldchain.chilled_handover_temp_c", +1)
    assert cell(table, "coldchain.shelf_life_lost_frac", "mean", "diff_mean") > 0
    assert cell(table, "coldchain.orders_n", "total", "diff_mean") == 0


def test_floor_staging_warms_the_handover_and_spoils_more() -> None:
    # the default stages chilled and frozen parts in their zone; the what-if on the shop floor
    table = experiment_vs_baseline("floor_staging")
    assert_significant(table, "coldchain.chilled_handover_temp_c", +1)
    assert_significant(table, "coldchain.shelf_life_lost_frac", +1)
    assert cell(table, "coldchain.orders_n", "total", "diff_mean") == 0
