"""The installed ``twin`` command, run as a user would: in a subprocess, from another folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

TWIN = shutil.which("twin") or str(Path(sys.executable).with_name("twin"))


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def only_run_dir(cwd: Path) -> Path:
    meta = list((cwd / "runs").glob("*/*/meta.json"))
    assert len(meta) == 1, meta
    return meta[0].parent


def test_twin_runs_from_any_folder_and_writes_a_run_folder(tmp_path: Path) -> None:
    done = run([TWIN, "network=single_store", "run.replications=2"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "KPI summary" in done.stdout and "checkout wait" in done.stdout
    run_dir = only_run_dir(tmp_path)
    assert f"run folder: {run_dir}" in done.stdout
    for name in (
        "config.yaml",
        "kpis.parquet",
        "summary.parquet",
        "timeseries.parquet",
        "network.json",
        "meta.json",
    ):
        assert (run_dir / name).is_file(), name
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "ok" and meta["replications"] == 2 and meta["error"] is None
    assert meta["versions"]["simpy"]
    kpis = pd.read_parquet(run_dir / "kpis.parquet")
    assert list(kpis.columns) == [
        "scenario",
        "replication",
        "region",
        "store",
        "kpi",
        "stat",
        "value",
        "unit",
        "run_id",
    ]
    assert set(kpis["run_id"]) == {meta["run_id"]}
    assert sorted(kpis["replication"].unique()) == [0, 1]


def test_python_dash_m_twin_is_the_same_command(tmp_path: Path) -> None:
    done = run([sys.executable, "-m", "twin", "network=single_store"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "KPI summary" in done.stdout


def test_bad_config_exits_non_zero_with_one_paragraph(tmp_path: Path) -> None:
    done = run([TWIN, "formats.grocery.checkout.lanes=0"], tmp_path)
    assert done.returncode == 2
    assert "formats.grocery.checkout.lanes = 0; expected a number >= 1" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "runs").exists()


def test_a_failing_run_keeps_its_folder_with_the_error(tmp_path: Path) -> None:
    done = run([TWIN, "network.kind=csv", "network.stores_csv=missing.csv"], tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    run_dir = only_run_dir(tmp_path)
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "failed"
    assert "network.stores_csv" in meta["error"]["message"]
    assert (run_dir / "config.yaml").is_file()
