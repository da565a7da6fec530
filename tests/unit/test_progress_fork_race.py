"""A sweep's progress bar and the twin launcher's forks: tqdm is never caught half imported.

The bar's thread used to import tqdm while the launcher, on the main thread, looked tqdm up to
hold its lock over a fork; a tqdm half imported has no ``tqdm`` yet, and the sweep crashed
(seen once in CI: ``partially initialized module 'tqdm' has no attribute 'tqdm'``). Each case
runs in a fresh interpreter, where tqdm is not imported yet.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def python(code: str, tmp_path: Path, path_first: Path | None = None) -> None:
    env_path = f"{path_first}:" if path_first is not None else ""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": env_path, "TWIN_PROGRESS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_sweeps_bar_imports_tqdm_before_its_thread_starts(tmp_path: Path) -> None:
    python(
        """
        import sys, threading
        import twin.cli_callbacks as callbacks

        class Unstarted:  # the bar's thread, never run: only the caller's thread imports
            def __init__(self, target, args, daemon):
                self.args = args
            def start(self):
                pass

        callbacks.sweep_dir_of = lambda config: None
        callbacks.count_jobs = lambda config: 4
        threading.Thread = Unstarted  # this interpreter runs nothing else
        assert "tqdm" not in sys.modules
        callbacks.SweepProgress().on_multirun_start(config=None)
        assert hasattr(sys.modules["tqdm"], "tqdm"), "tqdm not imported before the bar's thread"
        """,
        tmp_path,
    )


def test_a_fork_waits_for_a_tqdm_another_thread_is_importing(tmp_path: Path) -> None:
    slow = tmp_path / "shadow" / "tqdm"
    slow.mkdir(parents=True)
    (slow / "__init__.py").write_text(
        textwrap.dedent(
            """
            import threading, time
            time.sleep(0.6)  # half imported, for a while

            class tqdm:
                _lock = threading.RLock()

                @classmethod
                def get_lock(cls):
                    return cls._lock
            """
        )
    )
    python(
        """
        import sys, threading, time
        from hydra_plugins.twin_launcher.pool import _progress_bars_still

        importer = threading.Thread(target=__import__, args=("tqdm",))
        importer.start()
        time.sleep(0.2)  # the other thread is inside tqdm's import now
        assert "tqdm" in sys.modules and not hasattr(sys.modules["tqdm"], "tqdm")
        with _progress_bars_still():
            pass
        importer.join()
        """,
        tmp_path,
        path_first=slow.parent,
    )
