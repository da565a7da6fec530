"""A large run's report draws its figures in a forked child while it builds the tables
(twin.report.run_page.SPLIT_ROWS, twin.core.forked): the page is the same, byte for byte."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.run_folders import Producers
from twin.core import forked
from twin.report import render_run_report, run_page

pytestmark = pytest.mark.unit


@pytest.fixture
def run_dir(tmp_path: Path, producers: Producers) -> Path:
    return producers.run(tmp_path / "run", n_stores=3, n_reps=3)


@pytest.fixture
def drawn_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """The processes that drew the page's figures (a child forked later inherits the patch)."""
    record = tmp_path / "drawn_by.txt"
    original = run_page.figure_parts

    def recorded(data: Any, flags: Any) -> dict[str, Any]:
        with record.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return original(data, flags)

    monkeypatch.setattr(run_page, "figure_parts", recorded)
    return lambda: [int(pid) for pid in record.read_text().split()] if record.exists() else []


def page(run_dir: Path, out: Path) -> bytes:
    return render_run_report(run_dir, out).read_bytes()


def test_a_large_runs_figures_come_from_a_child_and_the_page_is_the_same(
    run_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    drawn_by: Callable[[], list[int]],
) -> None:
    alone = page(run_dir, tmp_path / "alone.html")  # 3 stores: under SPLIT_ROWS
    assert drawn_by() == [os.getpid()]
    monkeypatch.setattr(run_page, "SPLIT_ROWS", 0)
    monkeypatch.setattr(forked, "wanted", lambda: True)  # whatever pytest's threads
    split = page(run_dir, tmp_path / "split.html")
    assert split == alone
    [_, child] = drawn_by()
    assert child != os.getpid()


def test_a_child_that_dies_leaves_the_figures_to_this_process(
    run_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    drawn_by: Callable[[], list[int]],
) -> None:
    alone = page(run_dir, tmp_path / "alone.html")
    monkeypatch.setattr(run_page, "SPLIT_ROWS", 0)
    monkeypatch.setattr(forked, "wanted", lambda: True)
    monkeypatch.setattr(run_page, "send_and_exit", lambda *args: os._exit(4))
    assert page(run_dir, tmp_path / "split.html") == alone
    assert drawn_by() == [os.getpid(), os.getpid()]


def test_no_child_for_a_small_run(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under SPLIT_ROWS summary rows a fork would cost more than the tables it runs beside."""
    forks: list[object] = []
    monkeypatch.setattr(run_page, "fork_child", lambda work: forks.append(work))
    page(run_dir, tmp_path / "report.html")
    assert forks == []


def test_a_failure_beside_the_child_leaves_no_child_behind(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_page, "SPLIT_ROWS", 0)
    monkeypatch.setattr(forked, "wanted", lambda: True)
    started: list[forked.Child] = []

    def recorded(work: Any) -> forked.Child | None:
        child = forked.fork_child(work)
        assert child is not None
        started.append(child)
        return child

    def broken(rows: Any) -> None:
        raise RuntimeError("a table failed")

    monkeypatch.setattr(run_page, "fork_child", recorded)
    monkeypatch.setattr(run_page, "domain_tables", broken)
    with pytest.raises(RuntimeError, match="a table failed"):
        page(run_dir, tmp_path / "report.html")
    [child] = started
    with pytest.raises(ChildProcessError):  # already reaped
        os.waitpid(child.pid, os.WNOHANG)
