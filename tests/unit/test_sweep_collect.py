"""Gathering a sweep folder: summary with override columns, failed jobs, baseline comparison."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import twin
from twin.config.load import to_yaml
from twin.core import forked
from twin.errors import ConfigError
from twin.experiment import jobs as jobs_module
from twin.experiment.collect import main
from twin.experiment.jobs import Job, find_jobs
from twin.experiment.run_folder import base_meta, write_failure, write_result
from twin.experiment.sweep import collect_sweep, parse_override
from twin.run_files import COMPARISON, SUMMARY

pytestmark = [pytest.mark.unit, pytest.mark.xdist_group("sweep_collect")]

LANES = "formats.grocery.checkout.lanes"
SCALE = "formats.grocery.demand_scale"
SMALL = [
    "network=single_store",
    "planner.lanes.mode=fixed",  # lanes swept as a fixed roster, not as the planner's maximum
    "run.replications=3",
    "formats.grocery.demand_scale=0.3",
]


def make_job(sweep: Path, number: int, overrides: list[str]) -> None:
    """A job folder as ``twin -m`` writes it (meta.json records the job's overrides)."""
    config = twin.load_config([*SMALL, *overrides])
    meta = base_meta(config.run.scenario, config.run.seed, config.run.replications, overrides)
    write_result(sweep / str(number), twin.simulate(config), to_yaml(config), meta)


def make_failed_job(sweep: Path, number: int, overrides: list[str]) -> None:
    meta = base_meta("default", 1, 3, overrides)
    write_failure(sweep / str(number), ConfigError(LANES, 0, "a number >= 1"), meta)


@pytest.fixture(scope="module")
def factorial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2x2 sweep (lanes x demand scale) whose baseline is 3 lanes, plus one failed job."""
    sweep = tmp_path_factory.mktemp("factorial")
    jobs = [(lanes, scale) for lanes in (3, 2) for scale in (0.3, 0.4)]
    for number, (lanes, scale) in enumerate(jobs):
        make_job(
            sweep,
            number,
            [f"{LANES}={lanes}", f"{SCALE}={scale}", f"experiment.baseline='{LANES}=3'"],
        )
    make_failed_job(sweep, 4, [f"{LANES}=0", f"{SCALE}=0.3", f"experiment.baseline='{LANES}=3'"])
    return sweep


def test_summary_has_one_block_per_finished_job_and_overrides_as_columns(factorial: Path) -> None:
    result = collect_sweep(factorial)
    summary = pd.read_parquet(factorial / "summary.parquet")
    assert list(summary.columns) == [
        "job",
        "job_dir",
        "status",
        LANES,
        SCALE,
        "experiment.baseline",
        *SUMMARY.columns,
    ]
    assert sorted(summary["job"].unique()) == [0, 1, 2, 3]
    assert set(summary["status"]) == {"ok"}
    assert summary[LANES].dtype == "int64" and summary[SCALE].dtype == "float64"
    per_job = summary.drop_duplicates("job").set_index("job")
    assert per_job.loc[1, LANES] == 3 and per_job.loc[1, SCALE] == 0.4
    assert per_job.loc[2, "job_dir"] == "2"
    assert result.params == [LANES, SCALE, "experiment.baseline"]
    csv = pd.read_csv(factorial / "summary.csv")
    assert len(csv) == len(summary) and list(csv.columns) == list(summary.columns)


def test_failed_job_is_listed_with_its_error_and_overrides(factorial: Path) -> None:
    result = collect_sweep(factorial)
    failed = json.loads((factorial / "failed_jobs.json").read_text())
    assert [entry["job"] for entry in failed] == [4]
    assert failed[0]["job_dir"] == "4"
    assert f"{LANES}=0" in failed[0]["overrides"]
    assert failed[0]["error"]["type"] == "ConfigError"
    assert [job.job for job in result.failed] == [4]


def test_each_job_is_compared_with_the_baseline_sharing_its_other_overrides(
    factorial: Path,
) -> None:
    collect_sweep(factorial)
    comparison = pd.read_parquet(factorial / "comparison.parquet")
    assert tuple(comparison.columns) == COMPARISON.columns
    pairs = comparison[["job", "baseline_job"]].drop_duplicates().values.tolist()
    assert sorted(map(tuple, pairs)) == [(2, 0), (3, 1)]  # 2 lanes vs 3 lanes, same scale
    assert comparison["is_paired"].all()
    wait = comparison[
        (comparison["kpi"] == "checkout.wait_s")
        & (comparison["stat"] == "mean")
        & (comparison["store"] == "all")
    ]
    assert (wait["diff_mean"] > 0).all()  # fewer lanes, longer waits


def test_baseline_can_be_named_on_the_command_line(factorial: Path) -> None:
    result = collect_sweep(factorial, baseline="job=0", write=False)
    assert result.comparison is not None
    assert set(result.comparison["baseline_job"]) == {0}
    assert set(result.comparison["job"]) == {1, 2, 3}


def test_a_baseline_no_job_matches_gives_a_note_and_no_comparison(tmp_path: Path) -> None:
    make_job(tmp_path, 0, [f"{LANES}=3"])
    (tmp_path / "comparison.parquet").write_text("stale")
    result = collect_sweep(tmp_path, baseline=f"{LANES}=9")
    assert result.comparison is None
    assert any("no finished job matches" in note for note in result.notes)
    assert not (tmp_path / "comparison.parquet").exists()


def test_an_unfinished_job_counts_as_failed(tmp_path: Path) -> None:
    make_job(tmp_path, 0, [f"{LANES}=3"])
    killed = tmp_path / "1"
    (killed / ".hydra").mkdir(parents=True)
    (killed / ".hydra" / "overrides.yaml").write_text(f"- {LANES}=4\n")
    result = collect_sweep(tmp_path)
    assert [job.job for job in result.failed] == [1]
    assert result.failed[0].overrides == [f"{LANES}=4"]
    assert result.failed[0].error is not None
    assert result.failed[0].error["type"] == "Incomplete"


def test_twin_collect_prints_failures_and_exits_1(
    factorial: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (factorial / "summary.parquet").unlink()
    with pytest.raises(SystemExit) as exit_info:
        main([str(factorial)])
    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert "5 jobs, 4 ok, 1 failed" in out
    assert f"FAILED job 4 ({LANES}=0" in out and "ConfigError" in out
    assert (factorial / "summary.parquet").is_file()  # rebuilt


def test_twin_collect_exits_0_when_every_job_succeeded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_job(tmp_path, 0, [f"{LANES}=3"])
    main([str(tmp_path)])
    assert "1 jobs, 1 ok, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_twin_collect_refuses_a_folder_that_is_not_a_sweep(
    tmp_path: Path, folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if folder == "empty":
        (tmp_path / folder).mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / folder)])
    assert exit_info.value.code == 2
    assert "twin-collect:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("formats.grocery.checkout.lanes=7", ("formats.grocery.checkout.lanes", 7)),
        ("+experiment=more_lanes", ("experiment", "more_lanes")),
        ("++run.seed=3", ("run.seed", 3)),
        ("run.warmup_s=1.5e3", ("run.warmup_s", 1500.0)),
        ("demand.day_factors=[1,1]", ("demand.day_factors", "[1,1]")),
        ("experiment.baseline='a=1'", ("experiment.baseline", "a=1")),
        ("~run.records", None),
    ],
)
def test_parse_override(text: str, expected: tuple[str, object] | None) -> None:
    assert parse_override(text) == expected


def _same_jobs(a: list[Job], b: list[Job]) -> bool:
    def plain(job: Job) -> tuple[object, ...]:
        summary = None if job.summary is None else job.summary.to_dict("list")
        fields = (job.status, job.overrides, job.meta, job.error, job.params, job.seed)
        return (job.job, str(job.path), job.job_dir, *fields, job.config(), summary)

    return [plain(job) for job in a] == [plain(job) for job in b]


def test_a_sweeps_folders_read_in_forked_children_give_the_same_jobs(
    factorial: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many jobs are read a share per core, in forked children beside this process."""
    alone = find_jobs(factorial)
    readers = tmp_path / "readers.txt"
    original = jobs_module.read_job

    def recorded(folder: Path, number: int, sweep_dir: Path) -> Job:
        with readers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return original(folder, number, sweep_dir)

    monkeypatch.setattr(jobs_module, "read_job", recorded)
    monkeypatch.setattr(jobs_module, "JOBS_PER_SHARE", 1)
    monkeypatch.setattr(forked, "usable_cores", lambda: 3)
    monkeypatch.setattr(forked, "wanted", lambda: True)
    split = find_jobs(factorial)
    assert _same_jobs(split, alone)
    pids = [int(pid) for pid in readers.read_text().split()]
    assert len(pids) == 5 and len(set(pids)) == 3 and os.getpid() in pids

    monkeypatch.setattr(forked, "send_and_exit", lambda *args: os._exit(6))
    readers.unlink()
    assert _same_jobs(find_jobs(factorial), alone)  # the children died: read here
    assert set(readers.read_text().split()) == {str(os.getpid())}
