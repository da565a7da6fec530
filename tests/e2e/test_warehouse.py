"""The results warehouse and the console, through the real command line: a few runs and a
sweep, then twin-runs and twin-query (real DuckDB) over them, and every query of
docs/QUERIES.md."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TWIN = shutil.which("twin") or str(Path(sys.executable).with_name("twin"))
QUERIES = Path(__file__).resolve().parents[2] / "docs" / "QUERIES.md"
LANES = "formats.grocery.checkout.lanes"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**__import__("os").environ, "TWIN_PROGRESS": "0"},
    )


def twin_query(sql: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "twin.runs_cli", "query", sql, *extra], cwd)


def query_frame(sql: str, cwd: Path) -> pd.DataFrame:
    done = twin_query(sql, cwd, "--json", "-")
    assert done.returncode == 0, done.stderr
    return pd.DataFrame(json.loads(done.stdout))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    cwd = tmp_path_factory.mktemp("warehouse")
    single = run([TWIN, "network=single_store", f"{LANES}=5"], cwd)
    failed = run([TWIN, "-q", "network.kind=csv", "network.stores_csv=missing.csv"], cwd)
    sweep = run(
        [
            TWIN,
            "-m",
            "network=single_store",
            "planner.lanes.mode=fixed",
            f"{LANES}=6,7",
            "run.scenario=lanes",
        ],
        cwd,
    )
    return {"cwd": cwd, "single": single, "failed": failed, "sweep": sweep}


def test_a_sweep_prints_one_line_per_job_and_every_folder_logs(workspace: dict) -> None:
    cwd: Path = workspace["cwd"]  # type: ignore[assignment]
    single, failed, sweep = workspace["single"], workspace["failed"], workspace["sweep"]
    assert single.returncode == 0, single.stderr
    assert "KPI summary" in single.stdout and "run folder:" in single.stdout
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    lines = sweep.stdout.splitlines()
    # one line per job as it finishes (parallel jobs: in any order)
    assert sorted(line.split(" ok ")[0] for line in lines if " ok (" in line) == ["job 0", "job 1"]
    assert "KPI summary" not in sweep.stdout  # it is in each job's log instead
    assert "Launching" not in sweep.stdout + sweep.stderr  # Hydra's set-up chatter
    assert len(lines) <= 8, sweep.stdout
    # -q: nothing on stdout, the failure on stderr in one paragraph
    assert failed.returncode == 2 and failed.stdout == ""
    assert "missing.csv" in failed.stderr and "Traceback" not in failed.stderr
    folders = [meta.parent for meta in (cwd / "runs").rglob("meta.json")]
    assert len(folders) == 4
    for folder in folders:
        log = (folder / "twin.log").read_text()
        assert log.strip(), folder
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["run_id"] in log
        if meta["status"] == "ok":
            assert "KPI summary" in log
            for name in ("kpis", "summary", "timeseries"):
                frame = pd.read_parquet(folder / f"{name}.parquet")
                assert frame.columns[-1] == "run_id"
                assert set(frame["run_id"]) == {meta["run_id"]}
        else:
            assert "Traceback" in log  # the details go to the file, not the console


def test_twin_query_counts_each_run_and_job_once(workspace: dict) -> None:
    cwd: Path = workspace["cwd"]  # type: ignore[assignment]
    runs = query_frame("select kind, status, count(*) as n from runs group by all", cwd)
    assert sorted(runs.itertuples(index=False, name=None)) == [
        ("job", "ok", 2),
        ("run", "failed", 1),
        ("run", "ok", 1),
    ]
    # the sweep folder's gathered summary.parquet exists but is not counted again
    assert list((cwd / "runs" / "sweeps").glob("*/*/summary.parquet"))
    per_run = query_frame(
        "select run_id, count(*) as n from summary where kpi = 'checkout.wait_s' "
        "and stat = 'mean' and store = 'all' group by run_id",
        cwd,
    )
    assert len(per_run) == 3 and set(per_run["n"]) == {1}


def test_kpis_join_parameters_without_parsing_file_names(workspace: dict) -> None:
    cwd: Path = workspace["cwd"]  # type: ignore[assignment]
    joined = query_frame(
        f'select r."{LANES}" as lanes, r.kind, n.mean from network n join runs r '
        "using (run_id) where n.kpi = 'checkout.wait_s' and n.stat = 'mean' order by lanes",
        cwd,
    )
    assert joined["lanes"].tolist() == [5, 6, 7]  # a typed (integer) column
    assert joined["kind"].tolist() == ["run", "job", "job"]
    assert joined["mean"].is_monotonic_decreasing  # more lanes, shorter waits (same seed)


def test_the_index_survives_deletion(workspace: dict) -> None:
    cwd: Path = workspace["cwd"]  # type: ignore[assignment]
    index = cwd / "runs" / "index.parquet"
    before = pd.read_parquet(index)
    index.unlink()
    listed = run([sys.executable, "-m", "twin.runs_cli", "runs"], cwd)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 4
    assert sorted(pd.read_parquet(index)["run_id"]) == sorted(before["run_id"])
    failed = run([sys.executable, "-m", "twin.runs_cli", "runs", "--status", "failed"], cwd)
    assert len(failed.stdout.splitlines()) == 1 and "missing.csv" in failed.stdout


def test_every_query_of_the_docs_runs(workspace: dict) -> None:
    cwd: Path = workspace["cwd"]  # type: ignore[assignment]
    queries = re.findall(r"```sql\n(.*?)```", QUERIES.read_text(encoding="utf-8"), re.S)
    assert len(queries) >= 6
    for sql in queries:
        result = query_frame(sql, cwd)
        if "status = 'failed'" in sql:
            assert len(result) == 1  # the run that failed just now
        else:
            assert len(result) > 0, sql
    best = query_frame(queries[2], cwd)  # the best job of each sweep
    assert len(best) == 1 and f"{LANES}=7" in best["best_overrides"][0]
