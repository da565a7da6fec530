"""twin/core/forked.py: a forked child's answer is taken only when it answers the same request,
what its work said is said here, and the child is gone afterwards whatever it did."""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from twin.core import forked
from twin.core.forked import fork_child, send_and_exit, wanted

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child is started whatever this machine's cores and pytest's threads."""
    monkeypatch.setattr(forked, "wanted", lambda: True)


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def answering(key: tuple[object, ...], value: object) -> Callable[[Connection], None]:
    return lambda conn: send_and_exit(conn, key, lambda: value)


def test_the_childs_answer_to_the_same_request_is_taken_once_and_the_child_reaped() -> None:
    child = fork_child(answering(("run", "config", ["a=1"]), {"composed": 1}))
    assert child is not None and child.pid != os.getpid()
    assert child.take(("run", "config", ["a=1"])) == {"composed": 1}
    assert reaped(child.pid)
    assert child.take(("run", "config", ["a=1"])) is None  # once


def test_an_answer_to_another_request_is_not_taken() -> None:
    child = fork_child(answering(("run", "config", ["a=1"]), {"composed": 1}))
    assert child is not None
    assert child.take(("run", "config", ["a=2"])) is None
    assert reaped(child.pid)


def test_a_composition_that_failed_is_not_taken() -> None:
    def failing(conn: Connection) -> None:
        send_and_exit(conn, ("k",), lambda: 1 / 0)

    child = fork_child(failing)
    assert child is not None
    assert child.take(("k",)) is None


def test_a_child_that_dies_or_hangs_is_not_waited_for_beyond_its_end_or_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dies = fork_child(lambda conn: os._exit(3))
    assert dies is not None
    started = time.monotonic()
    assert dies.take(("k",)) is None
    assert time.monotonic() - started < 5.0 and reaped(dies.pid)

    monkeypatch.setattr(forked, "WAIT_S", 0.3)
    hangs = fork_child(lambda conn: time.sleep(60))
    assert hangs is not None
    started = time.monotonic()
    assert hangs.take(("k",)) is None
    assert 0.3 <= time.monotonic() - started < 5.0 and reaped(hangs.pid)


def test_a_child_never_taken_is_stopped_and_reaped_on_close() -> None:
    child = fork_child(lambda conn: time.sleep(60))
    assert child is not None
    child.close()
    assert reaped(child.pid)
    child.close()  # twice: nothing left to do


def test_what_the_childs_composition_said_is_said_here_once(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    def says(conn: Connection) -> None:
        def compose() -> int:
            warnings.warn("deprecated key in the config", DeprecationWarning, stacklevel=1)
            logging.getLogger("hydra.test").warning("a config group was %s", "renamed")
            print("the child's own print")  # never shown: the parent replays what matters
            return 7

        send_and_exit(conn, ("k",), compose)

    child = fork_child(says)
    assert child is not None
    with pytest.warns(DeprecationWarning, match="deprecated key") as warned:
        assert child.take(("k",)) == 7
    assert len(warned) == 1
    assert [r.getMessage() for r in caplog.records if r.name == "hydra.test"] == [
        "a config group was renamed"
    ]
    assert "the child's own print" not in capfd.readouterr().out


def test_no_child_with_another_thread_running_or_a_single_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()  # the real wanted()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert wanted() is (threading.active_count() == 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert wanted() is False
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert wanted() is False


def test_no_child_when_the_fork_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """No process left for a child: the command composes itself, it does not fail."""

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert fork_child(answering(("k",), 1)) is None


def test_work_in_shares_gives_the_same_answer_from_every_core(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One share per core (at least ``per_share`` items each), a child for each but the first."""
    monkeypatch.setattr(forked, "usable_cores", lambda: 3)
    doers = tmp_path / "doers.txt"

    def square(share: list[int]) -> dict[int, int]:
        with doers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return {n: n * n for n in share}

    assert forked.in_shares("squares", range(7), square) == {n: n * n for n in range(7)}
    pids = doers.read_text().split()
    assert len(pids) == 3 and len(set(pids)) == 3 and str(os.getpid()) in pids
    doers.unlink()
    assert forked.in_shares("squares", range(7), square, per_share=4) == {
        n: n * n for n in range(7)
    }
    assert doers.read_text().split() == [str(os.getpid())]  # one share: no child


def test_a_share_whose_child_dies_is_done_here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(forked, "usable_cores", lambda: 2)
    monkeypatch.setattr(forked, "send_and_exit", lambda *args: os._exit(7))
    assert forked.in_shares("squares", range(5), lambda s: {n: -n for n in s}) == {
        n: -n for n in range(5)
    }
