"""``twin-size``: the recommendation holds on fresh seeds, one unit less does not; the command
line writes a sizing folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import twin
from twin.experiment.sizing import size_pickup
from twin.experiment.sizing_setup import sizing_base_config, with_capacities
from twin.run_files import SIZING_CURVE

pytestmark = pytest.mark.e2e

TWIN_SIZE = shutil.which("twin-size") or str(Path(sys.executable).with_name("twin-size"))
FRESH_SEED = 777


@pytest.fixture(scope="module")
def sized() -> tuple[twin.TwinConfig, dict[str, int]]:
    config = twin.load_config(["network=single_store", "sizing.demand_scales=[1.0]"])
    result = size_pickup(config)
    recommendation = result.recommendations[1.0]
    assert all(v is not None for v in recommendation.values()), recommendation
    assert result.confirmation["recommendation_meets_all"]
    return config, {k: int(v) for k, v in recommendation.items() if v is not None}


def fresh_means(config: twin.TwinConfig, capacities: dict[str, int]) -> dict[str, float]:
    """Each resource's KPI at these capacities, simulated on its own with fresh seeds."""
    from twin.experiment.sizing_setup import resources_of

    base = sizing_base_config(config)
    resources = resources_of(base)
    trial = with_capacities(base, "S01", capacities, resources)
    trial.run.seed = FRESH_SEED
    kpis = twin.simulate(trial).kpis
    kpis = kpis[(kpis["store"] == "S01") & (kpis["stat"] == "mean")]
    return {r.name: float(np.nanmean(kpis[kpis["kpi"] == r.kpi]["value"])) for r in resources}


def meets(config: twin.TwinConfig, resource: str, value: float) -> bool:
    if resource == "pickers":
        return value >= config.sizing.ready_within_promise_target
    return value <= config.sizing.overflow_target


def test_recommendation_meets_targets_on_fresh_seeds_and_one_less_does_not(
    sized: tuple[twin.TwinConfig, dict[str, int]],
) -> None:
    config, recommendation = sized
    assert set(recommendation) == {
        "pickers",
        "lockers.ambient",
        "lockers.chilled",
        "lockers.frozen",
    }
    at_rec = fresh_means(config, recommendation)
    assert all(meets(config, name, value) for name, value in at_rec.items()), at_rec
    one_less = fresh_means(config, {k: v - 1 for k, v in recommendation.items()})
    failing = [name for name, value in one_less.items() if not meets(config, name, value)]
    assert failing, one_less


def test_command_line_writes_a_sizing_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            TWIN_SIZE,
            "network=single_store",
            "sizing.replications=3",
            "sizing.days=1",
            "sizing.demand_scales=[1.0,1.5]",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    folders = [p.parent for p in (tmp_path / "runs" / "sizing").glob("*/*/sizing.json")]
    assert len(folders) == 1
    folder = folders[0]
    for name in (
        "sizing.json",
        "sizing_curve.parquet",
        "config.yaml",
        "meta.json",
    ):
        assert (folder / name).is_file(), name
    sizing = json.loads((folder / "sizing.json").read_text())
    assert set(sizing["recommendation"]) >= {"pickers", "lockers.chilled"}
    assert set(sizing["by_demand_scale"]) == {"1", "1.5"}
    assert sizing["simulations"] > 0 and sizing["wall_time_s"] > 0
    applied = twin.load_config(["network=single_store", *sizing["overrides"]])
    assert applied.fulfilment.store_overrides["S01"].pickers == sizing["recommendation"]["pickers"]
    curve = pd.read_parquet(folder / "sizing_curve.parquet")
    assert tuple(curve.columns) == SIZING_CURVE.columns
    assert json.loads((folder / "meta.json").read_text())["status"] == "ok"
    assert "Pickup capacity for store S01" in done.stdout


def test_command_line_rejects_a_target_outside_zero_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [TWIN_SIZE, "network=single_store", "sizing.overflow_target=1.2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert (
        "Invalid configuration: sizing.overflow_target = 1.2; expected a number <= 1."
        in done.stderr
    )
