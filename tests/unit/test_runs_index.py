"""The runs index (runs/index.parquet) and the DuckDB views over run folders, on real files."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from twin.experiment.run_folder import base_meta, with_run_id, write_json, write_parquet
from twin.experiment.runs_index import (
    CLAIMED_SUFFIX,
    INDEX_NAME,
    PENDING_NAME,
    index_frame,
    load_index,
    parse_override,
    record,
    reindex,
    runs_root_of,
)
from twin.experiment.warehouse import query
from twin.run_files import KPIS, SUMMARY

pytestmark = pytest.mark.unit


def make_run(folder: Path, overrides: list[str], wait_s: float, status: str = "ok") -> str:
    """A run folder as twin writes it: meta.json, kpis and summary with run_id."""
    meta = base_meta("demo", 1, 2, overrides)
    kpis = pd.DataFrame(
        [["demo", r, "all", "all", "checkout.wait_s", "mean", wait_s + r, "s"] for r in (0, 1)],
        columns=list(KPIS.columns),
    )
    summary = pd.DataFrame(
        [["demo", "all", "all", "checkout.wait_s", "mean", wait_s + 0.5, 1.0, 2, "s"]],
        columns=list(SUMMARY.columns),
    )
    if status == "ok":
        write_parquet(folder / "kpis.parquet", with_run_id(kpis, meta["run_id"]))
        write_parquet(folder / "summary.parquet", with_run_id(summary, meta["run_id"]))
    meta.update(status=status, wall_time_s=1.5)
    if status == "failed":
        meta["error"] = {"type": "TwinError", "message": "boom", "traceback": ""}
    write_json(folder / "meta.json", meta)
    return str(meta["run_id"])


def test_override_values_become_typed_columns() -> None:
    assert parse_override("formats.grocery.checkout.lanes=6") == (
        "formats.grocery.checkout.lanes",
        6,
    )
    assert parse_override("+run.records=true") == ("run.records", True)
    assert parse_override("network=single_store") == ("network", "single_store")
    assert parse_override("~run.seed") is None
    rows = []
    for i, overrides in enumerate(
        [["a=1", "b=0.5", "c=x", "d=true"], ["a=2", "b=2", "c=3"], ["e={k:1}"]]
    ):
        rows.append(
            {
                "run_id": f"r{i}",
                "kind": "run",
                "status": "ok",
                "scenario": "s",
                "started_at": f"2026-12-0{i + 1}T10:00:00+00:00",
                "finished_at": None,
                "wall_time_s": 1.0,
                "seed": 1,
                "replications": 1,
                "git_sha": None,
                "path": f"p{i}",
                "sweep_dir": None,
                "job": None,
                "overrides": json.dumps(overrides),
                "error": None,
            }
        )
    frame = index_frame(rows)
    assert str(frame["a"].dtype) == "Int64" and frame["a"].tolist()[:2] == [1, 2]
    assert str(frame["b"].dtype) == "float64"  # 0.5 and 2: one numeric type
    assert str(frame["c"].dtype) == "string"  # "x" and 3: text
    assert str(frame["d"].dtype) == "boolean"
    assert frame["e"].tolist()[2] == "{k:1}"
    assert str(frame["started_at"].dtype).startswith("datetime64")


def test_index_survives_deletion_and_each_job_counts_once(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    ids = [make_run(runs / "2026-12-04" / "10-00-00_demo_a", ["network=single_store"], 1.0)]
    sweep = runs / "sweeps" / "2026-12-04" / "11-00-00_demo_b"
    for job, lanes in enumerate((6, 7)):
        ids.append(make_run(sweep / str(job), [f"formats.grocery.checkout.lanes={lanes}"], lanes))
    # a sweep's gathered summary repeats its jobs' rows: it must not be read again
    gathered = pd.read_parquet(sweep / "0" / "summary.parquet").assign(job=0)
    write_parquet(sweep / "summary.parquet", gathered)
    failed = make_run(runs / "2026-12-04" / "12-00-00_demo_c", [], 0.0, status="failed")
    for folder in [runs / "2026-12-04" / "10-00-00_demo_a", sweep / "0", sweep / "1"]:
        record(folder, json.loads((folder / "meta.json").read_text()))
    assert runs_root_of(sweep / "0") == runs.resolve()

    first = query(runs, "select run_id, kind, job from runs order by started_at")
    assert len(first) == 4  # the failed run was never recorded: the index was rebuilt once
    assert set(first["run_id"]) == {*ids, failed}
    assert query(runs, "select count(*) as n from kpis")["n"][0] == 6  # 3 ok runs x 2 reps
    joined = query(
        runs,
        'select r."formats.grocery.checkout.lanes" as lanes, s.mean from summary s '
        "join runs r using (run_id) where r.kind = 'job' order by lanes",
    )
    assert joined["lanes"].tolist() == [6, 7] and joined["mean"].tolist() == [6.5, 7.5]

    (runs / INDEX_NAME).unlink()
    again = query(runs, "select status, count(*) as n from runs group by 1 order by 1")
    assert again.to_dict("list") == {"status": ["failed", "ok"], "n": [1, 3]}
    rebuilt = reindex(runs)
    assert sorted(rebuilt["run_id"]) == sorted([*ids, failed])


def test_a_folder_from_before_run_ids_is_indexed_by_its_path(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    folder = runs / "2026-11-30" / "09-00-00_old"
    make_run(folder, [], 2.0)
    meta = json.loads((folder / "meta.json").read_text())
    del meta["run_id"]
    write_json(folder / "meta.json", meta)
    for name in ("kpis", "summary"):
        frame = pd.read_parquet(folder / f"{name}.parquet").drop(columns="run_id")
        write_parquet(folder / f"{name}.parquet", frame)
    result = query(runs, "select k.run_id, r.path from kpis k join runs r using (run_id)")
    assert set(result["run_id"]) == {"legacy-2026-11-30_09-00-00_old"}


def _record_many(root: str, worker: int, count: int) -> None:
    for i in range(count):
        folder = Path(root) / "sweeps" / "d" / f"w{worker}" / str(i)
        meta = base_meta("demo", worker, 1, [f"x={worker}", f"y={i}.5"])
        meta.update(status="ok")
        write_json(folder / "meta.json", meta)
        # even workers: single runs (each folds the index); odd: sweep jobs (rows only)
        record(folder, meta, pending_only=worker % 2 == 1)
        if worker % 2 == 1 and i % 2:
            load_index(Path(root))  # a reader folding while others write


def test_concurrent_writers_never_lose_a_row_or_corrupt_the_index(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(runs), w, 6)) for w in range(6)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    index = load_index(runs)
    assert len(index) == 36 and index["run_id"].is_unique
    assert str(index["x"].dtype) == "Int64" and str(index["y"].dtype) == "float64"
    assert pd.read_parquet(runs / INDEX_NAME).equals(index)
    assert not list(runs.glob(f".{INDEX_NAME}.*"))  # no temporary file left behind
    assert not list((runs / PENDING_NAME).iterdir())  # every row folded


def test_a_sweep_jobs_row_is_folded_in_by_the_next_reader(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    make_run(runs / "2026-12-04" / "10-00-00_a", ["network=metro"], 1.0)
    record(runs / "2026-12-04" / "10-00-00_a", _meta(runs / "2026-12-04" / "10-00-00_a"))
    written = (runs / INDEX_NAME).stat().st_mtime_ns
    job = runs / "sweeps" / "d" / "0"
    make_run(job, ["network=single_store"], 2.0, status="failed")
    pending = record(job, _meta(job), pending_only=True)
    assert pending is not None and pending.parent == runs / PENDING_NAME
    assert (runs / INDEX_NAME).stat().st_mtime_ns == written  # the index not rewritten
    meta = _meta(job)
    meta["status"] = "ok"  # the job ran again (resume): its newer row replaces the first
    write_json(job / "meta.json", meta)
    assert record(job, meta, pending_only=True) == pending
    index = load_index(runs)
    assert sorted(index["status"]) == ["ok", "ok"] and len(index) == 2
    assert not list((runs / PENDING_NAME).iterdir())


def test_rows_a_dead_fold_had_claimed_are_not_lost(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    assert len(reindex(runs)) == 0  # an index from before the sweep
    folders = [runs / "sweeps" / "d" / str(job) for job in range(2)]
    for job, folder in enumerate(folders):
        make_run(folder, [f"run.seed={job}"], 1.0)
    jobs = [record(folder, _meta(folder), pending_only=True) for folder in folders]
    assert jobs[0] is not None
    jobs[0].rename(jobs[0].with_name(jobs[0].name + CLAIMED_SUFFIX))  # a fold died here
    assert len(load_index(runs)) == 2
    assert not list((runs / PENDING_NAME).iterdir())


def _meta(folder: Path) -> dict[str, object]:
    meta: dict[str, object] = json.loads((folder / "meta.json").read_text())
    return meta


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin.runs_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_twin_runs_filters_and_twin_query_outputs(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    make_run(runs / "2026-12-01" / "10-00-00_a", ["network=single_store"], 1.0)
    make_run(runs / "2026-12-01" / "11-00-00_b", ["network=metro"], 2.0, status="failed")
    assert cli(["runs", "--reindex"], tmp_path).returncode == 0
    listed = cli(["runs", "--param", "network=single_store"], tmp_path)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1
    assert "network=single_store" in listed.stdout and "ok" in listed.stdout
    failed = cli(["runs", "--status", "failed"], tmp_path).stdout.splitlines()
    assert len(failed) == 1 and "failed" in failed[0]
    assert cli(["runs", "--since", "2999-01-01"], tmp_path).stdout == ""

    sql = "select status, count(*) as n from runs group by 1 order by 1"
    table = cli(["query", sql], tmp_path)
    assert table.returncode == 0 and "failed" in table.stdout
    assert cli(["query", sql, "--csv", "out.csv"], tmp_path).returncode == 0
    assert pd.read_csv(tmp_path / "out.csv").to_dict("list") == {
        "status": ["failed", "ok"],
        "n": [1, 1],
    }
    assert cli(["query", sql, "--json", "out.json"], tmp_path).returncode == 0
    assert json.loads((tmp_path / "out.json").read_text())[0] == {"status": "failed", "n": 1}
    assert cli(["query", sql, "--parquet", "out.parquet"], tmp_path).returncode == 0
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 2

    bad = cli(["query", "selec * from runs"], tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert bad.stderr.startswith("twin-query: bad SQL:") and "Traceback" not in bad.stderr
    missing = cli(["query", "select * from nowhere"], tmp_path)
    assert missing.returncode == 2 and "nowhere" in missing.stderr
