"""plan.parquet's frame, built a week at a time, holds RegionPlan.rows() in order."""

from __future__ import annotations

import numpy as np

from twin.experiment.plan_table import plan_frame
from twin.network.regions import Network, Region
from twin.plan.plan import RegionPlan, StorePlan


def _week(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 9, size=(7, 24))


def test_plan_frame_rows_are_the_plans_rows_per_replication() -> None:
    plans = [
        RegionPlan(
            {
                "S01": StorePlan("S01", {"pickers": _week(1), "staffed_lanes": _week(2)}),
                "S02": StorePlan("S02", {"vans": _week(3)}),
            }
        ),
        RegionPlan({"S03": StorePlan("S03", {"drones": _week(4), "sco_kiosks": _week(5)})}),
    ]
    regions = [Region(f"R{i}", [], [], None, plan=plan) for i, plan in enumerate(plans)]
    regions.append(Region("R9", [], [], None))  # not planned: no rows
    frame = plan_frame(Network(regions), 2)
    expected = [row for plan in plans for row in plan.rows()]
    assert len(frame) == 2 * len(expected)
    for replication in (0, 1):
        part = frame[frame["replication"] == replication]
        columns = [part[c].tolist() for c in ("store", "resource", "weekday", "hour", "level")]
        got = list(zip(*columns, strict=True))
        assert got == expected
    assert str(frame["level"].dtype) == "float64" and str(frame["hour"].dtype) == "int64"


def test_no_plans_give_the_empty_table() -> None:
    assert plan_frame(Network([Region("R1", [], [], None)]), 3).empty
