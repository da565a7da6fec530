"""Nothing lost, nothing silent (issue 16) with real processes: one sweep folder whatever is
swept, a manifest before the first job, resume equal to an uninterrupted sweep (basic and
joblib launchers), SIGINT / SIGTERM / SIGKILL, and scenario labels that are never paths."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reliability")]

TINY = [
    "network=single_store",
    "run.days=1",
    "orders.enabled=false",
    "formats.grocery.demand_scale=0.05",
]
# runs for a while (~20 s; a 60-day run now takes under a second and ended before the signal)
LONG = ["network=single_store", "run.days=365", "run.replications=4", "orders.enabled=false"]


def environment() -> dict[str, str]:
    return {**os.environ, "TWIN_PROGRESS": "0"}


def twin(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin", *args],
        cwd=cwd, capture_output=True, text=True, timeout=900, check=False, env=environment(),
    )  # fmt: skip


def collect(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin.experiment.collect", *args],
        cwd=cwd, capture_output=True, text=True, timeout=900, check=False, env=environment(),
    )  # fmt: skip


def sweep_dirs(cwd: Path) -> list[Path]:
    return sorted(p for p in (cwd / "runs" / "sweeps").glob("*/*") if p.is_dir())


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "twin", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(),
    )  # fmt: skip


def wait_for_running(cwd: Path, pattern: str, timeout_s: float = 600.0) -> Path:
    """The first meta.json under ``cwd`` matching ``pattern`` whose status is running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for meta in cwd.glob(pattern):
            try:
                if json.loads(meta.read_text()).get("status") == "running":
                    return meta.parent
            except (OSError, ValueError):
                pass
        time.sleep(0.2)
    raise AssertionError(f"no run started under {cwd}")


@pytest.mark.parametrize("launcher", [[], ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]])
def test_a_swept_scenario_is_one_folder_and_resume_equals_the_full_sweep(
    tmp_path: Path, launcher: list[str]
) -> None:
    done = twin(["-m", *TINY, *launcher, "run.scenario=base,alt,third"], tmp_path)
    assert done.returncode == 0, done.stderr
    [sweep] = sweep_dirs(tmp_path)  # one folder, although run.scenario was swept
    manifest = json.loads((sweep / "manifest.json").read_text())
    assert [job["job"] for job in manifest["jobs"]] == [0, 1, 2]
    assert [job["scenario"] for job in manifest["jobs"]] == ["base", "alt", "third"]
    assert {job["seed"] for job in manifest["jobs"]} == {20261128}
    assert all("run.scenario=" + job["scenario"] in job["overrides"] for job in manifest["jobs"])
    assert ("hydra/launcher=joblib" in manifest["launcher_overrides"]) == bool(launcher)
    metas = [json.loads((sweep / str(n) / "meta.json").read_text()) for n in range(3)]
    assert manifest["created_at"] <= min(meta["started_at"] for meta in metas)
    full = pd.read_parquet(sweep / "summary.parquet")
    assert sorted(full["job"].unique()) == [0, 1, 2]

    # a job that never ran, and one killed mid-run: named, and exit 1
    shutil.rmtree(sweep / "1")
    meta = json.loads((sweep / "2" / "meta.json").read_text())
    (sweep / "2" / "meta.json").write_text(json.dumps({**meta, "status": "running"}))
    gathered = collect([str(sweep)], tmp_path)
    assert gathered.returncode == 1
    assert "3 jobs, 1 ok, 0 failed, 1 incomplete, 1 not run" in gathered.stdout
    assert "NOT RUN job 1" in gathered.stdout and "INCOMPLETE job 2" in gathered.stdout

    resumed = collect(["--resume", str(sweep)], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "3 jobs, 3 ok" in resumed.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "summary.parquet"), full)
    assert json.loads((sweep / "manifest.json").read_text()) == manifest  # kept as it was


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_says_so_in_one_line_and_in_meta(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    process = start(LONG, tmp_path)
    run_dir = wait_for_running(tmp_path, "runs/*/*/meta.json")
    time.sleep(1.0)
    os.kill(process.pid, sig)
    _, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and f"interrupted by {sig.name}" in err
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "interrupted"
    assert meta["error"]["message"] == f"interrupted by {sig.name}"


@pytest.mark.parametrize(("n_jobs", "interrupted"), [(1, 1), (2, 2)])
def test_an_interrupted_sweep_says_how_to_resume_and_names_its_jobs(
    tmp_path: Path, n_jobs: int, interrupted: int
) -> None:
    """Ctrl-C reaches the jobs running on every worker; the jobs not started never start."""
    args = ["-m", *LONG, "run.scenario=a,b,c", f"hydra.launcher.n_jobs={n_jobs}"]
    process = start(args, tmp_path)
    wait_for_running(tmp_path, "runs/sweeps/*/*/0/meta.json")
    time.sleep(1.0)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert len(err.strip().splitlines()) == 1, err
    [sweep] = sweep_dirs(tmp_path)
    assert f"twin-collect --resume {sweep}" in err
    gathered = collect([str(sweep)], tmp_path)
    assert gathered.returncode == 1
    not_run = 3 - interrupted
    told = f"3 jobs, 0 ok, 0 failed, {interrupted} interrupted, {not_run} not run"
    assert told in gathered.stdout
    assert "INTERRUPTED job 0" in gathered.stdout and "NOT RUN job 2" in gathered.stdout
    if n_jobs == 2:
        assert "INTERRUPTED job 1" in gathered.stdout


def test_a_sigkilled_run_is_named_incomplete_by_every_tool(tmp_path: Path) -> None:
    process = start(LONG, tmp_path)
    run_dir = wait_for_running(tmp_path, "runs/*/*/meta.json")
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    report = subprocess.run(
        [sys.executable, "-m", "twin.report.cli", str(run_dir)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert report.returncode == 2
    assert len(report.stderr.strip().splitlines()) == 1
    assert "is incomplete" in report.stderr and "Traceback" not in report.stderr


def test_a_scenario_name_never_puts_a_run_outside_runs(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    done = twin([*TINY, "run.scenario=../../x"], tmp_path / "work")
    assert done.returncode == 0, done.stderr
    metas = list((tmp_path / "work" / "runs").glob("*/*/meta.json"))
    assert len(metas) == 1
    assert json.loads(metas[0].read_text())["scenario"] == "../../x"  # the label is kept
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob("*_x_*"))
