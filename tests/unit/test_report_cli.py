"""``twin-report PATH [--out FILE]``: folder detection and the error for anything else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.report_support import written_sizing_folder
from tests.run_folders import Producers
from twin.report.cli import main
from twin.report.load import detect_kind

pytestmark = pytest.mark.unit


def test_detects_each_kind_of_folder(tmp_path: Path, producers: Producers) -> None:
    run = producers.run(tmp_path / "run", with_timeseries=False)
    failed = producers.run(tmp_path / "failed", failed=True)
    sweep = producers.sweep(tmp_path / "sweep", lanes=(4,), kiosks=(0,))
    size = written_sizing_folder(tmp_path / "size")
    assert [detect_kind(p) for p in (run, failed, sweep, size)] == ["run", "run", "sweep", "sizing"]
    assert detect_kind(sweep / "0") == "run"
    assert detect_kind(tmp_path) is None


def test_builds_each_report_without_simulating(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    producers: Producers,
) -> None:
    run = producers.run(tmp_path / "run", with_timeseries=False)
    size = written_sizing_folder(tmp_path / "size")
    monkeypatch.chdir(tmp_path)
    assert main([str(run)]) == 0
    assert main([str(size), "--out", "out/size.html"]) == 0
    assert (tmp_path / "out" / "size.html").is_file()
    printed = capsys.readouterr().out
    assert "run report written to reports/run_default_" in printed
    assert "sizing report written to out/size.html" in printed


def test_a_folder_of_nothing_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert main([str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert str(tmp_path) in error
    assert "holds none of those files; expected a run folder (meta.json or kpis.parquet" in error
    assert "\n" not in error.strip(), "one paragraph"


def test_a_missing_path_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope")]) == 2
    assert f"{tmp_path / 'nope'} does not exist; expected a run folder" in capsys.readouterr().err


def test_a_broken_file_names_the_file_and_the_columns(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    producers: Producers,
) -> None:
    run = producers.run(tmp_path / "run", with_timeseries=False)
    pd.DataFrame({"kpi": ["x"], "value": [1.0]}).to_parquet(run / "kpis.parquet")
    assert main([str(run), "--out", str(tmp_path / "r.html")]) == 2
    error = capsys.readouterr().err
    assert (
        "kpis.parquet lacks the columns scenario, replication, region, store, stat, unit" in error
    )
    (run / "kpis.parquet").unlink()
    (run / "summary.parquet").write_bytes(b"not parquet")
    assert main([str(run), "--out", str(tmp_path / "r.html")]) == 2
    assert "summary.parquet could not be read as Parquet" in capsys.readouterr().err
