"""twin-collect never gives up on healthy jobs: every kind of damage is named, in one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.run_folders import Producers
from twin.experiment.collect import main as collect_main
from twin.experiment.jobs import DAMAGED, INCOMPLETE, INTERRUPTED, NOT_RUN, OK
from twin.experiment.manifest import MANIFEST_FILE, Manifest, PlannedJob, write_manifest
from twin.experiment.sweep import collect_sweep

pytestmark = pytest.mark.unit


def _truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[:100])


def _set_meta(folder: Path, **changes: object) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta))


def _no_meta_overrides(folder: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    meta.pop("overrides", None)
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / ".hydra").mkdir(exist_ok=True)
    (folder / ".hydra" / "overrides.yaml").write_text("- a: [unclosed\n  secret line\n")


def _empty(folder: Path) -> None:
    for file in folder.iterdir():
        if file.is_file():
            file.unlink()


# (name, damage, expected status, words the line must hold)
DAMAGES: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("truncated summary", lambda d: _truncate(d / "summary.parquet"), DAMAGED, "summary.parquet"),
    ("truncated kpis", lambda d: _truncate(d / "kpis.parquet"), DAMAGED, "kpis.parquet"),
    (
        "garbage config",
        lambda d: (d / "config.yaml").write_text("run: [unclosed\nsecret line: {\n"),
        DAMAGED,
        "config.yaml is not valid YAML",
    ),
    (
        "binary config",
        lambda d: (d / "config.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe"),
        DAMAGED,
        "config.yaml is not UTF-8",
    ),
    ("meta list", lambda d: (d / "meta.json").write_text("[]"), DAMAGED, "meta.json holds list"),
    ("meta garbage", lambda d: (d / "meta.json").write_text("{oops"), DAMAGED, "meta.json"),
    (
        "meta error string",
        lambda d: _set_meta(d, status="failed", error="boom"),
        DAMAGED,
        "error that is a str",
    ),
    ("overrides garbage", _no_meta_overrides, DAMAGED, "overrides.yaml is not valid YAML"),
    ("emptied folder", _empty, INCOMPLETE, "the job folder is empty"),
    ("killed", lambda d: _set_meta(d, status="running"), INCOMPLETE, "meta.json status running"),
    ("no meta", lambda d: (d / "meta.json").unlink(), INCOMPLETE, "no meta.json"),
    (
        "interrupted",
        lambda d: _set_meta(
            d, status="interrupted", error={"type": "Interrupted", "message": "by SIGINT"}
        ),
        INTERRUPTED,
        "by SIGINT",
    ),
    ("summary missing", lambda d: (d / "summary.parquet").unlink(), OK, ""),
    (
        "all result files gone",
        lambda d: [(d / f).unlink() for f in ("summary.parquet", "kpis.parquet")],
        DAMAGED,
        "summary.parquet is missing",
    ),
]


@pytest.fixture
def sweep(tmp_path: Path, producers: Producers) -> Path:
    path = producers.sweep(tmp_path / "sweep", lanes=(4, 6), kiosks=(0, 4), baseline_job=None)
    jobs = [PlannedJob(n, [f"formats.grocery.checkout.lanes={n}"], 11) for n in range(5)]
    write_manifest(path, Manifest(jobs))
    return path


@pytest.mark.parametrize(
    ("name", "damage", "status", "words"), DAMAGES, ids=[d[0] for d in DAMAGES]
)
def test_a_damaged_job_is_named_and_the_healthy_ones_gathered(
    sweep: Path,
    name: str,
    damage: Callable[[Path], None],
    status: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    damage(sweep / "1")
    with pytest.raises(SystemExit) as exit_info:
        collect_main([str(sweep)])
    assert exit_info.value.code == 1  # job 4 never ran, whatever the damage
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "secret line" not in out.out + out.err  # never the content of a broken file
    result = collect_sweep(sweep, write=False)
    statuses = {job.job: job.status for job in result.jobs}
    assert statuses == {0: OK, 1: status, 2: OK, 3: OK, 4: NOT_RUN}
    gathered = set(result.summary["job"])
    assert {0, 2, 3} <= gathered
    if status != OK:
        assert 1 not in gathered
        line = next(li for li in out.out.splitlines() if " job 1 " in li)
        assert line.lstrip().startswith(status.upper())
        assert words in line
    assert "NOT RUN job 4" in out.out
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert NOT_RUN in {record["status"] for record in failed}


def test_the_headline_counts_every_status(sweep: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_meta(sweep / "2", status="running")
    with pytest.raises(SystemExit):
        collect_main([str(sweep)])
    headline = capsys.readouterr().out.splitlines()[0]
    assert "5 jobs, 3 ok, 0 failed, 1 incomplete, 1 not run" in headline


@pytest.mark.parametrize("content", ["[]", "{oops", '{"jobs": 3}', '{"jobs": [{"job": "x"}]}'])
def test_a_damaged_manifest_exits_2_with_one_line(
    sweep: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (sweep / MANIFEST_FILE).write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        collect_main([str(sweep)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert MANIFEST_FILE in err


def test_a_sweep_whose_jobs_all_never_ran_is_not_ok(tmp_path: Path) -> None:
    path = tmp_path / "sweep"
    path.mkdir()
    write_manifest(path, Manifest([PlannedJob(n, [f"a={n}"], 1) for n in range(3)]))
    with pytest.raises(SystemExit) as exit_info:
        collect_main([str(path)])
    assert exit_info.value.code == 1
    assert [job.status for job in collect_sweep(path, write=False).jobs] == [NOT_RUN] * 3
