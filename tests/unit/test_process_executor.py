"""The local process executor: results read as their tasks end, back in task order, through
files, none left behind."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from twin.experiment import executors
from twin.experiment.executors import run_processes

pytestmark = pytest.mark.unit


def _squares(n: int) -> dict[str, Any]:
    if n < 0:
        raise ValueError(f"task {n} fails")
    return {"n": n, "table": np.arange(n * 1000, dtype=float) ** 2}


def test_results_come_back_in_task_order_and_their_files_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    progress: list[tuple[int, int]] = []
    results = run_processes(
        _squares, [3, 1, 2, 5], 2, "", lambda done, total: progress.append((done, total))
    )
    assert [result["n"] for result in results] == [3, 1, 2, 5]
    for result in results:
        np.testing.assert_array_equal(
            result["table"], np.arange(result["n"] * 1000, dtype=float) ** 2
        )
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert list(tmp_path.iterdir()) == []


def _waits_for_file(task: tuple[str, str]) -> bool:
    """``("wait", path)``: whether ``path`` appeared within 20 s; else True at once."""
    kind, path = task
    if kind != "wait":
        return True
    deadline = time.monotonic() + 20.0
    while time.monotonic() < deadline:
        if Path(path).exists():
            return True
        time.sleep(0.01)
    return False


def test_results_are_read_as_their_tasks_end_not_behind_an_earlier_one(tmp_path: Path) -> None:
    """The first task waits until the parent has read the three after it: read in task
    order, they would wait behind it (and it would give up after 20 s)."""
    signal = tmp_path / "three-read"

    def progress(done: int, total: int) -> None:
        if done == 3:
            signal.touch()

    tasks = [("wait", str(signal)), *[("go", "") for _ in range(3)]]
    assert run_processes(_waits_for_file, tasks, 2, "", progress) == [True] * 4


def test_a_failing_task_is_raised_and_leaves_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ValueError, match="task -1 fails"):
        run_processes(_squares, [2, -1, 3, 4], 2, "", None)
    assert list(tmp_path.iterdir()) == []


def test_a_result_that_cannot_be_written_comes_back_through_the_pipe(tmp_path: Path) -> None:
    handed = executors._through_file((_squares, 2, str(tmp_path / "missing" / "0.pickle")))
    assert handed[0] is False
    assert executors._read_back(handed)["n"] == 2
    written = executors._through_file((_squares, 2, str(tmp_path / "0.pickle")))
    assert written == (True, str(tmp_path / "0.pickle"))
    assert executors._read_back(written)["n"] == 2
    assert not (tmp_path / "0.pickle").exists()


def test_with_no_temporary_folder_results_come_back_through_the_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "not-there"))
    results = run_processes(_squares, [2, 1, 3], 2, "", None)
    assert [result["n"] for result in results] == [2, 1, 3]
    assert not (tmp_path / "not-there").exists()
