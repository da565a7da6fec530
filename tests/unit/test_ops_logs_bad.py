"""Bad operations logs are refused with one line naming the file, the column and the row."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from twin.fit import cli as fit_cli
from twin.fit import validate as validate_cli

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "examples" / "ops_week" / "logs"


def small_logs(folder: Path, change: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Path:
    """The example's first 40 visits and its rosters as CSV, ``change`` applied to the visits."""
    visits = pd.read_parquet(LOGS / "visits.parquet").head(40)
    rosters = pd.read_parquet(LOGS / "rosters.parquet")
    text = visits.astype(str).replace({"NaT": "", "nan": "", "<NA>": ""})
    if change is not None:
        text = change(text)
    folder.mkdir(parents=True, exist_ok=True)
    text.to_csv(folder / "visits.csv", index=False)
    rosters.to_csv(folder / "rosters.csv", index=False)
    return folder


def _set(column: str, row: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 1, column] = value  # rows count data rows from 1
        return frame

    return change


def _shift_offset(column: str, row: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 1, column] = str(frame.loc[row - 1, column]).replace("+00:00", "+01:00")
        return frame

    return change


def _leave_before_arrival(row: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        arrival = pd.Timestamp(str(frame.loc[row - 1, "arrival"]))
        frame.loc[row - 1, "leave"] = str(arrival - pd.Timedelta(seconds=60))
        return frame

    return change


CASES = [
    (
        lambda f: f.drop(columns=["arrival"]),
        "visits.csv: column 'arrival': missing (a required column)",
    ),
    (
        _set("arrival", 3, "yesterday"),
        "visits.csv: column 'arrival', row 3: cannot parse 'yesterday' as a timestamp",
    ),
    (
        _set("arrival", 2, "2024-01-01 07:05:00"),
        "visits.csv: column 'arrival', row 2: timestamp '2024-01-01 07:05:00' has no time zone",
    ),
    (
        _shift_offset("arrival", 4),
        "visits.csv: column 'arrival', row 4: time zone +01:00 differs from +00:00 in row 1 "
        "(mixed time zones)",
    ),
    (
        _leave_before_arrival(5),
        "visits.csv: column 'leave', row 5: before 'arrival' (a negative duration of -60 s)",
    ),
    (
        _set("outcome", 6, "3"),
        "visits.csv: column 'outcome', row 6: '3' is not one of served, balked, reneged, "
        "inside, left",
    ),
    (
        _set("items", 7, "many"),
        "visits.csv: column 'items', row 7: cannot parse 'many' as a number",
    ),
]


@pytest.mark.parametrize(("change", "message"), CASES)
def test_twin_fit_refuses_bad_logs_naming_file_column_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable, message: str
) -> None:
    logs = small_logs(tmp_path / "logs", change)
    with pytest.raises(SystemExit) as exit_info:
        fit_cli.main([str(logs), "--name", "x", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"twin-fit: {message}\n"


def test_an_unknown_store_in_the_rosters_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = small_logs(tmp_path / "logs")
    rosters = pd.read_csv(logs / "rosters.csv", dtype=str)
    rosters.loc[1, "store"] = "S99"
    rosters.to_csv(logs / "rosters.csv", index=False)
    with pytest.raises(SystemExit) as exit_info:
        validate_cli.main([str(logs), "+site=nothing"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "twin-validate: rosters.csv: column 'store', row 2: unknown store 'S99' "
        "(not in visits.csv)\n"
    )


@pytest.mark.slow
def test_a_missing_folder_and_a_replay_of_an_unknown_store_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        fit_cli.main([str(tmp_path / "none"), "--name", "x", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "not a folder of operations logs" in capsys.readouterr().err
    logs = small_logs(tmp_path / "logs", lambda f: f.assign(store="S07"))
    rosters = pd.read_csv(logs / "rosters.csv", dtype=str).assign(store="S07")
    rosters.to_csv(logs / "rosters.csv", index=False)
    done = subprocess.run(
        [sys.executable, "-m", "twin.cli", "network=single_store", "demand.source=trace",
         f"demand.trace={logs}", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "demand.trace" in done.stderr and "store S01" in done.stderr


def test_the_command_line_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    logs = small_logs(tmp_path / "logs", _set("arrival", 3, "yesterday"))
    done = subprocess.run(
        [sys.executable, "-m", "twin.fit.cli", str(logs), "--name", "x", "--out", str(tmp_path)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
