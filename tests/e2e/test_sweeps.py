"""``twin -m`` sweeps as a user runs them: launchers, gathering, failed jobs, experiments."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e
# One xdist worker runs the tests sharing the module fixture (pytest -n 2 --dist loadgroup).
SWEEPS = pytest.mark.xdist_group("sweeps_grid")

LANES = "formats.grocery.checkout.lanes"
KIOSKS = "formats.grocery.checkout.sco_kiosks"
SMALL = [
    "network=single_store",
    "planner.lanes.mode=fixed",  # lanes swept as a fixed roster, not as the planner's maximum
    "formats.grocery.demand_scale=0.3",
    "run.replications=2",
]
GRID = [f"{LANES}=2,3", f"{KIOSKS}=2,4"]
EXPECTED_KPIS = {
    "checkout.wait_s",
    "checkout.lane_utilisation_frac",
    "store.shoppers_n",
    "checkout.labour_cost_money",
}


def twin(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TWIN_PROGRESS": "0", **env}
    return subprocess.run(
        [sys.executable, "-m", "twin", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )


def twin_collect(sweep_dir: Path) -> subprocess.CompletedProcess[str]:
    code = "from twin.experiment.collect import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, str(sweep_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def only_sweep_dir(cwd: Path) -> Path:
    found = [p for p in (cwd / "runs" / "sweeps").glob("*/*") if (p / "0").is_dir()]
    assert len(found) == 1, found
    return found[0]


LAUNCHERS = {
    "twin": ["hydra.launcher.n_jobs=2"],  # the default: two forked workers
    "serial": ["hydra.launcher.n_jobs=1"],  # the twin launcher, every job in the one process
    "joblib": ["hydra/launcher=joblib"],
    "basic": ["hydra/launcher=basic"],  # Hydra's own serial launcher
}


@pytest.fixture(scope="module")
def grid_sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 2x2 sweep with the twin launcher on 2 workers and on 1, and with Hydra's
    joblib and basic launchers."""
    folders = {}
    for launcher, extra in LAUNCHERS.items():
        cwd = tmp_path_factory.mktemp(launcher)
        done = twin(["-m", *SMALL, *GRID, *extra], cwd, TWIN_PROGRESS="1")
        assert done.returncode == 0, done.stderr[-3000:]
        assert "4 jobs, 4 ok, 0 failed" in done.stdout
        folders[launcher] = only_sweep_dir(cwd)
        folders[launcher + "_stderr"] = Path(cwd / "stderr.txt")
        folders[launcher + "_stderr"].write_text(done.stderr)
    return folders


@SWEEPS
def test_joblib_sweep_gathers_four_jobs_with_their_overrides(grid_sweeps: dict[str, Path]) -> None:
    sweep = grid_sweeps["joblib"]
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert sorted(summary["job"].unique()) == [0, 1, 2, 3]
    assert set(summary["status"]) == {"ok"}
    jobs = summary.drop_duplicates("job").set_index("job")
    assert {(int(r[LANES]), int(r[KIOSKS])) for _, r in jobs.iterrows()} == {
        (2, 2),
        (2, 4),
        (3, 2),
        (3, 4),
    }
    for job, rows in summary.groupby("job"):
        network = rows[rows["store"] == "all"]
        assert set(network["kpi"]) >= EXPECTED_KPIS, job
        assert (rows["n_reps"] == 2).all()
    assert json.loads((sweep / "failed_jobs.json").read_text()) == []
    assert pd.read_csv(sweep / "summary.csv").shape == summary.shape
    assert not (sweep / "comparison.parquet").exists()  # no baseline named


@SWEEPS
@pytest.mark.parametrize("launcher", ["twin", "joblib", "basic"])
def test_every_launcher_gives_the_serial_sweeps_jobs_and_kpis(
    grid_sweeps: dict[str, Path], launcher: str
) -> None:
    serial = grid_sweeps["serial"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(grid_sweeps[launcher] / "summary.parquet"),
        pd.read_parquet(serial / "summary.parquet"),
    )
    for job in range(4):  # the same job number, folder, overrides and KPI table
        folder = grid_sweeps[launcher] / str(job)
        meta = json.loads((folder / "meta.json").read_text())
        assert (
            meta["overrides"]
            == json.loads((serial / str(job) / "meta.json").read_text())["overrides"]
        )
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / "kpis.parquet").drop(columns="run_id"),
            pd.read_parquet(serial / str(job) / "kpis.parquet").drop(columns="run_id"),
        )


@SWEEPS
def test_the_default_launcher_is_the_twins_on_forked_workers(
    grid_sweeps: dict[str, Path],
) -> None:
    manifest = json.loads((grid_sweeps["twin"] / "manifest.json").read_text())
    assert manifest["launcher"] == "TwinLauncher"
    assert (grid_sweeps["basic"] / "0" / ".hydra" / "hydra.yaml").is_file()


@SWEEPS
def test_a_progress_bar_over_jobs_when_asked(grid_sweeps: dict[str, Path]) -> None:
    for launcher in ("twin", "basic"):
        assert "jobs" in grid_sweeps[launcher + "_stderr"].read_text()


def test_a_failing_job_leaves_the_others_intact_and_is_reported(tmp_path: Path) -> None:
    # lanes=0 composes (an int) but fails validation: only job 0 fails, when it runs
    done = twin(["-m", *SMALL, f"{LANES}=0,2,3", f"experiment.baseline='{LANES}=3'"], tmp_path)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "3 jobs, 2 ok, 1 failed" in done.stdout and "FAILED job 0" in done.stdout
    sweep = only_sweep_dir(tmp_path)
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert sorted(summary["job"].unique()) == [1, 2]
    for job in ("1", "2"):
        meta = json.loads((sweep / job / "meta.json").read_text())
        assert meta["status"] == "ok" and (sweep / job / "kpis.parquet").is_file()
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert [f["job"] for f in failed] == [0]
    assert failed[0]["error"]["type"] == "ConfigError"
    assert f"{LANES} = 0" in failed[0]["error"]["message"]
    comparison = pd.read_parquet(sweep / "comparison.parquet")
    assert set(zip(comparison["job"], comparison["baseline_job"], strict=True)) == {(1, 2)}

    for name in ("summary.parquet", "summary.csv", "failed_jobs.json", "comparison.parquet"):
        (sweep / name).unlink()
    collected = twin_collect(sweep)
    assert collected.returncode == 1
    assert "FAILED job 0" in collected.stdout and "ConfigError" in collected.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "summary.parquet"), summary)
    assert json.loads((sweep / "failed_jobs.json").read_text())[0]["job"] == 0
    assert (sweep / "comparison.parquet").is_file()


def test_an_experiment_sweep_compares_against_its_baseline(tmp_path: Path) -> None:
    done = twin(["-m", "+experiment=more_lanes", *SMALL, f"{LANES}=2,3,4"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "experiment more_lanes:" in done.stdout
    sweep = only_sweep_dir(tmp_path)
    assert "more_lanes" in sweep.name
    # the command line replaced the experiment's own sweep (8,9,10): no job matches lanes=8
    assert "no finished job matches the baseline" in done.stdout
    collected = subprocess.run(
        [
            sys.executable,
            "-c",
            "from twin.experiment.collect import main; main()",
            str(sweep),
            "--baseline",
            f"{LANES}=4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    comparison = pd.read_parquet(sweep / "comparison.parquet")
    assert set(comparison["baseline_job"]) == {2} and set(comparison["job"]) == {0, 1}
    cost = comparison[
        (comparison["kpi"] == "checkout.labour_cost_money") & (comparison["store"] == "all")
    ]
    assert (cost["diff_mean"] < 0).all() and cost["is_significant"].all()


def test_two_sweeps_started_together_never_share_a_folder(tmp_path: Path) -> None:
    # The same folder name down to the second (no time in it at all): only the per-process id
    # keeps them apart.
    args = [
        sys.executable,
        "-m",
        "twin",
        "-m",
        *SMALL,
        f"{LANES}=2,3",
        "hydra.sweep.dir=runs/sweeps/same_${twin_uid:}",
    ]
    env = {**os.environ, "TWIN_PROGRESS": "0"}
    first = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    second = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    folders = sorted((tmp_path / "runs" / "sweeps").iterdir())
    assert len(folders) == 2, folders
    for folder in folders:
        summary = pd.read_parquet(folder / "summary.parquet")
        assert sorted(summary["job"].unique()) == [0, 1]
        assert sorted(p.name for p in folder.iterdir() if p.name.isdigit()) == ["0", "1"]


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is None,
    reason="hydra-submitit-launcher is not installed (pip install 'twin[slurm]')",
)
def test_submitit_local_launcher_runs_a_sweep(tmp_path: Path) -> None:
    done = twin(["-m", *SMALL, f"{LANES}=2,3", "hydra/launcher=submitit_local"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    sweep = only_sweep_dir(tmp_path)
    assert (sweep / ".submitit").is_dir()
    assert sorted(pd.read_parquet(sweep / "summary.parquet")["job"].unique()) == [0, 1]


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None,
    reason="hydra-ray-launcher is not installed (pip install 'twin[ray]')",
)
def test_ray_launcher_runs_a_sweep_in_local_mode(tmp_path: Path) -> None:
    done = twin(
        ["-m", *SMALL, f"{LANES}=2,3", "hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2"],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = pd.read_parquet(only_sweep_dir(tmp_path) / "summary.parquet")
    assert sorted(summary["job"].unique()) == [0, 1]


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_optuna_sweeper") is None,
    reason="hydra-optuna-sweeper is not installed (pip install 'twin[optuna]')",
)
# optuna 2.x on SQLAlchemy 1.4 (pyproject's optuna extra) warns that it is not ready for 2.0
@pytest.mark.filterwarnings("ignore:Deprecated API features detected")
def test_optuna_search_stores_its_study_in_the_sweep_folder(tmp_path: Path) -> None:
    """The Optuna experiment returns both objectives per trial and keeps the whole study in
    study.db (SQLite) in the sweep folder: optuna.load_study reads back every trial with the
    parameters and objective values of its job, and the report draws the Pareto chart."""
    import optuna

    from twin.experiment.objectives import objective_values

    done = twin(
        [
            "-m",
            "+experiment=lanes_cost_vs_service",
            *SMALL,
            "hydra.sweeper.n_trials=4",
            "hydra.sweeper.n_jobs=2",  # two batches: the sampler sees the first before the second
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sweep = only_sweep_dir(tmp_path)
    results = (sweep / "optimization_results.yaml").read_text()
    assert "solutions:" in results and LANES in results
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert sorted(summary["job"].unique()) == [0, 1, 2, 3]

    study = optuna.load_study(
        study_name="lanes_cost_vs_service", storage=f"sqlite:///{sweep / 'study.db'}"
    )
    trials = study.get_trials(deepcopy=False)
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    objectives = ["checkout.labour_cost_money:total", "checkout.wait_s:mean"]
    for trial in trials:  # trial n is job n, launched in order
        rows = summary[summary["job"] == trial.number]
        assert trial.params == {LANES: int(rows[LANES].iloc[0]), KIOSKS: int(rows[KIOSKS].iloc[0])}
        expected = objective_values(objectives, rows)
        assert isinstance(expected, tuple)
        assert trial.values == list(expected)
    assert {t.number for t in study.best_trials} <= {0, 1, 2, 3}

    html = next((tmp_path / "reports").glob("sweep_*.html")).read_text(encoding="utf-8")
    assert 'id="pareto"' in html and "study.db" in html
