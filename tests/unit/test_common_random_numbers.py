"""Common random numbers: two close scenarios compared on the same seed are paired tightly.

6 vs 7 staffed lanes in one store on a Saturday: the shoppers, their baskets and their
service times are the same in both (named streams), so the per-replication differences of a
KPI vary far less than the KPI itself. The paired interval must be much narrower than the
unpaired one from independent runs (another seed); if a stream shifted with the number of lanes,
the two would be about as wide.
"""

from __future__ import annotations

import pandas as pd
import pytest

import twin
from twin.experiment.compare import compare

pytestmark = [pytest.mark.unit, pytest.mark.xdist_group("common_random_numbers")]

REPLICATIONS = 12


def saturday(lanes: int, seed: int) -> twin.SimulationResult:
    return twin.simulate(
        twin.load_config(
            [
                "network=single_store",
                "run.start_weekday=5",
                f"run.seed={seed}",
                f"run.replications={REPLICATIONS}",
                f"formats.grocery.checkout.lanes={lanes}",
            ]
        )
    )


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    six, seven, seven_other_seed = saturday(6, 1), saturday(7, 1), saturday(7, 2)
    return {"paired": compare(six, seven), "independent": compare(six, seven_other_seed)}


def row(table: pd.DataFrame, kpi: str, stat: str = "mean") -> pd.Series:
    match = table[(table["store"] == "all") & (table["kpi"] == kpi) & (table["stat"] == stat)]
    assert len(match) == 1, match  # one store, one region
    return match.iloc[0]


# Measured ratios (12 replications): 0.45, 0.17, 0.05. Waits keep more of their own noise
# (queueing amplifies small differences in who arrives when), utilisation and time in store
# are dominated by the shared demand.
@pytest.mark.parametrize(
    ("kpi", "ratio"),
    [
        ("checkout.wait_s", 0.7),
        ("checkout.lane_utilisation_frac", 0.35),
        ("store.time_in_store_s", 0.2),
    ],
)
def test_paired_interval_is_much_narrower_than_unpaired(
    tables: dict[str, pd.DataFrame], kpi: str, ratio: float
) -> None:
    paired = row(tables["paired"], kpi)
    independent = row(tables["independent"], kpi)
    assert paired["is_paired"] and not independent["is_paired"]
    print(
        f"{kpi}: paired ±{paired['diff_half_width']:.3g}, "
        f"unpaired (same runs) ±{paired['unpaired_half_width']:.3g}, "
        f"independent seeds ±{independent['diff_half_width']:.3g}"
    )
    assert paired["diff_half_width"] < ratio * independent["diff_half_width"]
    assert paired["diff_half_width"] < ratio * paired["unpaired_half_width"]


def test_one_lane_less_waits_longer_and_the_paired_interval_says_so(
    tables: dict[str, pd.DataFrame],
) -> None:
    paired = row(tables["paired"], "checkout.wait_s")
    assert paired["diff_mean"] > 0 and paired["is_significant"]


def test_demand_is_identical_in_both_scenarios(tables: dict[str, pd.DataFrame]) -> None:
    shoppers = row(tables["paired"], "store.shoppers_n", "total")
    assert shoppers["diff_mean"] == 0.0 and shoppers["diff_half_width"] == 0.0
