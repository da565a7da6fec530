"""twin/commands.py: a console command ends its process at once, with nothing left unwritten."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from twin import commands


class Ended(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """os._exit raises Ended instead, and pytest's own atexit handlers are left alone; the
    list records what finish() did, in order."""
    done: list[str] = []

    def fake_exit(code: int) -> None:
        done.append(f"exit {code}")
        raise Ended(code)

    monkeypatch.setattr(commands.os, "_exit", fake_exit)
    monkeypatch.setattr(commands.atexit, "_run_exitfuncs", lambda: done.append("atexit"))
    return done


def _main_module(monkeypatch: pytest.MonkeyPatch, main: Any) -> str:
    module = type(sys)("fake_command")
    module.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_command", module)
    return "fake_command"


@pytest.mark.parametrize(
    ("outcome", "code"),
    [(None, 0), (3, 3), (SystemExit(2), 2), (SystemExit(None), 0), (SystemExit("bad"), 1)],
)
def test_the_exit_status_is_the_one_python_would_give(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ended: list[str],
    outcome: Any,
    code: int,
) -> None:
    def main() -> Any:
        if isinstance(outcome, SystemExit):
            raise outcome
        return outcome

    with pytest.raises(Ended) as stop:
        commands.run(_main_module(monkeypatch, main), "main")
    assert stop.value.code == code
    assert ended == ["atexit", f"exit {code}"]  # the handlers first
    assert capsys.readouterr().err == ("bad\n" if code == 1 else "")


def test_an_exception_other_than_system_exit_is_not_swallowed(
    monkeypatch: pytest.MonkeyPatch, ended: list[str]
) -> None:
    def main() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        commands.run(_main_module(monkeypatch, main), "main")
    assert ended == []  # Python's usual ending: traceback, teardown


def test_a_thread_still_running_gets_the_usual_ending(ended: list[str]) -> None:
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        with pytest.raises(SystemExit) as stop:
            commands.finish(4)
    finally:
        release.set()
        worker.join()
    assert stop.value.code == 4 and ended == []


def test_a_closed_pipe_on_stdout_is_python_s_status_120(
    monkeypatch: pytest.MonkeyPatch, ended: list[str]
) -> None:
    class ClosedPipe:
        def flush(self) -> None:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    with pytest.raises(Ended) as stop:
        commands.finish(0)
    assert stop.value.code == commands.FLUSH_FAILED
    with pytest.raises(Ended) as stop:
        commands.finish(2)  # a failure's own status wins
    assert stop.value.code == 2


def test_a_real_process_skips_teardown_and_loses_nothing(tmp_path: Path) -> None:
    """In a process of its own: the exit status, atexit handlers, a file left open and
    unflushed, stdout without a newline, all there; an object's __del__ at teardown is not
    run (teardown was skipped: the point)."""
    (tmp_path / "a_command.py").write_text(
        textwrap.dedent(
            f"""
            import atexit, gc, sys
            from pathlib import Path
            out = Path({str(tmp_path)!r})

            class Teardown:
                def __del__(self):
                    (out / "teardown").write_text("ran")

            def main():
                main.keep = Teardown()
                atexit.register(lambda: (out / "atexit").write_text("ran"))
                main.left_open = open(out / "left_open.txt", "w")
                main.left_open.write("x" * 100)  # in the buffer, never closed
                gc.freeze()  # as the sweep launcher does
                sys.stdout.write("no newline")
                return 7
            """
        )
    )
    code = "from twin.commands import run; run('a_command', 'main')"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{Path(__file__).parents[2]}", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 7, done.stderr
    assert done.stdout == "no newline"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "left_open.txt").read_text() == "x" * 100
    assert not (tmp_path / "teardown").exists()


def test_every_command_of_pyproject_runs_a_main_that_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib
    import tomllib

    targets: list[tuple[str, str]] = []
    monkeypatch.setattr(commands, "run", lambda *target: targets.append(target))
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    scripts = pyproject["project"]["scripts"]
    for name, target in scripts.items():
        module, function = target.split(":")
        assert module == "twin.commands", name
        getattr(commands, function)()
    assert len(set(targets)) == len(scripts) == 10
    for module, function in targets:
        assert callable(getattr(importlib.import_module(module), function)), (module, function)
