"""Report fixtures made by the real producers, once per test session.

A run folder from ``twin`` (3 stores, 2 replications), a sizing folder from ``twin-size``
(one store, 2 replications x 1 day, demand x1 and x1.5) and a sweep folder from
``twin -m +experiment=more_lanes`` (8 and 10 lanes, 2 replications), each made by the command
itself in a subprocess, so a change to what a producer writes shows up in the report tests
at once (no hand-written fixture can go stale). Tests that use them share the xdist group
``report-producers``, so one worker makes each folder once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCERS = pytest.mark.xdist_group("report-producers")


def produce(module: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m <module> args`` from this checkout (not the installed twin)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="session")
def real_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real_run")
    run_dir = tmp / "run"
    produce(
        "twin.cli",
        ["network.n_stores=3", "run.replications=2", f"hydra.run.dir={run_dir}"],
        tmp,
    )
    return run_dir


@pytest.fixture(scope="session")
def real_run_with_plan(real_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real run folder plus a plan.parquet in the planner's schema (BRIEF: replication,
    store, resource, weekday, hour, level), as issue 15's planner will write it."""
    import shutil

    folder = tmp_path_factory.mktemp("real_run_plan") / "run"
    shutil.copytree(real_run_dir, folder)
    rows = []
    for store in ("S01", "S02", "S03"):
        for hour in range(24):
            open_now = 8 <= hour < 22
            for resource, level in (("staffed_lanes", 3 + (hour in (12, 17))), ("pickers", 2)):
                rows.append((0, store, resource, 5, hour, float(level if open_now else 0)))
    columns = ["replication", "store", "resource", "weekday", "hour", "level"]
    plan = pd.DataFrame(rows, columns=columns)
    plan = plan.astype({"replication": "int64", "weekday": "int64", "hour": "int64"})
    plan.to_parquet(folder / "plan.parquet", index=False)
    return folder


@pytest.fixture(scope="session")
def real_sizing_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real_sizing")
    produce(
        "twin.sizing_cli",
        [
            "network=single_store",
            "sizing.replications=2",
            "sizing.days=1",
            "sizing.demand_scales=[1.0,1.5]",
            f"hydra.run.dir={tmp / 'size'}",
        ],
        tmp,
    )
    return tmp / "size"


@pytest.fixture(scope="session")
def real_sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real_sweep")
    produce(
        "twin.cli",
        [
            "-m",
            "+experiment=more_lanes",
            "network=single_store",
            "orders.enabled=false",
            "run.replications=2",
            "formats.grocery.checkout.lanes=8,10",
            f"hydra.sweep.dir={tmp / 'sweep'}",
        ],
        tmp,
    )
    return tmp / "sweep"


def written_sizing_folder(path: Path, pickers: int | None = 5) -> Path:
    """A small sizing folder written by twin-size's own writer (``write_sizing``) from a
    hand-made result: the shape is always the producer's; for fast unit tests. ``pickers``
    None: no picker count met the target."""
    from twin.experiment.sizing import SizingResult
    from twin.experiment.sizing_output import write_sizing
    from twin.experiment.sizing_search import Point, Resource

    resources = [
        Resource("pickers", "pickup.ready_within_promise_frac", 0.95, True),
        Resource("lockers.chilled", "locker.chilled_overflow_frac", 0.05, False),
    ]
    points = []
    for scale in (1.0, 1.5):
        for capacity in range(3, 8):
            ready = min(1.0, 0.7 + 0.06 * capacity / scale)
            points.append(
                Point(
                    "pickers",
                    capacity,
                    scale,
                    resources[0].kpi,
                    ready,
                    0.02,
                    2,
                    0.95,
                    ready - 0.02 >= 0.95,
                )
            )
            overflow = max(0.0, 0.3 * scale - 0.05 * capacity)
            points.append(
                Point(
                    "lockers.chilled",
                    capacity,
                    scale,
                    resources[1].kpi,
                    overflow,
                    0.01,
                    2,
                    0.05,
                    overflow + 0.01 <= 0.05,
                )
            )
    recommendations: dict[float, dict[str, int | None]] = {
        1.0: {"pickers": pickers, "lockers.chilled": 5},
        1.5: {"pickers": None if pickers is None else pickers + 1, "lockers.chilled": 7},
    }
    confirmation = {
        "at_recommendation": {
            "pickers": {
                "capacity": pickers,
                "kpi": resources[0].kpi,
                "mean": 0.99,
                "half_width": 0.01,
                "meets_target": True,
                "mean_meets_target": True,
                "n_reps": 2,
            },
        },
        "one_less_fails": ["pickers"],
        "recommendation_meets_all": True,
    }
    result = SizingResult(
        "S01",
        "R1",
        resources,
        recommendations,
        {1.0: {}, 1.5: {}},
        points,
        confirmation,
        20,
        1.0,
        2,
        1,
        [1.0, 1.5],
    )
    path.mkdir(parents=True, exist_ok=True)
    write_sizing(path, result)
    return path
